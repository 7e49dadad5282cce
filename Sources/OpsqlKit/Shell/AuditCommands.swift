import Glibc

/// `opsql audit list|show|verify|tail|export` and `\audit`: reading the audit file.
public enum AuditCommands {
  /// Columns of the compact table `list`, `tail` and `\audit` print.
  static let listColumns = [
    "id", "time", "session", "seq", "operator", "target", "kind", "phase", "danger", "answer",
    "outcome", "rows", "duration_ms", "sql",
  ]

  public static func main(_ arguments: [String]) -> Int32 {
    var args = arguments[...]
    guard let command = args.popFirst() else {
      Opsql.printError("opsql: audit needs a command: list, show ID, verify, tail [-f] or export")
      return 2
    }
    var options: [String: String] = [:]
    var positional: [String] = []
    var follow = false
    while let arg = args.popFirst() {
      switch arg {
      case "-f", "--follow": follow = true
      case "--session", "--target", "--since", "--limit", "--format", "--audit":
        guard let value = args.popFirst() else {
          Opsql.printError("opsql: \(arg) needs a value")
          return 2
        }
        options[String(arg.dropFirst(2))] = value
      default:
        if arg.hasPrefix("-") {
          Opsql.printError("opsql: unknown audit option \(arg)")
          return 2
        }
        positional.append(arg)
      }
    }
    let format = options["format"] ?? "table"
    guard ["table", "json", "csv"].contains(format) || (format == "opsql" && command == "export")
    else {
      Opsql.printError(
        "opsql: --format must be table, json or csv (or opsql for export), not \(format)")
      return 2
    }
    if format == "opsql" && options["session"] == nil {
      Opsql.printError("opsql: audit export --format opsql needs --session ID")
      return 2
    }
    let log: AuditLog
    do {
      guard let path = AuditLog.defaultPath(explicit: options["audit"]) else {
        throw AuditError(message: "audit: no audit file (set HOME, XDG_STATE_HOME or --audit)")
      }
      log = try AuditLog(path: path, readOnly: true)
    } catch {
      Opsql.printError("opsql: \(error)")
      return 2
    }
    let out = OutputStream(fd: 1)
    defer { out.flush() }
    do {
      switch command {
      case "list", "export":
        let (whereSQL, values) = try filters(options)
        let limit = options["limit"].flatMap { Int($0) } ?? (command == "list" ? 50 : nil)
        let rows = try log.rows(
          where: whereSQL, values, order: command == "list" ? "id DESC" : "id", limit: limit)
        if format == "opsql" {
          out.write(AuditExport.recording(rows, session: options["session"] ?? ""))
          return 0
        }
        try print(
          rows, columns: command == "list" && format == "table" ? listColumns : AuditColumns.all,
          format: format, to: out)
      case "show":
        guard let id = positional.first.flatMap({ Int64($0) }) else {
          Opsql.printError("opsql: audit show needs a row id")
          return 2
        }
        let rows = try log.rows(where: "id = ?1", [.integer(id)])
        guard !rows.isEmpty else {
          Opsql.printError("opsql: audit: there is no row \(id)")
          return 1
        }
        var settings = PrintSettings()
        settings.expanded = .on
        try print(rows, columns: AuditColumns.all, format: format, settings: settings, to: out)
      case "verify":
        let rows = try log.rows()
        if let problem = AuditChain.firstBreak(rows) {
          Opsql.printError("opsql: audit verify: \(problem) (checked \(log.path))")
          return 1
        }
        out.write("audit: \(rows.count) rows checked in \(log.path); the hash chain is intact\n")
      case "tail":
        var rows = try log.rows(order: "id DESC", limit: Int(options["limit"] ?? "") ?? 10)
          .reversed()
          .map { $0 }
        try print(rows, columns: listColumns, format: format, to: out)
        out.flush()
        guard follow else { return 0 }
        var last = rows.last.flatMap { $0["id"] }.flatMap { Int64($0) } ?? 0
        while true {
          usleep(300_000)
          rows = try log.rows(where: "id > ?1", [.integer(last)])
          // Rows just written may still be running: no "unknown" for them.
          for var row in rows {
            row["open"] = nil
            out.write(line(row))
            last = Int64(row["id"] ?? "") ?? last
          }
          out.flush()
        }
      default:
        Opsql.printError(
          "opsql: unknown audit command \(command); expected list, show, verify, tail or export")
        return 2
      }
    } catch {
      Opsql.printError("opsql: \(error)")
      return 2
    }
    return 0
  }

  /// `--session`, `--target` and `--since` (an ISO time prefix, or `30m`, `2h`, `1d` ago).
  static func filters(_ options: [String: String]) throws -> (String, [SQLiteConnection.Value]) {
    var clauses: [String] = []
    var values: [SQLiteConnection.Value] = []
    if let s = options["session"] {
      values.append(.text(s + "%"))
      clauses.append("session LIKE ?\(values.count)")
    }
    if let t = options["target"] {
      values.append(.text(t))
      clauses.append("target = ?\(values.count)")
    }
    if let since = options["since"] {
      values.append(.text(try sinceTimestamp(since)))
      clauses.append("time >= ?\(values.count)")
    }
    return (clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), values)
  }

  static func sinceTimestamp(_ text: String) throws -> String {
    if let unit = text.last, "smhd".contains(unit), let n = Int(text.dropLast()) {
      let seconds = n * ["s": 1, "m": 60, "h": 3600, "d": 86400][String(unit)]!
      var t = time(nil) - seconds
      var parts = tm()
      gmtime_r(&t, &parts)
      func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
      return
        "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
    guard text.count >= 4, text.first?.isNumber == true else {
      throw AuditError(
        message:
          "audit: --since takes a UTC time such as 2026-12-03T17:00 or an age such as 30m, 2h, 1d")
    }
    return text
  }

  /// A begin row with no end row: the action's outcome is unknown (a crash, or still running).
  static func shownValue(_ row: [String: String], _ column: String) -> String? {
    if column == "outcome" && row["open"] == "1" { return "unknown" }
    if column == "sql", let sql = row["sql"], sql.count > 60 { return String(sql.prefix(59)) + "…" }
    return row[column]
  }

  static func print(
    _ rows: [[String: String]], columns: [String], format: String,
    settings: PrintSettings = PrintSettings(), to out: OutputStream
  ) throws {
    var settings = settings
    settings.format = format == "json" ? .json : (format == "csv" ? .csv : .aligned)
    settings.pager = false
    let printer = ResultPrinter.make(settings, out: out, terminalColumns: nil)
    let kinds = columns.map { column -> ColumnInfo in
      let numeric = AuditColumns.integers.contains(column) || AuditColumns.reals.contains(column)
      return ColumnInfo(name: column, kind: numeric ? .number : .text)
    }
    try printer.printRows(
      kinds,
      rows.map { row in
        columns.map { column in
          format == "table"
            ? shownValue(row, column)
            : (column == "outcome" && row["open"] == "1" ? "unknown" : row[column])
        }
      })
  }

  /// One line per row for `tail -f`.
  static func line(_ row: [String: String]) -> String {
    let parts = [
      "time", "session", "target", "kind", "phase", "danger", "answer", "outcome", "sql",
    ].compactMap {
      shownValue(row, $0)
    }
    return parts.joined(separator: "  ") + "\n"
  }

  /// `\audit [N]`: the current session's last actions.
  static func shellCommand(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter)
    throws -> Bool
  {
    let n = line.arguments.first.flatMap { Int($0) } ?? 10
    try shell.auditor.flush()
    let rows = try shell.auditor.log.rows(
      where: "session = ?1", [.text(shell.auditor.session)], order: "id DESC", limit: n)
    try print(rows.reversed(), columns: listColumns, format: "table", to: shell.out)
    shell.out.flush()
    return true
  }
}
