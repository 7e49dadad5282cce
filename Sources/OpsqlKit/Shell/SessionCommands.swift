/// `\c`, `\sessions` and `\close`: several sessions stay open at once; `\c NAME` opens a target
/// or switches to its open session, and the others keep their connections and transactions.
enum SessionCommands {
  static func connect(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    let args = line.arguments
    if args.count == 1, let open = shell.openSession(named: args[0]) {
      shell.session = open
      return true
    }
    let target: Target
    if args.count == 1, let named = shell.findTarget(args[0]) {
      target = named
    } else {
      let text = MetaCommands.connectTarget(args, current: shell.session?.driver)
      var adHoc = shell.resolveTarget(text)
      // `\c otherdb` on the same server keeps the current target's care.
      let first = args.first ?? ""
      if let current = shell.session?.target, current.kind == .postgres, !first.contains("="),
        !first.contains("://"), args.count < 3
      {
        adHoc.environment = current.environment
        adHoc.readonly = current.readonly
      }
      target = adHoc
    }
    if let open = shell.openSession(named: target.name), !target.name.isEmpty {
      shell.session = open
      return true
    }
    let session = try shell.connect(target)
    shell.add(session)
    if let pg = session.driver as? PostgresDriver {
      shell.say("You are now connected to database \"\(pg.database)\" as user \"\(pg.user)\".")
    } else {
      shell.say(
        "You are now connected to \(session.target.kind.rawValue) target \"\(session.name)\".")
    }
    return true
  }

  static func list(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    let columns = ["name", "kind", "environment", "state", "transaction", "server version"].map {
      ColumnInfo(name: $0, kind: .text)
    }
    var settings = shell.settings
    settings.format =
      settings.format == .json || settings.format == .csv ? settings.format : .aligned
    let printer = ResultPrinter.make(settings, out: shell.out, terminalColumns: nil)
    try printer.printRows(
      columns,
      shell.sessions.map { session in
        [
          (session === shell.session ? "* " : "  ") + session.name, session.target.kind.rawValue,
          session.target.environment.rawValue + (session.target.readonly ? ", read-only" : ""),
          session.driver.isOpen ? "open" : "broken", session.driver.transactionState.description,
          session.driver.serverVersion,
        ]
      })
    shell.out.flush()
    return true
  }

  static func close(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    guard let session = line.arguments.first.map({ shell.openSession(named: $0) }) ?? shell.session
    else {
      throw ShellError(
        line.arguments.first.map { "no open session named \($0)" } ?? "no session is open")
    }
    shell.remove(session)
    shell.say("Closed \(session.name)." + (shell.session.map { " Now on \($0.name)." } ?? ""))
    return true
  }
}
