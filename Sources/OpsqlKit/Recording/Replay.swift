import Glibc

/// Replays a recording (or any script) step by step through the same executor, so guards and
/// audit apply; the audit rows carry the file and step number. `--from N` resumes at step N
/// (the `\c` steps before it still run, so the right targets are open), `--target OLD=NEW` maps
/// recorded targets onto others, `--step` asks before each step. It stops at the first error
/// and says how to resume.
struct Replay {
  var path: String
  var mapping: [String: String] = [:]
  var from = 1
  var stepByStep = false

  enum Decision {
    case run(InputItem)
    case skip
    case quit
  }

  /// Runs the file; returns the main loop's outcome.
  func run(_ shell: Shell) -> MainLoop.Outcome {
    guard let input = FileInput(path: path) else {
      shell.reportError("\(path): \(String(cString: strerror(errno)))")
      shell.anyFailed = true
      return .stopped
    }
    var step = 0
    var failedStep = 0
    var loop = MainLoop(shell: shell, source: input)
    loop.stepHook = { item in
      step += 1
      failedStep = step
      shell.auditContext = jsonObject([("replay", path), ("step", String(step))])
      return decide(step, item, shell)
    }
    let outcome = loop.run()
    shell.auditContext = nil
    if outcome == .stopped {
      shell.reportError(
        "replay stopped at step \(failedStep) of \(path); after fixing the cause, resume with: opsql replay \(path) --from \(failedStep)"
      )
    }
    return outcome
  }

  private func decide(_ step: Int, _ item: InputItem, _ shell: Shell) -> Decision {
    var item = item
    var isConnect = false
    if case .metaCommand(let text) = item {
      let line = MetaCommandLine(parsing: text)
      if ["c", "connect"].contains(line.name) {
        isConnect = true
        if let first = line.arguments.first, let mapped = mapping[first] {
          item = .metaCommand("\\" + line.name + " " + mapped)
        }
      } else if line.name == "on", let spec = line.arguments.first {
        let mapped = spec.split(separator: ",").map { mapping[String($0)] ?? String($0) }
          .joined(separator: ",")
        item = .metaCommand("\\on " + mapped + String(line.rest.dropFirst(spec.count)))
      }
    }
    if step < from && !isConnect { return .skip }
    guard stepByStep else { return .run(item) }
    let text: String
    switch item {
    case .statement(let sql): text = SecretRedactor.redact(sql)
    case .metaCommand(let meta): text = meta
    }
    shell.notify("step \(step): \(text)")
    guard shell.canAsk else {
      shell.reportError("--step needs a terminal to ask on")
      shell.anyRefused = true
      return .quit
    }
    while true {
      switch shell.ask("[r]un, [s]kip or [q]uit? ")?.trimmed.lowercased() {
      case "r", "run", "y", "yes": return .run(item)
      case "s", "skip": return .skip
      case "q", "quit", nil: return .quit
      default: continue
      }
    }
  }
}
