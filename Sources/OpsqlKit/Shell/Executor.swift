import Glibc

/// The one front door: every statement — typed, from `-c`, from a script or `\i`, a snippet's
/// body, a replay's step — runs through `run(_:)`, and `\on` through `runOnMany` (in
/// Executor+FanOut.swift), which has the same stages. The stages are fixed here:
///   1. resolve the session;
///   2. guard: the statements' classes against the target's policy, with the question (and a
///      snippet's preview) when one is needed, or the dry run;
///   3. audit "begin", before anything is sent (audit issue);
///   4. run on the driver, rows streaming into the printer, Ctrl-C armed to cancel;
///   5. audit "end" with the outcome, then `\timing`.
/// Catalog reads for completion and `\d` are the back door and do not come through here.
public final class Executor {
  unowned let shell: Shell

  init(shell: Shell) { self.shell = shell }

  /// `\copy`'s client-side file for the statements about to run: where COPY … FROM STDIN reads
  /// its bytes, or where COPY … TO STDOUT's data goes.
  struct ClientCopy {
    var read: (() throws -> [UInt8])?
    var write: ((UnsafeRawBufferPointer) throws -> Void)?
  }
  var clientCopy: ClientCopy?
  /// Where the rows of the statements about to run go instead of the printer (`\gset`).
  var resultSink: ResultSink?

  /// How a batch ended.
  public enum Outcome: Equatable {
    case ok
    case failed
    /// The guard refused or the user declined; nothing of the batch ran.
    case refused
  }

  /// Runs typed SQL (one statement); returns false when it failed or was refused.
  @discardableResult
  public func run(_ sql: String) -> Bool {
    run([PreparedStatement(sql: sql)]) == .ok
  }

  /// Guards a batch as a whole (the worst class decides, one question), then runs it statement
  /// by statement, stopping at the first error. Each statement is audited before it is sent
  /// and after; if the audit cannot be written, nothing more runs.
  public func run(
    _ statements: [PreparedStatement], confirmValue: String? = nil, snippet: String? = nil,
    preview: (() -> Void)? = nil
  ) -> Outcome {
    guard let session = shell.session else {
      shell.reportError("not connected to a database; use \\c to connect")
      return .failed
    }
    // The target's own facts may sharpen the lexer's class (SQLite knows when it writes).
    let statements = statements.map { statement -> PreparedStatement in
      var refined = statement
      refined.classification = session.driver.refine(statement.classification, sql: statement.sql)
      return refined
    }
    let decision = Guard(shell: shell).decide(
      statements, on: session.target, confirmValue: confirmValue, preview: preview)
    do {
      if decision.verdict != .allow || decision.answer == .dryRun {
        try shell.auditor.record(
          "guard", target: session.target, server: session.serverIdentity,
          [
            "sql": statements.map(\.display).joined(separator: "\n"), "snippet": snippet,
            "danger": decision.danger.name, "decision": decision.verdictText,
            "answer": decision.answer.rawValue,
            "outcome": decision.answer.allowsRunning ? "allowed" : "refused",
          ])
      }
    } catch {
      return shell.auditFailure(error)
    }
    guard decision.answer.allowsRunning else {
      if decision.answer == .dryRun {
        shell.lastOutcome = "dry run"
        return .ok
      }
      shell.lastOutcome = "refused (\(decision.answer.rawValue))"
      shell.anyRefused = true
      return .refused
    }
    for statement in statements {
      // Only plain statements are kept for \watch: a snippet's has parameters or secrets.
      if statement.params.isEmpty && statement.display == statement.sql {
        shell.lastStatement = statement.sql
      }
      let begin: Int64
      do {
        begin = try shell.auditor.record(
          "statement", phase: "begin", target: session.target, server: session.serverIdentity,
          [
            "sql": statement.display, "snippet": snippet,
            "danger": statement.classification.danger.name, "decision": decision.verdictText,
            "answer": decision.answer.rawValue, "detail": shell.auditContext,
          ])
      } catch {
        return shell.auditFailure(error)
      }
      let (summary, failure, elapsed) = execute(statement, on: session.driver)
      shell.auditor.recordLater(
        "statement", phase: "end", target: session.target, server: session.serverIdentity,
        [
          "begin_id": String(begin),
          "outcome": failure == nil ? "ok" : (failure!.isCancellation ? "cancelled" : "error"),
          "rows": summary?.rows.map { String($0) }, "duration_ms": Auditor.milliseconds(elapsed),
          "error": failure?.message, "sqlstate": failure?.code,
        ])
      if let failure {
        shell.lastOutcome = "error \(failure.code ?? ""): \(failure.message)"
        return .failed
      }
      let rows = summary?.rows.map { $0 == 1 ? ", 1 row" : ", \($0) rows" } ?? ""
      shell.lastOutcome = "ok\(rows), \(fixed(elapsed, 3)) ms"
    }
    return .ok
  }

  /// Stage 4: the driver, the printer, the pager, Ctrl-C and `\timing`.
  private func execute(_ statement: PreparedStatement, on driver: any Driver) -> (
    StatementSummary?, DatabaseError?, Double
  ) {
    let printer =
      resultSink
      ?? ResultPrinter.make(shell.settings, out: shell.out, terminalColumns: shell.terminalColumns)
    if resultSink == nil, let lines = shell.pagerLines {
      shell.out.beginPaging(lines: lines, command: shell.pagerCommand)
    }
    // COPY … FROM STDIN reads its data from the same input, as psql does (">> " when typed),
    // unless `\copy` gives a client-side file for it, or for COPY … TO STDOUT's data.
    if let pg = driver as? PostgresDriver {
      pg.copyChunks = clientCopy?.read
      pg.copyDestination = clientCopy?.write
      if let source = shell.source {
        pg.copySource = {
          guard case .line(let line) = source.readLine(prompt: source.isInteractive ? ">> " : "")
          else {
            return nil
          }
          return line
        }
      }
    }
    let started = monotonicNow()
    driver.armCancel()
    var failure: DatabaseError?
    var summary: StatementSummary?
    do {
      summary = try driver.execute(statement.sql, parameters: statement.params, into: printer)
    } catch let error as DatabaseError {
      failure = error
    } catch {
      failure = DatabaseError(message: "\(error)")
    }
    driver.disarmCancel()
    let elapsed = monotonicNow() - started
    shell.out.endPaging()
    shell.out.flush()
    if let failure {
      shell.reportError(failure)
      if !driver.isOpen { recoverLostConnection(driver) }
    }
    if shell.settings.timing {
      shell.say(formatTiming(milliseconds: elapsed) + (summary?.detail.map { " (\($0))" } ?? ""))
    }
    return (summary, failure, elapsed)
  }
}

extension Executor {
  /// Interactively, psql resets a lost connection and carries on; a script stops.
  private func recoverLostConnection(_ driver: any Driver) {
    guard shell.isInteractive else {
      shell.connectionLost = true
      shell.reportError("connection to server was lost")
      return
    }
    let ok = driver.reset()
    shell.reportError(
      "The connection to the server was lost. Attempting reset: \(ok ? "Succeeded." : "Failed.")")
  }
}

/// Milliseconds on the monotonic clock.
func monotonicNow() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

/// psql's `\timing` line: `Time: 0.412 ms`, with `(mm:ss.fff)` added from one second on.
public func formatTiming(milliseconds ms: Double) -> String {
  var text = "Time: \(fixed(ms, 3)) ms"
  guard ms >= 1000 else { return text }
  var seconds = ms / 1000
  let minutes = (seconds / 60).rounded(.down)
  seconds -= minutes * 60
  if minutes < 60 {
    text += " (\(pad2(Int(minutes))):\(pad(fixed(seconds, 3), 6)))"
    return text
  }
  let hours = (minutes / 60).rounded(.down)
  let mins = Int(minutes - hours * 60)
  if hours < 24 {
    text += " (\(pad2(Int(hours))):\(pad2(mins)):\(pad(fixed(seconds, 3), 6)))"
    return text
  }
  let days = (hours / 24).rounded(.down)
  let hrs = Int(hours - days * 24)
  text += " (\(Int(days)) d \(pad2(hrs)):\(pad2(mins)):\(pad(fixed(seconds, 3), 6)))"
  return text
}

/// `value` with `digits` decimals, rounded half away from zero (printf's %.Nf for our ranges).
func fixed(_ value: Double, _ digits: Int) -> String {
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let scaled = (abs(value) * scale).rounded()
  let whole = Int(scaled / scale)
  let frac = Int(scaled - Double(whole) * scale)
  let fracText = String(frac)
  let sign = value < 0 && scaled != 0 ? "-" : ""
  guard digits > 0 else { return sign + String(whole) }
  return sign + String(whole) + "." + String(repeating: "0", count: digits - fracText.count)
    + fracText
}

private func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
private func pad(_ s: String, _ width: Int) -> String {
  String(repeating: "0", count: max(0, width - s.count)) + s
}
