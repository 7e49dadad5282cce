import Glibc

extension Executor {
  /// `\on`: statements on several sessions — the same stages as `run(_:)`, fanned out. The
  /// guard asks once for the whole set (the strictest target decides), every target's begin row
  /// (its statements, one per line) shares one group id, each target's statements run on a
  /// thread of their own, and the output comes back grouped by target with a status line each.
  /// One target's failure does not stop the others.
  func runOnMany(
    _ work: [(Session, [PreparedStatement])], label spec: String, snippet: String? = nil
  ) throws -> Outcome {
    var perTarget = work.map { session, statements in
      (
        session,
        statements.map { statement -> PreparedStatement in
          var refined = statement
          refined.classification = session.driver.refine(
            statement.classification, sql: statement.sql)
          return refined
        }
      )
    }
    let decision = Guard(shell: shell).decideFanOut(perTarget, label: spec)
    let group = SecretGenerator.hex(bytes: 6)
    let sessions = perTarget.map(\.0)
    let shown = { (statements: [PreparedStatement]) in
      statements.map(\.display).joined(separator: "\n")
    }
    // The guard's row and every target's begin row go out in one transaction, before anything
    // is sent; the end rows wait for the next write, as a single statement's do.
    shell.auditor.recordLater(
      "guard",
      [
        "sql": shown(perTarget.first?.1 ?? []), "snippet": snippet,
        "danger": decision.danger.name, "decision": decision.verdictText,
        "answer": decision.answer.rawValue, "group_id": group,
        "outcome": decision.answer.allowsRunning ? "allowed" : "refused",
        "detail": jsonObject(sessions.map { ($0.name, $0.target.environment.rawValue) }),
      ])
    guard decision.answer.allowsRunning else {
      try shell.auditor.flush()
      if decision.answer == .dryRun { return .ok }
      shell.anyRefused = true
      return .refused
    }
    var begins = [Int64](repeating: 0, count: perTarget.count)
    for (k, (session, statements)) in perTarget.enumerated() {
      shell.auditor.recordLater(
        "statement", phase: "begin", target: session.target, server: session.serverIdentity,
        [
          "sql": shown(statements), "snippet": snippet,
          "danger": statements.map(\.classification.danger).max()?.name,
          "decision": decision.verdictText, "answer": decision.answer.rawValue, "group_id": group,
        ], written: { begins[k] = $0 })
    }
    try shell.auditor.flush()
    let results = FanOut.runConcurrently(perTarget, settings: shell.settings)
    perTarget.removeAll()
    var failed = false
    for (k, session) in sessions.enumerated() {
      let result = results[k]
      shell.out.write("── \(session.name) (\(session.target.environment.rawValue)) ──\n")
      shell.out.write(result.output)
      if !result.notices.isEmpty { shell.out.write(result.notices) }
      if let error = result.error {
        failed = true
        shell.out.write("\(session.name): " + ErrorRenderer.render(error))
      } else {
        let rows = result.summary?.rows.map { $0 == 1 ? "1 row" : "\($0) rows" }
        shell.out.write(
          "\(session.name): ok" + (rows.map { ", " + $0 } ?? "") + ", "
            + fixed(result.milliseconds, 3) + " ms\n")
      }
      shell.out.write(byte: 0x0A)
      shell.auditor.recordLater(
        "statement", phase: "end", target: session.target, server: session.serverIdentity,
        [
          "begin_id": String(begins[k]), "group_id": group,
          "outcome": result.error == nil ? "ok" : "error",
          "rows": result.summary?.rows.map { String($0) },
          "duration_ms": Auditor.milliseconds(result.milliseconds),
          "error": result.error?.message, "sqlstate": result.error?.code,
        ])
    }
    shell.out.flush()
    if failed { shell.anyFailed = true }
    return failed ? .failed : .ok
  }

}
