/// The command line of SPEC §1, parsed.
public struct ShellOptions: Equatable {
  /// What to run, in the order given: `-c TEXT` and `-f FILE`.
  public enum Action: Equatable {
    case command(String)
    case file(String)
  }

  public var target: String?
  public var actions: [Action] = []
  public var continueOnError = false
  /// `--yes`: answer guard questions in advance (never overrides a read-only target).
  public var yes = false
  /// `--dry-run`: classify, guard and show; send nothing.
  public var dryRun = false
  public var configPath: String?
  public var auditPath: String?
  public var format: OutputFormat?
  public var expanded = false
  public var tuplesOnly = false
  public var showVersion = false
  public var showHelp = false

  public init() {}

  /// Parses argv (without the program name); throws a one-line usage error.
  public init(arguments: [String]) throws {
    var args = Self.expandShortOptions(arguments)[...]
    func value(_ option: String) throws -> String {
      guard let v = args.popFirst() else {
        throw ShellError("option \(option) needs a value (see opsql --help)")
      }
      return v
    }
    while let arg = args.popFirst() {
      // --option=value is accepted for every option that takes a value.
      var option = arg
      if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
        option = String(arg[..<eq])
        args.insert(String(arg[arg.index(after: eq)...]), at: args.startIndex)
      }
      switch option {
      case "-c", "--command": actions.append(.command(try value(option)))
      case "-f", "--file": actions.append(.file(try value(option)))
      case "--continue-on-error": continueOnError = true
      case "--yes": yes = true
      case "--dry-run": dryRun = true
      case "--config": configPath = try value(option)
      case "--audit": auditPath = try value(option)
      case "--csv": format = .csv
      case "--json": format = .json
      case "-d", "--dbname": try setTarget(try value(option))
      case "-x", "--expanded": expanded = true
      case "-A", "--no-align": format = .unaligned
      case "-t", "--tuples-only": tuplesOnly = true
      // opsql reads no startup file; psql's habitual -X is accepted and changes nothing.
      case "-X", "--no-psqlrc": break
      case "--version", "-V": showVersion = true
      case "--help", "-?", "-h": showHelp = true
      case "--":
        if let t = args.popFirst() { try setTarget(t) }
      default:
        if option.hasPrefix("-") && option != "-" {
          throw ShellError("unknown option \(option) (see opsql --help)")
        }
        try setTarget(option)
      }
    }
  }

  /// psql's bundled short options: `-At` is `-A -t`; `-Atc TEXT` and `-cTEXT` give `-c` its value.
  static func expandShortOptions(_ arguments: [String]) -> [String] {
    let takesValue: Set<Character> = ["c", "f", "d"]
    var result: [String] = []
    var rest = arguments[...]
    while let arg = rest.popFirst() {
      guard arg.count > 2, arg.hasPrefix("-"), !arg.hasPrefix("--") else {
        result.append(arg)
        if arg == "--" { result.append(contentsOf: rest); break }
        continue
      }
      var letters = arg.dropFirst()
      while let letter = letters.popFirst() {
        result.append("-\(letter)")
        if takesValue.contains(letter) {
          if !letters.isEmpty { result.append(String(letters)) }
          break
        }
      }
    }
    return result
  }

  private mutating func setTarget(_ t: String) throws {
    guard target == nil else {
      throw ShellError("more than one target given: \(target!) and \(t)")
    }
    target = t
  }

  public static let usage = """
    opsql — an operations shell for PostgreSQL, Cloudflare D1 and SQLite

    Usage:
      opsql [TARGET] [options]

    TARGET (or -d TARGET) is a target named in the config or discovered (opsql targets),
    d1://ACCOUNT/DATABASE, sqlite:PATH, a .db file, or for PostgreSQL a database name, a
    postgresql:// URL or a conninfo string ("service=prod", "host=db1 dbname=app"); what
    it leaves out comes from the PG* variables, the service files and ~/.pgpass, as in psql.

    Options:
      -c, --command TEXT      run TEXT (SQL, a meta-command or \\n snippet); repeatable; then exit
      -f, --file FILE         run a script ("-" reads stdin); then exit
      --continue-on-error     keep going after a failed statement in scripts
      --yes                   answer guard questions in advance (not for read-only targets)
      --dry-run               classify and guard each statement, send nothing
      --config FILE           the target config (default $XDG_CONFIG_HOME/opsql/config)
      --audit FILE            the audit file (default $XDG_STATE_HOME/opsql/audit.db)
      --csv | --json | -x     output format for -c/-f (and the shell)
      -A, -t                  unaligned output; rows only (as in psql)
      --version               print the version
      --help                  this text

    Other commands:
      opsql targets                  configured and discovered targets
      opsql snippets [NAME]          the snippet catalogue
      opsql audit list|show ID|verify|tail [-f]|export [--format opsql]
      opsql replay FILE [--target OLD=NEW] [--set NAME=VALUE] [--from N] [--step] [--dry-run] [--yes]
      opsql attach [ID]              follow a session shared with \\share, read-only

    Exit codes: 0 success, 1 a statement failed, 2 usage, config or connection error,
    3 refused by a guard.
    In the shell, \\? lists the meta-commands.
    """
}
