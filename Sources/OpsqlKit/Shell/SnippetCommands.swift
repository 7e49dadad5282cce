/// `\n`, `\n+` and `opsql snippets`: the catalogue, and a snippet run through the front door.
enum SnippetCommands {
  static func list(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    let catalog = shell.snippets
    if line.name == "n+" {
      guard let name = line.arguments.first else {
        shell.out.write(catalog.listing())
        shell.out.flush()
        return true
      }
      guard let text = catalog.describe(name) else { throw unknown(name) }
      shell.out.write(text)
      shell.out.flush()
      return true
    }
    guard let name = line.arguments.first else {
      shell.out.write(catalog.listing())
      shell.out.flush()
      return true
    }
    return try run(name, Array(line.arguments.dropFirst()), shell)
  }

  static func unknown(_ name: String) -> ShellError {
    ShellError("unknown snippet \"\(name)\" (\\n lists them)")
  }

  /// Binds, checks, renders and runs a snippet: its statements go to the executor as one batch,
  /// with the snippet's preview and `confirm` value for the guard.
  static func run(_ name: String, _ arguments: [String], _ shell: Shell) throws -> Bool {
    guard let session = shell.session else { throw ShellError("not connected") }
    guard let snippet = shell.snippets[name] else { throw unknown(name) }
    guard snippet.targets.contains(session.target.kind) else {
      throw ShellError(
        "\(name) runs on \(snippet.targets.map(\.rawValue).joined(separator: ", ")), not on \(session.target.kind.rawValue)"
      )
    }
    var call = try bind(snippet, arguments, shell)
    let driver = session.driver
    call.builtins = builtins(of: driver)
    let render = { (text: String) in
      SnippetRenderer.render(
        text, call, quoteLiteral: driver.quoteLiteral, quoteIdentifier: driver.quoteIdentifier,
        placeholders: driver.placeholderStyle)
    }
    if let refuse = snippet.refuse, !shell.dryRun {
      let check = render(refuse)
      let rows = try driver.query(check.sql, parameters: check.params)
      if let first = rows.first {
        shell.reportError(
          "Refused by \(name): \(first.first.flatMap { $0 } ?? "its check failed"). Nothing was run."
        )
        shell.anyRefused = true
        return false
      }
    }
    let statements = statements(of: snippet, call, for: driver)
    let preview: (() -> Void)? = snippet.preview.map { text in
      {
        shell.say("Preview (\(name)):"); _ = shell.executor.run([render(text)])
      }
    }
    let begin = try shell.auditor.record(
      "snippet", phase: "begin", target: session.target, server: session.serverIdentity,
      [
        "snippet": name, "snippet_hash": AuditChain.sha256Hex(Array(snippet.source.utf8)),
        "params": auditedParams(snippet, call), "danger": snippet.danger.name,
        "detail": jsonObject([("path", snippet.path)]),
      ])
    let outcome = shell.executor.run(
      statements, confirmValue: call.confirmValue, snippet: name, preview: preview)
    try shell.auditor.record(
      "snippet", phase: "end", target: session.target, server: session.serverIdentity,
      [
        "begin_id": String(begin), "snippet": name,
        "outcome": outcome == .ok ? "ok" : (outcome == .refused ? "refused" : "error"),
      ])
    if outcome == .ok && !shell.dryRun {
      for secret in snippet.reveal where call.generated.contains(secret) {
        shell.notify(
          "\(secret) (generated; shown this once, kept nowhere): \(call.values[secret] ?? "")")
      }
    }
    return outcome == .ok
  }

  /// `\on TARGETS \n NAME ARGS`: the snippet bound once, rendered for each target (its quoting,
  /// its builtins), and run through the fan-out. A snippet with a preview, a refusal check or a
  /// secret runs on one target at a time.
  static func runOnMany(
    _ name: String, _ arguments: [String], on sessions: [Session], label: String, _ shell: Shell
  ) throws -> Bool {
    guard let snippet = shell.snippets[name] else { throw unknown(name) }
    for session in sessions where !snippet.targets.contains(session.target.kind) {
      throw ShellError(
        "\(name) runs on \(snippet.targets.map(\.rawValue).joined(separator: ", ")), not on \(session.name) (\(session.target.kind.rawValue))"
      )
    }
    let oneAtATime =
      snippet.preview != nil
      ? "a preview"
      : snippet.refuse != nil
        ? "a check that can refuse it"
        : snippet.params.contains { $0.type == .secret } ? "a secret" : nil
    if let oneAtATime {
      throw ShellError(
        "\(name) has \(oneAtATime): run it on one target at a time (\\c NAME, then \\n \(name))")
    }
    let call = try bind(snippet, arguments, shell)
    let work = sessions.map { session in
      var forTarget = call
      forTarget.builtins = builtins(of: session.driver)
      return (session, statements(of: snippet, forTarget, for: session.driver))
    }
    let begin = try shell.auditor.record(
      "snippet", phase: "begin",
      [
        "snippet": name, "snippet_hash": AuditChain.sha256Hex(Array(snippet.source.utf8)),
        "params": auditedParams(snippet, call), "danger": snippet.danger.name,
        "detail": jsonObject([("path", snippet.path), ("on", label)]),
      ])
    let outcome = try shell.executor.runOnMany(work, label: label, snippet: name)
    try shell.auditor.record(
      "snippet", phase: "end",
      [
        "begin_id": String(begin), "snippet": name,
        "outcome": outcome == .ok ? "ok" : (outcome == .refused ? "refused" : "error"),
      ])
    return outcome == .ok
  }

  /// The snippet's parameters from the arguments, `\set` variables or the terminal.
  private static func bind(_ snippet: Snippet, _ arguments: [String], _ shell: Shell) throws
    -> SnippetCall
  {
    try SnippetRenderer.bind(
      snippet, arguments: arguments, generateSecret: { SecretGenerator.generate() },
      ask: { param in
        if let given = shell.variables[param.name] { return given }
        // A dry run sends nothing, so it asks for nothing either.
        if shell.dryRun { return param.type == .int ? "0" : "(asked when run)" }
        guard shell.canAsk else { return nil }
        let prompt = "\(param.name) (\(param.description)): "
        return param.type == .secret ? readSecret(prompt: prompt) : shell.ask(prompt)
      })
  }

  /// psql's :DBNAME, :USER, :HOST and :PORT for this target.
  private static func builtins(of driver: any Driver) -> [String: String] {
    var builtins = ["DBNAME": driver.databaseName]
    if let pg = driver as? PostgresDriver {
      builtins.merge(["USER": pg.user, "HOST": pg.host, "PORT": pg.port]) { $1 }
    }
    return builtins
  }

  /// The statements rendered for `driver`; the declared danger is a floor (the lexer may find
  /// worse, never better).
  private static func statements(of snippet: Snippet, _ call: SnippetCall, for driver: any Driver)
    -> [PreparedStatement]
  {
    var statements = SnippetRenderer.statements(
      call, quoteLiteral: driver.quoteLiteral, quoteIdentifier: driver.quoteIdentifier,
      placeholders: driver.placeholderStyle)
    for k in statements.indices where statements[k].classification.danger < snippet.danger {
      statements[k].classification = Classification(
        snippet.danger, "\(snippet.name) is declared \(snippet.danger.name): \(snippet.summary)")
    }
    return statements
  }

  /// The parameters as the audit keeps them: secrets masked, a generated one marked so (a replay
  /// generates a new one).
  private static func auditedParams(_ snippet: Snippet, _ call: SnippetCall) -> String {
    jsonObject(
      snippet.params.map { p in
        (
          p.name,
          p.type == .secret
            ? (call.generated.contains(p.name) ? "(generated)" : "***")
            : (call.values[p.name] ?? "")
        )
      })
  }
}
