import CSQLite
import Glibc

/// A local SQLite file (wrangler's local D1 files included) as a target. Statements are
/// prepared one at a time and stepped, rows streaming into the sink; SQLite itself says whether
/// a statement writes (`sqlite3_stmt_readonly`), which sharpens the lexer's class.
public final class SQLiteDriver: Driver {
  private var db: OpaquePointer?
  public let path: String
  public var onNotice: ((DatabaseError) -> Void)?

  /// Opens an existing file (a target never creates a database by accident).
  public init(path: String) throws {
    self.path = path
    guard access(path, F_OK) == 0 else {
      throw ConnectionError("\(path): no such SQLite file")
    }
    let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
    guard rc == SQLITE_OK else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      sqlite3_close(db)
      db = nil
      throw ConnectionError("\(path): \(message)")
    }
    sqlite3_busy_timeout(db, 5000)
    // Reading one page proves it is a database at all.
    do {
      _ = try query("SELECT count(*) FROM sqlite_schema")
    } catch let error as DatabaseError {
      close()
      throw ConnectionError("\(path): \(error.message)")
    }
  }

  deinit { close() }

  public var kind: TargetKind { .sqlite }
  public var placeholderStyle: PlaceholderStyle { .dollar }
  public var databaseName: String {
    String(path.split(separator: "/").last ?? Substring(path))
  }
  public var serverVersion: String { "SQLite " + String(cString: sqlite3_libversion()) }
  public var serverIdentity: String { "file \(path)" }
  public var isOpen: Bool { db != nil }
  public func reset() -> Bool { db != nil }

  public var transactionState: TransactionState {
    guard let db else { return .unknown }
    return sqlite3_get_autocommit(db) == 0 ? .inTransaction : .idle
  }

  public func close() {
    if let db { sqlite3_close_v2(db) }
    db = nil
  }

  public func armCancel() {
    guard let db, cancelSlot == nil else { return }
    cancelSlot = Interrupts.arm(sqlite: db)
  }
  public func disarmCancel() {
    Interrupts.withdraw(cancelSlot)
    cancelSlot = nil
  }
  private var cancelSlot: Int?

  public func quoteLiteral(_ value: String) -> String {
    SQLQuoting.sqliteLiteral(value)
  }
  public func quoteIdentifier(_ value: String) -> String { SQLQuoting.identifier(value) }

  /// SQLite's own answer: a statement it calls read-write is at least a write.
  public func refine(_ classification: Classification, sql: String) -> Classification {
    guard classification.danger == .read, let db else { return classification }
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
      return classification
    }
    defer { sqlite3_finalize(statement) }
    return sqlite3_stmt_readonly(statement) == 0
      ? Classification(.write, "SQLite says it writes") : classification
  }

  public func execute(_ sql: String, parameters: [String], into sink: ResultSink) throws
    -> StatementSummary
  {
    guard let db else { throw DatabaseError(message: "the database is closed") }
    var statement: OpaquePointer?
    var rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
    guard rc == SQLITE_OK else { throw error(rc, sql) }
    guard let statement else { return StatementSummary(rows: nil, tag: "") }  // only a comment
    defer { sqlite3_finalize(statement) }
    for (k, value) in parameters.enumerated() {
      let index = sqlite3_bind_parameter_index(statement, "$\(k + 1)")
      if index > 0 { sqlite3_bind_text(statement, index, value, -1, opsql_sqlite_transient()) }
    }
    let n = sqlite3_column_count(statement)
    let changesBefore = sqlite3_total_changes64(db)
    var rows = 0
    var cells = [UnsafeRawBufferPointer?](repeating: nil, count: Int(n))
    var started = false
    while true {
      rc = sqlite3_step(statement)
      guard rc == SQLITE_ROW else { break }
      if !started {
        started = true
        try sink.beginRows(columns(statement, n))
      }
      for j in 0..<n {
        if sqlite3_column_type(statement, j) == SQLITE_NULL {
          cells[Int(j)] = nil
        } else {
          let text = sqlite3_column_text(statement, j)
          cells[Int(j)] = UnsafeRawBufferPointer(
            start: text, count: Int(sqlite3_column_bytes(statement, j)))
        }
      }
      rows += 1
      try sink.row(cells)
    }
    guard rc == SQLITE_DONE else {
      if started { try? sink.endRows(count: rows, tag: "") }
      throw error(rc, sql)
    }
    if n > 0 {
      if !started { try sink.beginRows(columns(statement, n)) }
      try sink.endRows(count: rows, tag: "SELECT \(rows)")
      return StatementSummary(rows: rows, tag: "SELECT \(rows)")
    }
    let changed = Int(sqlite3_total_changes64(db) - changesBefore)
    let tag = Self.tag(sql, changed: changed)
    try sink.commandCompleted(tag: tag)
    return StatementSummary(rows: changed, tag: tag)
  }

  /// Column kinds from the declared type (numbers right-aligned as psql does).
  private func columns(_ statement: OpaquePointer, _ n: Int32) -> [ColumnInfo] {
    (0..<n).map { j in
      let declared =
        sqlite3_column_decltype(statement, j).map { String(cString: $0).uppercased() } ?? ""
      let numeric =
        declared.contains("INT") || declared.contains("REAL") || declared.contains("FLOA")
        || declared.contains("DOUB") || declared.contains("NUM") || declared.contains("DEC")
        || (declared.isEmpty
          && [SQLITE_INTEGER, SQLITE_FLOAT].contains(sqlite3_column_type(statement, j)))
      return ColumnInfo(
        name: String(cString: sqlite3_column_name(statement, j)), kind: numeric ? .number : .text)
    }
  }

  /// A psql-like command tag: `INSERT 0 3`, `UPDATE 2`, `DELETE 1`, `CREATE TABLE`.
  static func tag(_ sql: String, changed: Int) -> String {
    let words = SQLLexer.leadingWords(sql, count: 2)
    switch words.first ?? "" {
    case "INSERT", "REPLACE": return "INSERT 0 \(changed)"
    case "UPDATE", "DELETE": return "\(words[0]) \(changed)"
    case "CREATE", "DROP", "ALTER": return words.joined(separator: " ")
    default: return words.first ?? ""
    }
  }

  private func error(_ rc: Int32, _ sql: String) -> DatabaseError {
    let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
    let offset = db.map { sqlite3_error_offset($0) } ?? -1
    var position: Int?
    if offset >= 0 {
      position =
        String(decoding: Array(sql.utf8).prefix(Int(offset)), as: UTF8.self).unicodeScalars.count
        + 1
    }
    let interrupted = (rc & 0xff) == SQLITE_INTERRUPT
    return DatabaseError(
      code: interrupted ? "57014" : Self.codeName(rc),
      message: interrupted ? "canceling statement due to user request" : message,
      position: position, statement: sql)
  }

  /// SQLite's symbolic name for a primary result code, as D1 reports them too.
  static func codeName(_ rc: Int32) -> String {
    let names: [Int32: String] = [
      1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
      5: "SQLITE_BUSY",
      6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
      10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN",
      18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE",
      23: "SQLITE_AUTH", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
    ]
    return names[rc & 0xff] ?? "SQLITE_\(rc)"
  }
}
