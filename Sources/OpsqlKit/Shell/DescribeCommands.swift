/// psql's describe commands: `\d`, `\dt`, `\di`, `\dn`, `\du`, `\l` and `\d NAME`, from the
/// catalogs (Postgres) or `sqlite_schema` and `PRAGMA table_info` (SQLite and D1, hiding
/// `sqlite_*` and `_cf_*`). They are read-only catalog queries (the back door), audited as one
/// `meta` row.
enum DescribeCommands {
  static func run(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    guard let session = shell.session else { throw ShellError("not connected") }
    let driver = session.driver
    let bare = line.name.replacingAll("+", with: "").replacingAll("S", with: "")
    let name = ["dg": "du", "list": "l"][bare] ?? bare
    let pattern = line.arguments.first
    try shell.auditor.record(
      "meta", target: session.target, server: session.serverIdentity,
      ["sql": "\\" + line.name + (line.rest.isEmpty ? "" : " " + line.rest), "danger": "read"])
    let (sql, title, footer): (String, String, [String]?)
    if driver.kind == .postgres {
      if name == "d", let pattern {
        return try describeRelation(pattern, shell, driver)
      }
      (sql, title) = try postgresListing(name, pattern, driver)
      // psql lists roles without a row count.
      footer = name == "du" ? [] : nil
    } else {
      if name == "d", let pattern {
        return try describeSQLiteTable(pattern, shell, driver)
      }
      let types = name == "di" ? "'index'" : (name == "dt" ? "'table'" : "'table','view'")
      var filter = ""
      if let pattern { filter = " AND name GLOB " + driver.quoteLiteral(pattern) }
      guard ["d", "dt", "di"].contains(name) else {
        throw ShellError(
          "\\\(line.name) is for PostgreSQL; on \(driver.kind.rawValue) use \\d, \\dt or \\di")
      }
      sql =
        "SELECT name AS \"Name\", type AS \"Type\", tbl_name AS \"Table\" FROM sqlite_schema WHERE type IN (\(types)) AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'\(filter) ORDER BY 1"
      title = name == "di" ? "List of indexes" : "List of relations"
      footer = nil
    }
    return try printQuery(
      sql, title: title, footer: footer,
      emptyMessage: pattern.map { "Did not find any relation named \"\($0)\"." }
        ?? "Did not find any relations.", shell, driver)
  }

  /// psql's pattern: `*` any text, `?` one character, `schema.name`; as an anchored regex.
  static func regex(_ pattern: String) -> String {
    var out = "^("
    for c in pattern {
      switch c {
      case "*": out += ".*"
      case "?": out += "."
      case ".", "(", ")", "[", "]", "{", "}", "+", "^", "$", "|", "\\": out += "\\" + String(c)
      default: out += String(c).lowercased()
      }
    }
    return out + ")$"
  }

  static func nameFilter(
    _ pattern: String?, schemaColumn: String, nameColumn: String, _ driver: any Driver
  )
    -> String
  {
    guard let pattern else { return " AND pg_catalog.pg_table_is_visible(c.oid)" }
    let parts = pattern.split(separator: ".", maxSplits: 1).map(String.init)
    if parts.count == 2 {
      return " AND \(schemaColumn) OPERATOR(pg_catalog.~) \(driver.quoteLiteral(regex(parts[0])))"
        + " AND \(nameColumn) OPERATOR(pg_catalog.~) \(driver.quoteLiteral(regex(parts[1])))"
    }
    return " AND \(nameColumn) OPERATOR(pg_catalog.~) \(driver.quoteLiteral(regex(pattern)))"
      + " AND pg_catalog.pg_table_is_visible(c.oid)"
  }

  static func postgresListing(_ name: String, _ pattern: String?, _ driver: any Driver) throws
    -> (String, String)
  {
    let kinds: String
    switch name {
    case "d": kinds = "'r','p','v','m','S','f',''"
    case "dt": kinds = "'r','p',''"
    case "di": kinds = "'i','I',''"
    case "dn":
      var filter = ""
      if let pattern {
        filter = " AND n.nspname OPERATOR(pg_catalog.~) \(driver.quoteLiteral(regex(pattern)))"
      }
      return (
        "SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\" FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'\(filter) ORDER BY 1",
        "List of schemas"
      )
    case "du":
      var filter = ""
      if let pattern {
        filter = " AND r.rolname OPERATOR(pg_catalog.~) \(driver.quoteLiteral(regex(pattern)))"
      }
      return (
        """
        SELECT r.rolname AS "Role name", concat_ws(', ', CASE WHEN r.rolsuper THEN 'Superuser' END, CASE WHEN NOT r.rolinherit THEN 'No inheritance' END, CASE WHEN r.rolcreaterole THEN 'Create role' END, CASE WHEN r.rolcreatedb THEN 'Create DB' END, CASE WHEN NOT r.rolcanlogin THEN 'Cannot login' END, CASE WHEN r.rolreplication THEN 'Replication' END, CASE WHEN r.rolbypassrls THEN 'Bypass RLS' END) AS "Attributes",
          ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid) WHERE m.member = r.oid) AS "Member of"
        FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_'\(filter) ORDER BY 1
        """,
        "List of roles"
      )
    case "l":
      // PostgreSQL 15 added ICU locales; older servers have no such columns.
      let major = Int(driver.serverVersion.prefix(while: { $0.isNumber })) ?? 0
      let icu =
        major >= 15
        ? ", d.daticulocale AS \"ICU Locale\", CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS \"Locale Provider\""
        : ""
      return (
        "SELECT d.datname AS \"Name\", pg_catalog.pg_get_userbyid(d.datdba) AS \"Owner\", pg_catalog.pg_encoding_to_char(d.encoding) AS \"Encoding\", d.datcollate AS \"Collate\", d.datctype AS \"Ctype\"\(icu), pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access privileges\" FROM pg_catalog.pg_database d ORDER BY 1",
        "List of databases"
      )
    default:
      throw ShellError("unknown describe command \\\(name)")
    }
    let table = name == "di" ? ", c2.relname AS \"Table\"" : ""
    let join =
      name == "di"
      ? " LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_catalog.pg_class c2 ON i.indrelid = c2.oid"
      : ""
    return (
      """
      SELECT n.nspname AS "Schema", c.relname AS "Name",
        CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END AS "Type",
        pg_catalog.pg_get_userbyid(c.relowner) AS "Owner"\(table)
      FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\(join)
      WHERE c.relkind IN (\(kinds)) AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema'\(nameFilter(pattern, schemaColumn: "n.nspname", nameColumn: "c.relname", driver))
      ORDER BY 1, 2
      """,
      "List of relations"
    )
  }

  /// `\d NAME` on Postgres: the columns, then the indexes and constraints as psql lists them.
  static func describeRelation(_ pattern: String, _ shell: Shell, _ driver: any Driver) throws
    -> Bool
  {
    let found = try driver.query(
      "SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE true\(nameFilter(pattern, schemaColumn: "n.nspname", nameColumn: "c.relname", driver)) ORDER BY 2, 3"
    )
    guard !found.isEmpty else {
      shell.reportError("Did not find any relation named \"\(pattern)\".")
      return false
    }
    for row in found {
      let oid = row[0] ?? "0"
      let kind =
        [
          "r": "Table", "p": "Partitioned table", "v": "View", "m": "Materialized view",
          "i": "Index", "S": "Sequence", "f": "Foreign table",
        ][row[3] ?? ""] ?? "Relation"
      var footer: [String] = []
      let indexes = try driver.query(
        "SELECT c2.relname, i.indisprimary, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid WHERE i.indrelid = \(oid) ORDER BY i.indisprimary DESC, c2.relname"
      )
      if !indexes.isEmpty {
        footer.append("Indexes:")
        for index in indexes {
          let def = index[3] ?? ""
          let using = def.firstRange(of: " USING ").map { String(def[$0.upperBound...]) } ?? def
          let kind =
            index[1] == "t" ? " PRIMARY KEY," : (index[2] == "t" ? " UNIQUE CONSTRAINT," : "")
          footer.append("    \"\(index[0] ?? "")\"\(kind) \(using)")
        }
      }
      let checks = try driver.query(
        "SELECT conname, pg_catalog.pg_get_constraintdef(oid, true), contype FROM pg_catalog.pg_constraint WHERE conrelid = \(oid) AND contype IN ('c', 'f') ORDER BY contype, conname"
      )
      for (label, type) in [("Check constraints:", "c"), ("Foreign-key constraints:", "f")] {
        let items = checks.filter { $0[2] == type }
        if !items.isEmpty {
          footer.append(label)
          for c in items { footer.append("    \"\(c[0] ?? "")\" \(c[1] ?? "")") }
        }
      }
      let referencing = try driver.query(
        "SELECT conrelid::pg_catalog.regclass, conname, pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint WHERE confrelid = \(oid) AND contype = 'f' ORDER BY conname"
      )
      if !referencing.isEmpty {
        footer.append("Referenced by:")
        for r in referencing {
          footer.append("    TABLE \"\(r[0] ?? "")\" CONSTRAINT \"\(r[1] ?? "")\" \(r[2] ?? "")")
        }
      }
      let sql = """
        SELECT a.attname AS "Column", pg_catalog.format_type(a.atttypid, a.atttypmod) AS "Type",
          (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS "Collation",
          CASE WHEN a.attnotnull THEN 'not null' ELSE '' END AS "Nullable",
          COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid, true), '') AS "Default"
        FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = \(oid) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
        """
      _ = try printQuery(
        sql, title: "\(kind) \"\(row[1] ?? "").\(row[2] ?? "")\"", footer: footer, emptyMessage: "",
        shell, driver)
    }
    return true
  }

  static func describeSQLiteTable(_ name: String, _ shell: Shell, _ driver: any Driver) throws
    -> Bool
  {
    let exists = try driver.query(
      "SELECT type FROM sqlite_schema WHERE name = \(driver.quoteLiteral(name)) AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'"
    )
    guard let type = exists.first?.first ?? nil else {
      shell.reportError("Did not find any relation named \"\(name)\".")
      return false
    }
    let indexes = try driver.query(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = \(driver.quoteLiteral(name)) ORDER BY 1"
    )
    let footer =
      indexes.isEmpty
      ? [] : ["Indexes:"] + indexes.map { "    \"\($0.first.flatMap { $0 } ?? "")\"" }
    return try printQuery(
      "SELECT name AS \"Column\", type AS \"Type\", CASE WHEN \"notnull\" THEN 'not null' ELSE '' END AS \"Nullable\", COALESCE(dflt_value, '') AS \"Default\", CASE WHEN pk > 0 THEN 'yes' ELSE '' END AS \"Primary key\" FROM pragma_table_info(\(driver.quoteLiteral(name)))",
      title: (type == "view" ? "View" : "Table") + " \"\(name)\"", footer: footer, emptyMessage: "",
      shell, driver)
  }

  /// Runs a catalog query and prints it with a title (and footers instead of a row count).
  static func printQuery(
    _ sql: String, title: String, footer: [String]?, emptyMessage: String, _ shell: Shell,
    _ driver: any Driver
  ) throws -> Bool {
    let collector = RowCollector(limit: 100_000)
    do {
      _ = try driver.execute(sql, parameters: [], into: collector)
    } catch let error as DatabaseError {
      shell.reportError(error)
      return false
    }
    if collector.rows.isEmpty && !emptyMessage.isEmpty {
      shell.reportError(emptyMessage)
      return true
    }
    var settings = shell.settings
    settings.title = title
    settings.footer = footer
    if settings.format != .aligned { settings.title = nil }
    let printer = ResultPrinter.make(
      settings, out: shell.out, terminalColumns: shell.terminalColumns)
    try printer.printRows(collector.columns, collector.rows)
    shell.out.flush()
    return true
  }
}
