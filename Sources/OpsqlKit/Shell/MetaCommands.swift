import Glibc

/// The backslash commands: one table, one line of help each (`\?` prints it).
enum MetaCommands {
  typealias Handler = (MetaCommandLine, Shell, inout StatementSplitter) throws -> Bool

  struct Command {
    /// The `\?` heading it is listed under.
    var section = "General"
    let names: [String]
    let usage: String
    let help: String
    let handler: Handler
  }

  static let table: [Command] = [
    Command(names: ["?"], usage: "\\?", help: "list the meta-commands", handler: help),
    Command(names: ["q", "quit"], usage: "\\q", help: "quit opsql", handler: quit),
    Command(
      section: "Connection", names: ["c", "connect"],
      usage: "\\c [NAME|DBNAME|URL|CONNINFO [USER] [HOST] [PORT]]",
      help: "open a target (or switch to it when open); others stay open",
      handler: SessionCommands.connect),
    Command(
      section: "Connection", names: ["on"], usage: "\\on TARGETS COMMAND",
      help: "run one statement, or \\n SNIPPET, on several targets at once (a,b or @group or *)",
      handler: FanOut.run),
    Command(
      section: "Informational", names: ["d", "d+", "dS"], usage: "\\d [NAME]",
      help: "list tables, views and sequences, or describe one", handler: DescribeCommands.run),
    Command(
      section: "Informational", names: ["dt", "dt+"], usage: "\\dt [PATTERN]", help: "list tables",
      handler: DescribeCommands.run),
    Command(
      section: "Informational", names: ["di", "di+"], usage: "\\di [PATTERN]", help: "list indexes",
      handler: DescribeCommands.run),
    Command(
      section: "Informational", names: ["dn", "dn+"], usage: "\\dn [PATTERN]", help: "list schemas",
      handler: DescribeCommands.run),
    Command(
      section: "Informational", names: ["du", "dg"], usage: "\\du [PATTERN]", help: "list roles",
      handler: DescribeCommands.run),
    Command(
      section: "Informational", names: ["l", "l+", "list"], usage: "\\l", help: "list databases",
      handler: DescribeCommands.run),
    Command(
      section: "Connection", names: ["sessions"], usage: "\\sessions",
      help: "list the open sessions",
      handler: SessionCommands.list),
    Command(
      section: "Connection", names: ["close"], usage: "\\close [NAME]",
      help: "close a session (the current one by default)",
      handler: SessionCommands.close),
    Command(
      section: "Connection", names: ["conninfo"], usage: "\\conninfo",
      help: "show the current connection",
      handler: conninfo),
    Command(
      section: "Input and query buffer", names: ["i", "include"], usage: "\\i FILE",
      help: "run commands from a file",
      handler: include),
    Command(
      section: "Input and query buffer", names: ["ir", "include_relative"], usage: "\\ir FILE",
      help: "as \\i, relative to the script being run", handler: include),
    Command(
      section: "Input and query buffer", names: ["g"], usage: "\\g",
      help: "run the query buffer (as ';' does)", handler: send),
    Command(
      section: "Conditionals", names: ["if", "elif", "else", "endif"],
      usage: "\\if EXPR ... \\elif EXPR ... \\else ... \\endif",
      help: "run the lines of the first branch whose Boolean is true (EXPR may be :name)",
      // The input loop applies them (Conditionals); this handler is only the entry in \?.
      handler: { line, _, _ in throw ShellError("\\\(line.name) is applied by the input loop") }),
    Command(
      section: "Input and query buffer", names: ["gexec"], usage: "\\gexec",
      help: "run the query buffer, then each value of its result as a statement",
      handler: gexec),
    Command(
      section: "Input and query buffer", names: ["gset"], usage: "\\gset [PREFIX]",
      help: "run the query buffer; its one row's columns become variables (PREFIX + column)",
      handler: gset),
    Command(
      section: "Input and query buffer", names: ["watch"], usage: "\\watch [SECONDS] [c=COUNT]",
      help: "run the query buffer (or the last statement) again every SECONDS (2) until Ctrl-C",
      handler: watch),
    Command(
      section: "Input and query buffer", names: ["copy"], usage: "\\copy ...",
      help: "COPY with the file on this side: \\copy t from 'f.csv' csv, \\copy (query) to 'f'",
      handler: CopyCommands.run),
    Command(
      section: "Input and query buffer", names: ["p", "print"], usage: "\\p",
      help: "show the query buffer", handler: printBuffer),
    Command(
      section: "Input and query buffer", names: ["r", "reset"], usage: "\\r",
      help: "clear the query buffer", handler: reset),
    Command(
      section: "Input and query buffer", names: ["echo"], usage: "\\echo [-n] TEXT",
      help: "print text", handler: echo),
    Command(
      section: "Output", names: ["o", "out"], usage: "\\o [FILE|'|COMMAND']",
      help: "send query results to a file or a command, or back to stdout", handler: output),
    Command(
      section: "Output", names: ["timing"], usage: "\\timing [on|off]",
      help: "show how long each statement took",
      handler: timing),
    Command(
      section: "Output", names: ["x"], usage: "\\x [on|off|auto]",
      help: "expanded display (a line per column)",
      handler: expanded),
    Command(
      section: "Output", names: ["t"], usage: "\\t [on|off]",
      help: "show only rows (no header or footer)",
      handler: tuplesOnly),
    Command(
      section: "Output", names: ["a"], usage: "\\a",
      help: "toggle between aligned and unaligned output",
      handler: toggleAligned),
    Command(
      section: "Snippets", names: ["n"], usage: "\\n [NAME [ARGS… | name=value…]]",
      help: "list the snippets, or run one", handler: SnippetCommands.list),
    Command(
      section: "Snippets", names: ["n+"], usage: "\\n+ NAME", help: "show a snippet in full",
      handler: SnippetCommands.list),
    Command(
      section: "Audit, runbooks and pairing", names: ["audit"], usage: "\\audit [N]",
      help: "this session's last N audited actions",
      handler: AuditCommands.shellCommand),
    Command(
      section: "Audit, runbooks and pairing", names: ["record"], usage: "\\record [NAME|stop]",
      help: "write this session to history/NAME.opsql as a runbook (stop ends it)",
      handler: RecordingCommands.record),
    Command(
      section: "Audit, runbooks and pairing", names: ["replay"], usage: "\\replay FILE",
      help: "run a recording through the guards and the audit, stopping at the first error",
      handler: RecordingCommands.replay),
    Command(
      section: "Audit, runbooks and pairing", names: ["share"], usage: "\\share [stop]",
      help: "let a partner follow this session read-only (opsql attach)",
      handler: RecordingCommands.share),
    Command(
      section: "Variables", names: ["set"], usage: "\\set [NAME [VALUE]]",
      help: "set a variable (DRY_RUN on: guard and show, send nothing), or list them",
      handler: setVariable),
    Command(
      section: "Variables", names: ["unset"], usage: "\\unset NAME", help: "remove a variable",
      handler: unsetVariable),
    Command(
      section: "Output", names: ["pset"], usage: "\\pset [OPTION [VALUE]]",
      help: "output options: format, null, pager, expanded, tuples_only, fieldsep",
      handler: pset),
  ]

  private static let byName: [String: Command] = {
    var map: [String: Command] = [:]
    for command in table { for name in command.names { map[name] = command } }
    return map
  }()

  /// Runs a meta-command; false when it failed (the error is already shown).
  static func run(_ line: MetaCommandLine, shell: Shell, buffer: inout StatementSplitter) -> Bool {
    // psql's \restrict: a script (pg_dump's) turns meta-commands off until \unrestrict KEY.
    if let key = shell.restrictKey {
      if line.name == "unrestrict" && line.arguments.first == key {
        shell.restrictKey = nil
        return true
      }
      shell.reportError(
        "\\\(line.name): meta-commands are not allowed while restricted (\\restrict)")
      return false
    }
    if line.name == "restrict" {
      guard let key = line.arguments.first else {
        shell.reportError("\\restrict: missing required argument")
        return false
      }
      shell.restrictKey = key
      return true
    }
    guard let command = byName[line.name] else {
      shell.reportError("invalid command \\\(line.name) (try \\? for help)")
      return false
    }
    do {
      return try command.handler(line, shell, &buffer)
    } catch let error as ShellError {
      shell.reportError("\\\(line.name): \(error.message)")
      return false
    } catch let error as ConnectionError {
      shell.reportError("\\\(line.name): \(error.message)")
      return false
    } catch let error as AuditError {
      _ = shell.auditFailure(error)
      return false
    } catch {
      shell.reportError("\\\(line.name): \(error)")
      return false
    }
  }

  // MARK: - Handlers

  private static func help(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    -> Bool
  {
    let width = table.map(\.usage.count).max() ?? 0
    var text = ""
    var sections: [String] = []
    for command in table where !sections.contains(command.section) {
      sections.append(command.section)
    }
    for section in sections {
      text += (text.isEmpty ? "" : "\n") + section + "\n"
      for command in table where command.section == section {
        text +=
          "  " + command.usage
          + String(repeating: " ", count: width - command.usage.count + 2) + command.help + "\n"
      }
    }
    shell.out.write(text)
    shell.out.flush()
    return true
  }

  private static func quit(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    -> Bool
  {
    if let source = shell.source, !MainLoop(shell: shell, source: source).confirmQuit() {
      return true
    }
    shell.quitRequested = true
    return true
  }

  /// psql's `\c` arguments: a URL or conninfo is used as given; otherwise positional
  /// `DBNAME [USER] [HOST] [PORT]`, where `-` or an omitted value keeps the current one.
  static func connectTarget(_ args: [String], current: (any Driver)?) -> String? {
    let current = current as? PostgresDriver
    if let first = args.first, first.contains("=") || first.contains("://") { return first }
    let keys = ["dbname", "user", "host", "port"]
    let kept = [current?.database, current?.user, current?.host, current?.port]
    var parts: [String] = []
    for (k, key) in keys.enumerated() {
      let given = k < args.count && args[k] != "-" ? args[k] : nil
      guard let value = given ?? kept[k], !value.isEmpty else { continue }
      parts.append("\(key)=" + conninfoQuote(value))
    }
    return parts.isEmpty ? nil : parts.joined(separator: " ")
  }

  /// A conninfo value in single quotes with `\` and `'` escaped, as libpq reads it.
  static func conninfoQuote(_ value: String) -> String {
    var quoted = "'"
    for c in value {
      if c == "'" || c == "\\" { quoted.append("\\") }
      quoted.append(c)
    }
    return quoted + "'"
  }

  private static func conninfo(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    guard let session = shell.session else { throw ShellError("not connected") }
    shell.say(session.connectionDescription)
    return true
  }

  private static func include(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    guard var path = line.arguments.first else { throw ShellError("missing required argument") }
    if line.name.hasPrefix("ir") || line.name == "include_relative", !path.hasPrefix("/"),
      let current = shell.source?.name, let slash = current.lastIndex(of: "/")
    {
      path = String(current[...slash]) + path
    }
    guard shell.includeDepth < 16 else { throw ShellError("\(path): too many nested \\i") }
    guard let input = FileInput(path: path) else {
      throw ShellError("\(path): \(String(cString: strerror(errno)))")
    }
    shell.includeDepth += 1
    defer { shell.includeDepth -= 1 }
    switch MainLoop(shell: shell, source: input).run() {
    case .finished: return true
    case .quit:
      shell.quitRequested = true
      return true
    case .stopped: return false
    }
  }

  private static func send(
    _ line: MetaCommandLine, _ shell: Shell, _ buffer: inout StatementSplitter
  )
    -> Bool
  {
    guard case .statement(let sql)? = buffer.finish() else { return true }
    return shell.executor.run(sql)
  }

  /// psql's `\gexec`: the query runs, then each of its values (row by row, left to right; NULLs
  /// skipped) runs as a statement of its own — each through the front door, so each is guarded
  /// and audited. A script stops at the first that fails, as it would at a typed one.
  private static func gexec(
    _ line: MetaCommandLine, _ shell: Shell, _ buffer: inout StatementSplitter
  ) throws -> Bool {
    guard case .statement(let sql)? = buffer.finish() else {
      throw ShellError("no query to run: write it before \\gexec")
    }
    let collector = RowCollector(limit: .max)
    shell.executor.resultSink = collector
    let produced = shell.executor.run(sql)
    shell.executor.resultSink = nil
    guard produced else { return false }
    var ok = true
    for statement in collector.rows.joined().compactMap({ $0 }) {
      if !shell.executor.run(statement) {
        ok = false
        if !shell.isInteractive && !shell.options.continueOnError { break }
      }
    }
    return ok
  }

  /// psql's `\gset`: the query runs through the front door and its one row's columns become
  /// variables (a NULL unsets one), so a runbook carries a value to a later step: `select pid
  /// … \gset` and then `\n kill-query` takes `pid` from it.
  private static func gset(
    _ line: MetaCommandLine, _ shell: Shell, _ buffer: inout StatementSplitter
  ) throws -> Bool {
    guard case .statement(let sql)? = buffer.finish() else {
      throw ShellError("no query to run: write it before \\gset")
    }
    let prefix = line.arguments.first ?? ""
    let collector = RowCollector(limit: 2)
    shell.executor.resultSink = collector
    defer { shell.executor.resultSink = nil }
    guard shell.executor.run(sql) else { return false }
    guard collector.rows.count == 1, let row = collector.rows.first else {
      throw ShellError(
        collector.rows.isEmpty ? "no rows returned" : "more than one row returned")
    }
    for (column, value) in zip(collector.columns, row) {
      let name = prefix + column.name
      guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
        throw ShellError("invalid variable name: \"\(name)\"")
      }
      shell.variables[name] = value
    }
    return true
  }

  /// psql's `\watch`: the statement runs through the front door each time, under a title line
  /// with the time; Ctrl-C, an error or `c=COUNT` runs end it.
  private static func watch(
    _ line: MetaCommandLine, _ shell: Shell, _ buffer: inout StatementSplitter
  )
    throws -> Bool
  {
    var seconds = 2.0
    var count: Int?
    for arg in line.arguments {
      if arg.hasPrefix("c=") || arg.hasPrefix("count=") {
        guard let n = Int(arg.split(separator: "=")[1]), n > 0 else {
          throw ShellError("count must be a positive number")
        }
        count = n
      } else {
        let text = arg.hasPrefix("i=") ? String(arg.dropFirst(2)) : arg
        guard let s = Double(text), s >= 0 else {
          throw ShellError("interval must be a number of seconds, not \"\(arg)\"")
        }
        seconds = s
      }
    }
    let pending: String? = {
      if case .statement(let sql)? = buffer.finish() { return sql }
      return nil
    }()
    guard let sql = pending ?? shell.lastStatement else {
      throw ShellError("the query buffer is empty and no statement ran yet")
    }
    Interrupts.clear()
    var runs = 0
    while true {
      shell.say(watchTitle(seconds) + "\n")
      guard shell.executor.run(sql) else { return false }
      runs += 1
      if let count, runs >= count { return true }
      // Sleep in small steps so that Ctrl-C ends the watch at once.
      var waited = 0.0
      while waited < seconds {
        if Interrupts.wasRequested {
          Interrupts.clear()
          return true
        }
        usleep(50_000)
        waited += 0.05
      }
      if Interrupts.wasRequested {
        Interrupts.clear()
        return true
      }
    }
  }

  /// psql's title: the local time as `%c`, then `(every 2s)`.
  static func watchTitle(_ seconds: Double) -> String {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    var buffer = [CChar](repeating: 0, count: 64)
    let n = strftime(&buffer, buffer.count, "%c", &parts)
    let stamp = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let interval = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    return "\(stamp) (every \(interval)s)"
  }

  private static func printBuffer(
    _ line: MetaCommandLine, _ shell: Shell, _ buffer: inout StatementSplitter
  ) -> Bool {
    shell.say(buffer.isEmpty ? "Query buffer is empty." : buffer.pendingText)
    return true
  }

  private static func reset(
    _ line: MetaCommandLine, _ shell: Shell, _ buffer: inout StatementSplitter
  )
    -> Bool
  {
    buffer.reset()
    if shell.isInteractive { shell.say("Query buffer reset (cleared).") }
    return true
  }

  private static func echo(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    -> Bool
  {
    var args = line.arguments
    let newline = args.first != "-n"
    if !newline { args.removeFirst() }
    shell.out.write(args.joined(separator: " ") + (newline ? "\n" : ""))
    shell.out.flush()
    return true
  }

  private static func output(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    // `\o | cmd` takes the rest of the line as the command, as psql does.
    let target = line.rest.hasPrefix("|") ? line.rest : line.arguments.first
    try shell.redirectOutput(target)
    return true
  }

  private static func timing(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    shell.settings.timing = try toggle(line.arguments.first, current: shell.settings.timing)
    shell.say("Timing is \(shell.settings.timing ? "on" : "off").")
    return true
  }

  private static func expanded(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    try setExpanded(line.arguments.first, shell)
    return true
  }

  private static func setExpanded(_ value: String?, _ shell: Shell) throws {
    if value?.lowercased() == "auto" {
      shell.settings.expanded = .auto
    } else {
      let on = try toggle(value, current: shell.settings.expanded != .off)
      shell.settings.expanded = on ? .on : .off
    }
    switch shell.settings.expanded {
    case .on: shell.say("Expanded display is on.")
    case .off: shell.say("Expanded display is off.")
    case .auto: shell.say("Expanded display is used automatically.")
    }
  }

  private static func tuplesOnly(
    _ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter
  )
    throws -> Bool
  {
    shell.settings.tuplesOnly = try toggle(line.arguments.first, current: shell.settings.tuplesOnly)
    // psql announces a toggle, but not an explicit `\t on`.
    if line.arguments.isEmpty {
      shell.say("Tuples only is \(shell.settings.tuplesOnly ? "on" : "off").")
    }
    return true
  }

  private static func toggleAligned(
    _ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter
  ) -> Bool {
    shell.settings.format = shell.settings.format == .aligned ? .unaligned : .aligned
    shell.say("Output format is \(shell.settings.format.rawValue).")
    return true
  }

  private static func setVariable(
    _ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter
  ) throws -> Bool {
    guard let name = line.arguments.first else {
      for (name, value) in shell.variables.sorted(by: { $0.key < $1.key }) {
        shell.out.write("\(name) = '\(value)'\n")
      }
      shell.out.flush()
      return true
    }
    guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
      throw ShellError("invalid variable name: \"\(name)\"")
    }
    let value = line.arguments.dropFirst().joined()
    if name == "DRY_RUN" { _ = try toggle(value, current: false) }
    shell.variables[name] = value
    return true
  }

  private static func unsetVariable(
    _ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter
  ) throws -> Bool {
    guard let name = line.arguments.first else { throw ShellError("missing required argument") }
    shell.variables[name] = nil
    return true
  }

  private static func pset(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    let args = line.arguments
    guard let option = args.first?.lowercased() else {
      let s = shell.settings
      let expanded = s.expanded == .auto ? "auto" : (s.expanded == .on ? "on" : "off")
      let rows = [
        ("expanded", expanded), ("fieldsep", "'\(s.fieldSeparator)'"),
        ("format", s.format.rawValue), ("null", "'\(s.nullDisplay)'"),
        ("pager", s.pager ? "1" : "0"), ("tuples_only", s.tuplesOnly ? "on" : "off"),
      ]
      for (name, value) in rows {
        shell.out.write(name + String(repeating: " ", count: 24 - name.count) + value + "\n")
      }
      shell.out.flush()
      return true
    }
    let value = args.count > 1 ? args[1] : nil
    switch option {
    case "format":
      if let value {
        guard
          let format = OutputFormat.allCases.first(where: {
            $0.rawValue.hasPrefix(value.lowercased())
          })
        else {
          throw ShellError(
            "allowed formats are "
              + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        shell.settings.format = format
      }
      shell.say("Output format is \(shell.settings.format.rawValue).")
    case "null":
      if let value { shell.settings.nullDisplay = value }
      shell.say("Null display is \"\(shell.settings.nullDisplay)\".")
    case "pager":
      shell.settings.pager = try toggle(value, current: shell.settings.pager)
      shell.say(shell.settings.pager ? "Pager is used for long output." : "Pager usage is off.")
    case "expanded", "x":
      try setExpanded(value, shell)
    case "tuples_only", "t":
      shell.settings.tuplesOnly = try toggle(value, current: shell.settings.tuplesOnly)
      shell.say("Tuples only is \(shell.settings.tuplesOnly ? "on" : "off").")
    case "fieldsep":
      if let value { shell.settings.fieldSeparator = value }
      shell.say("Field separator is \"\(shell.settings.fieldSeparator)\".")
    default:
      throw ShellError("unknown option: \(option)")
    }
    return true
  }

  /// psql's boolean values: on/off, true/false, yes/no, 1/0 (prefixes allowed); none toggles.
  static func toggle(_ value: String?, current: Bool) throws -> Bool {
    guard let value = value?.lowercased(), !value.isEmpty else { return !current }
    for word in ["on", "true", "yes", "1"] where word.hasPrefix(value) && value != "o" {
      return true
    }
    for word in ["off", "false", "no", "0"] where word.hasPrefix(value) && value != "o" {
      return false
    }
    throw ShellError("unrecognized value \"\(value)\": Boolean expected")
  }
}
