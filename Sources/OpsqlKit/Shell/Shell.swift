import Glibc

/// The state of one opsql process: print settings, the open session, where output goes, and
/// whether anything failed. Statements reach databases only through `executor`.
public final class Shell {
  public var settings = PrintSettings()
  /// The session statements go to.
  public var session: Session?
  /// Every open session, in the order they were opened.
  public private(set) var sessions: [Session] = []
  /// Query results (`\o` redirects it).
  public let out = OutputStream(fd: 1)
  /// Errors, notices and messages that are not results.
  public let err = OutputStream(fd: 2)
  public let options: ShellOptions
  public var config = Config()
  /// `\set` variables; `DRY_RUN` is one of them.
  public var variables: [String: String] = [:]
  /// The input being read now, for `opsql:FILE:LINE:` prefixes and questions.
  var source: InputSource?
  var quitRequested = false
  /// Set when a statement or command failed; decides the exit code of scripts.
  public internal(set) var anyFailed = false
  /// Set when a guard refused something (declined, read-only, no terminal): exit code 3.
  var anyRefused = false
  /// Set when a dry run met something the real run would refuse.
  var dryRunRefused = false
  var includeDepth = 0
  /// The server went away during a script: it stops, and opsql exits with 2 (as psql does).
  var connectionLost = false
  /// `\o FILE` or `\o |COMMAND`.
  private var outputFile: Int32?
  private var outputPipe: UnsafeMutablePointer<FILE>?
  public private(set) lazy var executor = Executor(shell: self)
  /// The snippet catalogue, loaded on first use; files it skipped are reported then.
  public private(set) lazy var snippets: SnippetCatalog = {
    let catalog = SnippetCatalog.standard()
    for problem in catalog.problems { notify("opsql: skipped snippet \(problem)") }
    return catalog
  }()

  /// Every action is written here before it runs; there is no way to turn it off.
  public let auditor: Auditor
  /// The audit could not be written: nothing more runs, and opsql exits with 2.
  var auditFailed = false
  /// `\record`: the session being written as a runbook.
  var recorder: Recorder?
  /// The last batch's outcome in words, for the recording's step comments.
  var lastOutcome = ""
  /// psql's `\restrict` key: while set, no meta-command but `\unrestrict KEY` runs.
  var restrictKey: String?
  /// The last statement sent, for `\watch` with an empty query buffer.
  var lastStatement: String?
  /// Extra facts for the audit's statement rows (a replay's file and step), as JSON.
  var auditContext: String?
  /// `\share`: followers of this session.
  var share: ShareHub?
  /// What the screen showed lately (interactive sessions), for followers who attach later.
  private(set) var screen: [UInt8] = []

  /// Keeps a copy of what the shell writes to the screen and passes it to followers.
  func startScreenLog() {
    let keep: (UnsafeRawBufferPointer) -> Void = { [unowned self] bytes in
      self.screen.append(contentsOf: bytes)
      if self.screen.count > 512 * 1024 { self.screen.removeFirst(self.screen.count - 256 * 1024) }
      self.share?.publish(bytes)
    }
    out.tap = keep
    err.tap = keep
  }

  /// Shows a typed line (with its prompt) to followers; the terminal echoed it already.
  func echoToFollowers(_ prompt: String, _ line: String) {
    let text = prompt.replacingAll("\u{1}", with: "") + line + "\n"
    screen.append(contentsOf: text.utf8)
    share?.publish(text)
  }

  /// Attaches and detaches of followers go to the audit.
  func auditFollowers(_ events: [(String, String, Int32)]) {
    for (kind, user, pid) in events {
      _ = try? auditor.record(
        kind, ["detail": jsonObject([("follower", user), ("pid", String(pid))])])
    }
  }

  public init(options: ShellOptions, auditor: Auditor) {
    self.options = options
    self.auditor = auditor
  }

  /// Fail closed: tell the user why nothing ran, and stop.
  func auditFailure(_ error: Error) -> Executor.Outcome {
    auditFailed = true
    reportError("\(error); nothing was run")
    return .failed
  }

  /// True when the shell talks with a person: the line editor is in charge.
  var isInteractive: Bool { source?.isInteractive ?? false }

  // MARK: - Messages

  /// An error line, prefixed with the script's file and line as psql does.
  func reportError(_ message: String) {
    out.flush()
    if let source, let name = source.name {
      err.write("opsql:\(name):\(source.lineNumber): ")
    }
    err.write(message)
    if !message.hasSuffix("\n") { err.write(byte: 0x0A) }
    err.flush()
  }

  func reportError(_ error: DatabaseError) {
    reportError(ErrorRenderer.render(error))
  }

  func notice(_ error: DatabaseError) {
    out.flush()
    err.write(ErrorRenderer.render(error, asNotice: true))
    err.flush()
  }

  /// A message for the user on stdout (psql's "Expanded display is on.").
  func say(_ message: String) {
    out.write(message)
    out.write(byte: 0x0A)
    out.flush()
  }

  // MARK: - Connection

  /// Opens a session on a target; the password prompt is offered only on a terminal. An ad hoc
  /// target without a name takes its database's name.
  func connect(_ target: Target) throws -> Session {
    try connectAll([target])[0].get()
  }

  /// Opens several targets at once (for `\on`): the audit's begin rows first, then the
  /// connections in parallel threads, then the end rows. Only a single connection may ask for a
  /// password. Audit failures throw; connection failures come back per target.
  func connectAll(_ targets: [Target]) throws -> [Result<Session, ConnectionError>] {
    // Every begin row in one transaction, before anything connects.
    var begins: [(Target, Int64)] = []
    for (k, target) in targets.enumerated() {
      var shown = target
      if shown.name.isEmpty {
        shown.name = SecretRedactor.redact(target.connection ?? "(libpq defaults)")
      }
      begins.append((shown, 0))
      auditor.recordLater(
        "connect", phase: "begin", target: shown,
        [
          "detail": target.connection.map {
            jsonObject([("connection", SecretRedactor.redact($0))])
          }
        ], written: { begins[k].1 = $0 })
    }
    try auditor.flush()
    let single = targets.count == 1
    let tokens = targets.map { t in Result { t.kind == .d1 ? try d1Token(for: t) : "" } }
    let opened = FanOut.inParallel(targets.count) { k -> Result<any Driver, ConnectionError> in
      let target = targets[k]
      do {
        switch target.kind {
        case .sqlite:
          return .success(try SQLiteDriver(path: target.connection ?? ""))
        case .d1:
          let token = try tokens[k].get()
          // Notices (a 429's wait) are shown at once when only one target is opening.
          return .success(
            try D1Driver(
              connection: target.connection ?? "", token: token,
              onNotice: single ? { [unowned self] in self.notice($0) } : nil))
        case .postgres:
          return .success(
            try PostgresDriver(
              target: target.connection, interactive: isatty(0) == 1 && isatty(1) == 1,
              passwordPrompt: single && isatty(0) == 1
                ? { user in readSecret(prompt: "Password for user \(user): ") } : nil))
        }
      } catch let error as ConnectionError {
        return .failure(error)
      } catch {
        return .failure(ConnectionError("\(error)"))
      }
    }
    var sessions: [Result<Session, ConnectionError>] = []
    for (k, result) in opened.enumerated() {
      let (shown, begin) = begins[k]
      switch result {
      case .failure(let error):
        try auditor.record(
          "connect", phase: "end", target: shown,
          ["begin_id": String(begin), "outcome": "error", "error": error.message])
        sessions.append(.failure(error))
      case .success(let driver):
        driver.onNotice = { [unowned self] in self.notice($0) }
        var named = targets[k]
        if named.name.isEmpty { named.name = uniqueName(driver.databaseName) }
        let session = Session(target: named, driver: driver)
        auditor.recordLater(
          "connect", phase: "end", target: named, server: session.serverIdentity,
          [
            "begin_id": String(begin), "outcome": "ok",
            "detail": jsonObject([
              ("database", driver.databaseName), ("server_version", driver.serverVersion),
            ]),
          ])
        sessions.append(.success(session))
      }
    }
    return sessions
  }

  /// A D1 API token: from the environment variable the target names (`token_env`, default
  /// CLOUDFLARE_API_TOKEN) or from a `token_file` that only its owner can read. Never from the
  /// config file, and never shown.
  func d1Token(for target: Target) throws -> String {
    if let file = target.options["token_file"] {
      var st = stat()
      guard stat(file, &st) == 0 else {
        throw ConnectionError(
          "token_file \(file) of target \(target.name): \(String(cString: strerror(errno)))")
      }
      guard st.st_mode & 0o077 == 0 else {
        throw ConnectionError(
          "token_file \(file) of target \(target.name) has mode \(String(st.st_mode & 0o777, radix: 8)); it must be 0600 (chmod 600 \(file))"
        )
      }
      guard let text = readTextFile(file), !text.trimmed(newlines: true).isEmpty else {
        throw ConnectionError("token_file \(file) of target \(target.name) is empty")
      }
      return text.trimmed(newlines: true)
    }
    let variable = target.options["token_env"] ?? "CLOUDFLARE_API_TOKEN"
    guard let value = getenv(variable).map({ String(cString: $0) }), !value.isEmpty else {
      throw ConnectionError(
        "D1 target \(target.name.isEmpty ? target.connection ?? "" : target.name) needs an API token in $\(variable) (or a token_file of mode 0600)"
      )
    }
    return value
  }

  /// `name`, or `name#2`, `name#3`… when a session of that name is already open.
  private func uniqueName(_ name: String) -> String {
    guard openSession(named: name) != nil else { return name }
    var n = 2
    while openSession(named: "\(name)#\(n)") != nil { n += 1 }
    return "\(name)#\(n)"
  }

  /// Closes a session, writing its disconnect to the audit.
  func disconnect(_ session: Session) {
    auditor.recordLater("disconnect", target: session.target, server: session.serverIdentity)
    session.driver.close()
  }

  /// A configured target's name, or else an ad hoc connection string or database name.
  func resolveTarget(_ text: String?) -> Target {
    if let text, let named = findTarget(text) { return named }
    if let text, text.hasPrefix("d1://") {
      let rest = String(text.dropFirst("d1://".count))
      return Target(name: "", kind: .d1, connection: rest, origin: "command line")
    }
    if let text, text.hasPrefix("sqlite:") {
      let path = String(text.dropFirst("sqlite:".count))
      return Target(name: "", kind: .sqlite, connection: path, origin: "command line")
    }
    if let text, [".db", ".sqlite", ".sqlite3"].contains(where: { text.hasSuffix($0) }),
      access(text, F_OK) == 0
    {
      return Target(name: "", kind: .sqlite, connection: text, origin: "command line")
    }
    return Target(name: "", connection: text, origin: "command line")
  }

  /// A target by name: configured, or discovered.
  func findTarget(_ name: String) -> Target? {
    config.target(named: name) ?? discovered.first { $0.name == name }
  }

  /// Targets found without config (service files, wrangler configs), looked for once.
  lazy var discovered: [Target] = Discovery.targets().targets

  func openSession(named name: String) -> Session? {
    sessions.first { $0.name == name }
  }

  /// Adds a newly opened session, by default as the current one.
  func add(_ new: Session, makeCurrent: Bool = true) {
    sessions.append(new)
    if makeCurrent || session == nil { session = new }
  }

  /// Closes a session; when it was current, the most recent other one becomes current.
  func remove(_ old: Session) {
    disconnect(old)
    sessions.removeAll { $0 === old }
    if session === old { session = sessions.last }
  }

  // MARK: - Guard questions

  /// `--dry-run` or `\set DRY_RUN on`.
  var dryRun: Bool {
    options.dryRun
      || (variables["DRY_RUN"].map { (try? MetaCommands.toggle($0, current: false)) ?? false }
        ?? false)
  }

  /// A question can be asked: the line editor is in charge, or stdin is a terminal.
  var canAsk: Bool { isInteractive || isatty(0) == 1 }

  /// Asks on the terminal; nil when there is no answer (end of input).
  func ask(_ prompt: String) -> String? {
    out.flush()
    if let source, source.isInteractive {
      if case .line(let answer) = source.readLine(prompt: prompt) {
        echoToFollowers(prompt, answer)
        return answer
      }
      return nil
    }
    err.write(prompt)
    err.flush()
    var bytes: [UInt8] = []
    var c: UInt8 = 0
    while Glibc.read(0, &c, 1) == 1 && c != 0x0A { bytes.append(c) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A guard's note for the user, on stderr so that piped results stay clean.
  func notify(_ message: String, newline: Bool = true) {
    out.flush()
    err.write(message)
    if newline { err.write(byte: 0x0A) }
    err.flush()
  }

  // MARK: - Output redirection

  /// `\o`: sends results to a file, to a command's stdin (`|cmd`), or back to stdout.
  func redirectOutput(_ target: String?) throws {
    out.flush()
    if let outputPipe {
      pclose(outputPipe)
      self.outputPipe = nil
    }
    if let outputFile {
      close(outputFile)
      self.outputFile = nil
    }
    out.redirect(to: 1)
    guard let target, !target.isEmpty else { return }
    if target.hasPrefix("|") {
      guard let p = popen(String(target.dropFirst()), "w") else {
        throw ShellError("\(target): \(String(cString: strerror(errno)))")
      }
      outputPipe = p
      out.redirect(to: fileno(p))
    } else {
      let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
      guard fd >= 0 else { throw ShellError("\(target): \(String(cString: strerror(errno)))") }
      outputFile = fd
      out.redirect(to: fd)
    }
  }

  /// Colour in the prompt: on a terminal, unless NO_COLOR is set.
  var promptColour: Bool {
    stdoutIsTerminal && (getenv("NO_COLOR").map { $0.pointee == 0 } ?? true)
  }

  /// Whether stdout is a terminal, asked once.
  private(set) lazy var stdoutIsTerminal = isatty(1) == 1

  /// Rows of the terminal when results should go through the pager.
  var pagerLines: Int? {
    guard settings.pager, isInteractive, out.fd == 1, stdoutIsTerminal,
      let size = terminalSize(1)
    else { return nil }
    return size.rows - 1
  }

  var pagerCommand: String {
    for name in ["OPSQL_PAGER", "PAGER"] {
      if let p = getenv(name), p.pointee != 0 { return String(cString: p) }
    }
    return access("/usr/bin/less", X_OK) == 0 ? "less -SRXF" : "more"
  }

  /// Terminal width for `\x auto`, when results go to a terminal.
  var terminalColumns: Int? {
    guard out.fd == 1, stdoutIsTerminal else { return nil }
    return terminalSize(1)?.columns
  }

  // MARK: - Leaving

  /// Closes everything; returns the process exit code.
  public func finish() -> Int32 {
    try? redirectOutput(nil)
    out.flush()
    err.flush()
    recorder?.close()
    recorder = nil
    if let share { auditFollowers(share.stop()) }
    share = nil
    for open in sessions { disconnect(open) }
    sessions.removeAll()
    session = nil
    let code: Int32 =
      connectionLost || auditFailed ? 2 : (anyRefused || dryRunRefused ? 3 : (anyFailed ? 1 : 0))
    _ = try? auditor.record(
      "session", phase: "end",
      ["outcome": "exit \(code)", "begin_id": auditor.sessionBegin.map { String($0) }])
    return code
  }
}

/// A one-line error from the shell itself (a meta-command's bad argument, a missing file).
public struct ShellError: Error, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
}
