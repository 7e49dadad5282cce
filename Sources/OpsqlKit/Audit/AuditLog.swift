import Glibc

/// Why the audit could not be used; opsql then runs nothing (fail closed).
public struct AuditError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

/// The audit store: one SQLite file shared by every opsql process of a user (WAL, busy
/// timeout, each row appended inside BEGIN IMMEDIATE so the hash chain never forks), mode 0600,
/// schema versioned with `PRAGMA user_version`.
public final class AuditLog {
  public let path: String
  private let db: SQLiteConnection
  static let schemaVersion: Int64 = 1

  /// `--audit`, else `$OPSQL_AUDIT`, else `$XDG_STATE_HOME/opsql/audit.db`.
  public static func defaultPath(explicit: String?) -> String? {
    if let explicit { return explicit }
    if let env = getenv("OPSQL_AUDIT").map({ String(cString: $0) }), !env.isEmpty { return env }
    return StatePaths.directory().map { $0 + "/audit.db" }
  }

  /// Opens or creates the file; `readOnly` for the `audit` commands that only read.
  public init(path: String, readOnly: Bool = false) throws {
    self.path = path
    let existed = access(path, F_OK) == 0
    if readOnly && !existed { throw AuditError(message: "audit: \(path) does not exist") }
    let old = umask(0o077)
    defer { umask(old) }
    do {
      db = try SQLiteConnection(path: path, create: !readOnly, readonly: readOnly)
      db.setBusyTimeout(10_000)
      if !readOnly {
        if !existed { chmod(path, 0o600) }
        try db.query("PRAGMA journal_mode=WAL")
        // In WAL mode NORMAL is safe against a crash of opsql; only an OS crash can lose the
        // last commits.
        try db.execute("PRAGMA synchronous=NORMAL")
        try migrate()
      } else {
        let version = try db.query("PRAGMA user_version").first?.first
        guard version == .integer(Self.schemaVersion) else {
          throw AuditError(
            message: "audit: \(path) is not an opsql audit file (or was made by another version)")
        }
      }
    } catch let error as SQLiteError {
      throw AuditError(message: "audit: cannot open \(path): \(error.message)")
    }
  }

  private func migrate() throws {
    try db.execute("BEGIN IMMEDIATE")
    do {
      let version: Int64
      if case .integer(let v)? = try db.query("PRAGMA user_version").first?.first {
        version = v
      } else {
        version = 0
      }
      if version > Self.schemaVersion {
        throw AuditError(message: "audit: \(path) was written by a newer opsql (schema \(version))")
      }
      if version < 1 {
        let columns = AuditColumns.all.map { name -> String in
          switch name {
          case "id": return "id INTEGER PRIMARY KEY"
          case "time", "session", "kind", "prev_hash", "hash": return "\(name) TEXT NOT NULL"
          case "seq": return "seq INTEGER NOT NULL"
          default:
            return AuditColumns.integers.contains(name)
              ? "\(name) INTEGER"
              : (AuditColumns.reals.contains(name) ? "\(name) REAL" : "\(name) TEXT")
          }
        }
        try db.execute(
          """
          CREATE TABLE events (\(columns.joined(separator: ", ")));
          CREATE INDEX events_session ON events (session, seq);
          CREATE INDEX events_begin ON events (begin_id);
          PRAGMA user_version = 1;
          """)
      }
      try db.execute("COMMIT")
    } catch {
      try? db.execute("ROLLBACK")
      throw error
    }
  }

  private static let insertSQL =
    "INSERT INTO events (\(AuditColumns.all.joined(separator: ", "))) VALUES ("
    + (1...AuditColumns.all.count).map { "?\($0)" }.joined(separator: ", ") + ")"

  /// Appends a row (without `id`, `time`, `prev_hash` and `hash`, which this fills in) and
  /// returns its id. Throws `AuditError` when it cannot be written.
  @discardableResult
  public func append(_ fields: [String: String]) throws -> Int64 {
    do {
      try db.execute("BEGIN IMMEDIATE")
      do {
        let last = try db.query("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").first
        var row = fields
        var id: Int64 = 1
        if case .integer(let lastID)? = last?.first { id = lastID + 1 }
        row["id"] = String(id)
        row["time"] = row["time"] ?? utcTimestamp()
        row["prev_hash"] = last?.last?.text ?? AuditChain.genesis
        row["hash"] = AuditChain.hash(row)
        try db.query(Self.insertSQL, AuditColumns.all.map { Self.value(row[$0], column: $0) })
        try db.execute("COMMIT")
        return id
      } catch {
        try? db.execute("ROLLBACK")
        throw error
      }
    } catch let error as SQLiteError {
      throw AuditError(message: "audit: cannot write to \(path): \(error.message)")
    }
  }

  static func value(_ text: String?, column: String) -> SQLiteConnection.Value {
    guard let text else { return .null }
    if AuditColumns.integers.contains(column), let n = Int64(text) { return .integer(n) }
    if AuditColumns.reals.contains(column), let d = Double(text) { return .real(d) }
    return .text(text)
  }

  // MARK: - Reading

  /// Rows matching `whereSQL` (with `?n` placeholders), as column → text.
  public func rows(
    where whereSQL: String = "1", _ values: [SQLiteConnection.Value] = [],
    order: String = "id", limit: Int? = nil
  ) throws -> [[String: String]] {
    let sql =
      "SELECT \(AuditColumns.all.joined(separator: ", ")), "
      + "CASE WHEN phase = 'begin' AND NOT EXISTS (SELECT 1 FROM events x WHERE x.begin_id = events.id) THEN 1 ELSE 0 END "
      + "FROM events WHERE \(whereSQL) ORDER BY \(order)" + (limit.map { " LIMIT \($0)" } ?? "")
    do {
      return try db.query(sql, values).map { cells in
        var row: [String: String] = [:]
        for (k, column) in AuditColumns.all.enumerated() {
          if let text = cells[k].text { row[column] = text }
        }
        if cells.last == .integer(1) { row["open"] = "1" }
        return row
      }
    } catch let error as SQLiteError {
      throw AuditError(message: "audit: cannot read \(path): \(error.message)")
    }
  }
}

/// Now in UTC, ISO 8601 with milliseconds: `2026-12-03T17:43:01.123Z`.
func utcTimestamp() -> String {
  var ts = timespec()
  clock_gettime(CLOCK_REALTIME, &ts)
  var t = ts.tv_sec
  var parts = tm()
  gmtime_r(&t, &parts)
  func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
  let ms = Int(ts.tv_nsec / 1_000_000)
  let msText = ms < 10 ? "00\(ms)" : (ms < 100 ? "0\(ms)" : "\(ms)")
  return
    "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(msText)Z"
}
