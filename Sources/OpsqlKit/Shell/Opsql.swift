import Glibc

/// The program: parse argv, connect, run `-c`/`-f` or the interactive shell, and map the
/// outcome to an exit code. The executable only calls `Opsql.main`.
public enum Opsql {
  public static let version = "0.1.0"

  public static func main(_ arguments: [String]) -> Int32 {
    setUpLocale()
    signal(SIGPIPE, SIG_IGN)
    Interrupts.install()
    if arguments.first == "snippets" { return snippets(Array(arguments.dropFirst())) }
    if arguments.first == "audit" { return AuditCommands.main(Array(arguments.dropFirst())) }
    if arguments.first == "targets" { return targets(Array(arguments.dropFirst())) }
    if arguments.first == "replay" { return replay(Array(arguments.dropFirst())) }
    if arguments.first == "attach" { return Attach.main(Array(arguments.dropFirst())) }
    let options: ShellOptions
    do {
      options = try ShellOptions(arguments: arguments)
    } catch let error as ShellError {
      printError("opsql: \(error.message)")
      return 2
    } catch {
      return 2
    }
    if options.showHelp {
      print(ShellOptions.usage)
      return 0
    }
    if options.showVersion {
      print("opsql \(version)")
      return 0
    }
    let stdinIsTerminal = isatty(0) == 1
    let interactive = options.actions.isEmpty && stdinIsTerminal
    if interactive { LineEditor.preload() }
    guard let shell = makeShell(options, arguments: arguments) else { return 2 }
    if let format = options.format { shell.settings.format = format }
    if options.expanded { shell.settings.expanded = .on }
    shell.settings.tuplesOnly = options.tuplesOnly
    // Scripts named on the command line must exist before anything connects.
    for case .file(let path) in options.actions where path != "-" {
      if access(path, R_OK) != 0 {
        printError("opsql: \(path): \(String(cString: strerror(errno)))")
        return 2
      }
    }
    do {
      shell.add(try shell.connect(shell.resolveTarget(options.target)))
    } catch let error as ConnectionError {
      printError("opsql: error: \(error.message)")
      _ = shell.finish()
      return 2
    } catch {
      printError("opsql: \(error); nothing was run")
      _ = shell.finish()
      return 2
    }
    var actions = options.actions
    if actions.isEmpty && !stdinIsTerminal { actions = [.file("-")] }
    if interactive {
      guard runInteractive(shell) else {
        printError(
          "opsql: cannot load libedit.so.2, which the interactive shell needs (apt-get install libedit2); -c and -f run without it"
        )
        _ = shell.finish()
        return 2
      }
      return shell.finish()
    }
    for action in actions {
      let source: InputSource
      switch action {
      case .command(let text): source = TextInput(text)
      case .file(let path):
        guard let input = FileInput(path: path) else {
          shell.reportError("opsql: \(path): \(String(cString: strerror(errno)))")
          _ = shell.finish()
          return 2
        }
        source = input
      }
      let outcome = MainLoop(shell: shell, source: source).run()
      if outcome == .quit { break }
      if outcome == .stopped && (!options.continueOnError || shell.connectionLost) { break }
    }
    return shell.finish()
  }

  /// `opsql replay FILE [--target OLD=NEW]… [--set NAME=VALUE]… [--from N] [--step] [--dry-run]
  /// [--yes]`: the recording opens its own targets with its `\c` steps; `--set` fills a
  /// runbook's `?` holes by param name.
  static func replay(_ arguments: [String]) -> Int32 {
    var replayOptions: [String] = []
    var rest = arguments[...]
    var replay = Replay(path: "")
    var variables: [String: String] = [:]
    do {
      while let arg = rest.popFirst() {
        switch arg {
        case "--target":
          guard let map = rest.popFirst(), let eq = map.firstIndex(of: "=") else {
            throw ShellError("--target needs OLD=NEW")
          }
          replay.mapping[String(map[..<eq])] = String(map[map.index(after: eq)...])
        case "--from":
          guard let n = rest.popFirst().flatMap({ Int($0) }), n >= 1 else {
            throw ShellError("--from needs a step number (1, 2, …)")
          }
          replay.from = n
        case "--step": replay.stepByStep = true
        case "--set":
          guard let pair = rest.popFirst(), let eq = pair.firstIndex(of: "=") else {
            throw ShellError("--set needs NAME=VALUE")
          }
          variables[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        case "--dry-run", "--yes", "--continue-on-error": replayOptions.append(arg)
        case "--config", "--audit":
          guard let value = rest.popFirst() else { throw ShellError("\(arg) needs a value") }
          replayOptions += [arg, value]
        default:
          guard replay.path.isEmpty, !arg.hasPrefix("-") else {
            throw ShellError(
              "unknown replay option \(arg) (usage: opsql replay FILE [--target OLD=NEW] [--set NAME=VALUE] [--from N] [--step] [--dry-run] [--yes])"
            )
          }
          replay.path = arg
        }
      }
      guard !replay.path.isEmpty else {
        throw ShellError(
          "usage: opsql replay FILE [--target OLD=NEW] [--from N] [--step] [--dry-run] [--yes]")
      }
      guard access(replay.path, R_OK) == 0 else {
        throw ShellError("\(replay.path): \(String(cString: strerror(errno)))")
      }
    } catch let error as ShellError {
      printError("opsql: \(error.message)")
      return 2
    } catch {
      return 2
    }
    guard let options = try? ShellOptions(arguments: replayOptions),
      let shell = makeShell(options, arguments: ["replay"] + arguments)
    else { return 2 }
    shell.variables = variables
    _ = replay.run(shell)
    return shell.finish()
  }

  /// `opsql targets`: configured and discovered targets, and where each came from.
  static func targets(_ arguments: [String]) -> Int32 {
    var configPath: String?
    if arguments.first == "--config", arguments.count > 1 { configPath = arguments[1] }
    let config: Config
    do {
      config = try Config.load(explicitPath: configPath)
    } catch {
      printError("opsql: \(error)")
      return 2
    }
    let (found, problems) = Discovery.targets()
    for problem in problems { printError("opsql: skipped \(problem)") }
    let out = OutputStream(fd: 1)
    let printer = ResultPrinter.make(PrintSettings(), out: out, terminalColumns: nil)
    let all = config.targets + found
    try? printer.printRows(
      ["name", "kind", "environment", "readonly", "connection", "from"].map {
        ColumnInfo(name: $0, kind: .text)
      },
      all.map { t in
        [
          t.name, t.kind.rawValue, t.environment.rawValue, t.readonly ? "yes" : "no",
          SecretRedactor.redact(t.connection ?? ""), t.origin,
        ]
      })
    out.flush()
    return 0
  }

  /// `opsql snippets [NAME]`: the catalogue, or one snippet in full; no connection needed.
  static func snippets(_ arguments: [String]) -> Int32 {
    let catalog = SnippetCatalog.standard()
    for problem in catalog.problems { printError("opsql: skipped snippet \(problem)") }
    guard let name = arguments.first else {
      print(catalog.listing(), terminator: "")
      return 0
    }
    guard let text = catalog.describe(name) else {
      printError("opsql: unknown snippet \"\(name)\" (opsql snippets lists them)")
      return 2
    }
    print(text, terminator: "")
    return 0
  }

  /// The config, the audit (fail closed) and the shell, with the session's begin row pending.
  static func makeShell(_ options: ShellOptions, arguments: [String]) -> Shell? {
    let config: Config
    do {
      config = try Config.load(explicitPath: options.configPath)
    } catch let error as ConfigError {
      printError("opsql: \(error)")
      return nil
    } catch {
      return nil
    }
    // Fail closed: without a writable audit file nothing runs.
    let auditor: Auditor
    do {
      guard let path = AuditLog.defaultPath(explicit: options.auditPath) else {
        throw AuditError(
          message: "audit: no place for the audit file (set HOME, XDG_STATE_HOME or --audit)")
      }
      auditor = Auditor(log: try AuditLog(path: path), operatorName: config.operatorName)
      // The session's begin row goes out with its first action's.
      auditor.recordLater(
        "session", phase: "begin",
        [
          "detail": jsonObject([
            ("pid", String(getpid())), ("version", version),
            ("command", SecretRedactor.redact((["opsql"] + arguments).joined(separator: " "))),
          ])
        ], written: { [unowned auditor] in auditor.sessionBegin = $0 })
    } catch {
      printError("opsql: \(error); nothing was run")
      return nil
    }
    let shell = Shell(options: options, auditor: auditor)
    shell.config = config
    return shell
  }

  /// False when there is no line editor to read with.
  private static func runInteractive(_ shell: Shell) -> Bool {
    guard let editor = LineEditor(program: "opsql", historyPath: StatePaths.historyFile()) else {
      return false
    }
    shell.startScreenLog()
    var tableCache: (session: ObjectIdentifier, names: [String])?
    editor.completion = { [unowned shell] before in
      Completer(
        metaCommands: MetaCommands.table.flatMap(\.names), snippets: shell.snippets,
        targets: shell.config.targets.map(\.name),
        tables: {
          guard let session = shell.session else { return [] }
          if let cache = tableCache, cache.session == ObjectIdentifier(session) {
            return cache.names
          }
          // The back door: a read-only catalog query, not audited as a user statement.
          let rows =
            (try? session.driver.query(
              "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE relkind IN ('r','p','v','m','f') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname !~ '^pg_toast' ORDER BY 1 LIMIT 2000"
            )) ?? []
          let names = rows.compactMap { $0.first ?? nil }
          tableCache = (ObjectIdentifier(session), names)
          return names
        }
      ).complete(before)
    }
    if let session = shell.session {
      shell.say("opsql \(version) (server \(session.driver.serverVersion)). Type \\? for help.\n")
    }
    _ = MainLoop(shell: shell, source: EditorInput(editor: editor)).run()
    // As in psql, errors seen and shown during an interactive session do not make it fail.
    shell.anyFailed = false
    shell.anyRefused = false
    return true
  }

  /// libedit drops non-ASCII input under the C locale: use the user's, or C.UTF-8.
  private static func setUpLocale() {
    if let current = setlocale(LC_CTYPE, ""),
      String(cString: current).lowercased().contains("utf")
    {
      return
    }
    setlocale(LC_CTYPE, "C.UTF-8")
  }

  static func printError(_ message: String) {
    let text = message + "\n"
    _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
  }
}

/// Where opsql keeps state: `$XDG_STATE_HOME/opsql` (default `~/.local/state/opsql`), mode 0700.
public enum StatePaths {
  public static func directory() -> String? {
    let base: String
    if let xdg = getenv("XDG_STATE_HOME"), xdg.pointee != 0 {
      base = String(cString: xdg)
    } else if let home = getenv("HOME"), home.pointee != 0 {
      base = String(cString: home) + "/.local/state"
    } else {
      return nil
    }
    let dir = base + "/opsql"
    guard makeDirectories(dir, mode: 0o700) else { return nil }
    return dir
  }

  public static func historyFile() -> String? {
    directory().map { $0 + "/line_history" }
  }

  /// `mkdir -p`; the last component gets `mode`, the others 0755.
  static func makeDirectories(_ path: String, mode: mode_t) -> Bool {
    var prefix = path.hasPrefix("/") ? "" : "."
    let parts = path.split(separator: "/")
    for (k, part) in parts.enumerated() {
      prefix += "/" + part
      if mkdir(prefix, k == parts.count - 1 ? mode : 0o755) != 0 && errno != EEXIST { return false }
    }
    return true
  }
}
