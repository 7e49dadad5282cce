import Glibc

/// `\record NAME`: writes the session as a script in opsql's own language (SQL, meta-commands,
/// `\n` calls) to `history/NAME.opsql` — the working directory's `history/` when it exists,
/// else `$XDG_STATE_HOME/opsql/history/` — with a comment header and a comment after each step
/// (its outcome). Secrets are never written: a secret snippet argument becomes `?` (asked at
/// replay), and SQL holding a password literal is left out with a comment saying so.
final class Recorder {
  let path: String
  private let out: OutputStream
  private var steps = 0

  init(name: String, shell: Shell) throws {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
      !name.hasPrefix(".")
    else { throw ShellError("a recording name may hold letters, digits, '-', '_' and '.'") }
    let directory: String
    if isDirectory("history") {
      directory = "history"
    } else {
      guard let state = StatePaths.directory(),
        StatePaths.makeDirectories(state + "/history", mode: 0o700)
      else { throw ShellError("no place for recordings (set HOME or XDG_STATE_HOME)") }
      directory = state + "/history"
    }
    path = directory + "/" + name + ".opsql"
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ShellError("\(path): \(String(cString: strerror(errno)))") }
    out = OutputStream(fd: fd)
    var header = "-- opsql recording: \(name)\n"
    header += "-- operator: \(shell.auditor.operatorName)\n"
    header += "-- started: \(utcTimestamp())\n"
    header += "-- opsql: \(Opsql.version)\n"
    let targets = shell.sessions.map {
      "\($0.name) (\($0.target.kind.rawValue), \($0.target.environment.rawValue))"
    }
    header += "-- targets: " + (targets.isEmpty ? "none" : targets.joined(separator: ", ")) + "\n"
    header += "-- replay: opsql replay \(path)\n\n"
    out.write(header)
    out.flush()
    // The recording opens the target it starts on, so that a replay does too.
    if let current = shell.session {
      step("\\c \(current.name)", outcome: "the target the recording starts on")
    }
  }

  /// One step — a statement or a meta-command, numbered as a replay counts them — then its
  /// outcome as a comment.
  func step(_ text: String, outcome: String) {
    steps += 1
    out.write(text.hasSuffix("\n") ? text : text + "\n")
    out.write("-- step \(steps): \(outcome)\n\n")
    out.flush()
  }

  /// A step left out, with the reason, as a comment.
  func omitted(_ text: String, reason: String) {
    let shown = text.split(separator: "\n").map { "--   " + $0 }.joined(separator: "\n")
    out.write("-- not recorded (\(reason)):\n\(shown)\n\n")
    out.flush()
  }

  func close() {
    out.write("-- stopped: \(utcTimestamp()), \(steps) steps\n")
    out.flush()
    Glibc.close(out.fd)
  }

  /// Meta-commands that only look (or manage the recording) are not steps of a runbook.
  static let unrecorded: Set<String> = [
    "record", "replay", "q", "quit", "?", "audit", "sessions", "conninfo", "p", "print", "r",
    "reset", "echo", "n+", "d", "d+", "dS", "dt", "dt+", "di", "di+", "dn", "dn+", "du", "dg",
    "l", "l+", "list",
  ]
}
