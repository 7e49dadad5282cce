import Glibc

extension Executor {
  /// `\on`: one statement on several sessions — the same stages as `run(_:)`, fanned out. The
  /// guard asks once for the whole set (the strictest target decides), every target's begin row
  /// shares one group id, the statements run on one thread per target, and the output comes
  /// back grouped by target with a status line each. One target's failure does not stop the
  /// others.
  func runOnMany(_ sql: String, on sessions: [Session], label spec: String) throws -> Outcome {
    let statement = PreparedStatement(sql: sql)
    var perTarget: [(Session, PreparedStatement)] = sessions.map { session in
      var refined = statement
      refined.classification = session.driver.refine(statement.classification, sql: statement.sql)
      return (session, refined)
    }
    let decision = Guard(shell: shell).decideFanOut(perTarget, label: spec)
    let group = SecretGenerator.hex(bytes: 6)
    // The guard's row and every target's begin row go out in one transaction, before anything
    // is sent; the end rows wait for the next write, as a single statement's do.
    shell.auditor.recordLater(
      "guard",
      [
        "sql": statement.display, "danger": decision.danger.name, "decision": decision.verdictText,
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
    for (k, (session, prepared)) in perTarget.enumerated() {
      shell.auditor.recordLater(
        "statement", phase: "begin", target: session.target, server: session.serverIdentity,
        [
          "sql": prepared.display, "danger": prepared.classification.danger.name,
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
