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
        // While several processes create the file at once, SQLite can answer "database is
        // locked" here without waiting out the busy timeout: try again.
        try Self.retryingWhileLocked { try db.query("PRAGMA journal_mode=WAL") }
        // In WAL mode NORMAL is safe against a crash of opsql; only an OS crash can lose the
        // last commits.
        try db.execute("PRAGMA synchronous=NORMAL")
        // Every opsql run opens the audit: syncing a checkpoint at each exit would cost more than
        // a short run's own writes, and reading a long WAL back at each start costs more than a
        // checkpoint. A WAL of under 64 frames (a dozen short runs) stays beside the file; copy
        // it with `sqlite3 audit.db ".backup copy.db"` (or with its -wal), not alone.
        db.keepWALOnClose(below: 64)
        // Appends touch a few pages at the end of the table: a small cache is enough.
        try db.execute("PRAGMA cache_size=-256")
        try Self.retryingWhileLocked {
          if try db.query("PRAGMA user_version").first?.first != .integer(Self.schemaVersion) {
            try migrate()
          }
        }
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

  private static func retryingWhileLocked(_ body: () throws -> Void) throws {
    for attempt in 1... {
      do {
        return try body()
      } catch let error as SQLiteError where error.isBusy && attempt < 200 {
        usleep(10_000)
      }
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

  /// Appends rows (without `id`, `time`, `prev_hash` and `hash`, which this fills in), in one
  /// transaction, and returns their ids. Rows are in column order (`AuditColumns.all`). Throws
  /// `AuditError` when they cannot be written.
  @discardableResult
  public func append(_ rows: inout [[String?]]) throws -> [Int64] {
    do {
      let hot = try statements()
      try db.run(hot.begin)
      do {
        // The last row's id and hash: remembered from our own last commit unless another
        // process has written since (PRAGMA data_version moves when another connection commits).
        let version = try db.run(hot.dataVersion)
        if version != lastVersion || last == nil {
          let row = try db.query("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").first
          if case .integer(let id)? = row?.first, let hash = row?.last?.text {
            last = (id, hash)
          } else {
            last = (0, AuditChain.genesis)
          }
        }
        var (id, previous) = last!
        var ids: [Int64] = []
        let now = utcTimestamp()
        for k in rows.indices {
          id += 1
          rows[k][0] = String(id)
          rows[k][1] = rows[k][1] ?? now
          rows[k][AuditColumns.prevHashIndex] = previous
          var (bytes, values) = AuditChain.encode(rows[k])
          let hash = AuditChain.sha256Hex(bytes)
          values.append(bytes.count..<(bytes.count + 64))
          bytes.append(contentsOf: hash.utf8)
          try db.run(hot.insert, textsIn: bytes, at: values, integers: Self.integerPositions)
          previous = hash
          ids.append(id)
        }
        try db.run(hot.commit)
        last = (id, previous)
        lastVersion = version
        return ids
      } catch {
        last = nil
        try? db.execute("ROLLBACK")
        throw error
      }
    } catch let error as SQLiteError {
      throw AuditError(message: "audit: cannot write to \(path): \(error.message)")
    }
  }

  private var last: (id: Int64, hash: String)?
  private var lastVersion: Int64?
  private static let integerPositions = AuditColumns.all.map { AuditColumns.integers.contains($0) }

  /// What every append runs, prepared at the first.
  private struct Statements {
    let begin, dataVersion, insert, commit: SQLiteConnection.Statement
  }
  private var prepared: Statements?
  private func statements() throws -> Statements {
    if let prepared { return prepared }
    let made = Statements(
      begin: try db.prepare("BEGIN IMMEDIATE"), dataVersion: try db.prepare("PRAGMA data_version"),
      insert: try db.prepare(Self.insertSQL), commit: try db.prepare("COMMIT"))
    prepared = made
    return made
  }

  /// One row given as column → value.
  @discardableResult
  public func append(_ fields: [String: String]) throws -> Int64 {
    var rows = [AuditColumns.all.map { fields[$0] }]
    return try append(&rows)[0]
  }

  // MARK: - Reading

  /// Rows matching `whereSQL` (with `?n` placeholders), as column → text.
  public func rows(
    where whereSQL: String = "1", _ values: [SQLiteConnection.Value] = [],
    order: String = "id", limit: Int? = nil
  ) throws -> [[String: String]] {
    let sql =
      "SELECT \(AuditColumns.all.joined(separator: ", ")) FROM events WHERE \(whereSQL) ORDER BY \(order)"
      + (limit.map { " LIMIT \($0)" } ?? "")
    do {
      var rows = try db.query(sql, values).map { cells -> [String: String] in
        var row: [String: String] = [:]
        for (k, column) in AuditColumns.all.enumerated() {
          if let text = cells[k].text { row[column] = text }
        }
        return row
      }
      // A begin row without an end row has an unknown outcome. End rows always come after
      // their begin row, so only the rows after the oldest listed begin need looking at (no
      // index to keep up on every append).
      let begins = rows.filter { $0["phase"] == "begin" }.compactMap {
        $0["id"].flatMap { Int64($0) }
      }
      if let oldest = begins.min() {
        let ended = Set(
          try db.query(
            "SELECT begin_id FROM events WHERE id > ?1 AND begin_id IS NOT NULL", [.integer(oldest)]
          ).compactMap { $0.first?.text })
        for k in rows.indices
        where rows[k]["phase"] == "begin" && !ended.contains(rows[k]["id"] ?? "") {
          rows[k]["open"] = "1"
        }
      }
      return rows
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
  // YYYY-MM-DDTHH:MM:SS.mmmZ, digit by digit: every audit append makes one.
  let fields: [(value: Int, width: Int, then: UInt8)] = [
    (Int(parts.tm_year) + 1900, 4, UInt8(ascii: "-")),
    (Int(parts.tm_mon) + 1, 2, UInt8(ascii: "-")),
    (Int(parts.tm_mday), 2, UInt8(ascii: "T")), (Int(parts.tm_hour), 2, UInt8(ascii: ":")),
    (Int(parts.tm_min), 2, UInt8(ascii: ":")), (Int(parts.tm_sec), 2, UInt8(ascii: ".")),
    (Int(ts.tv_nsec / 1_000_000), 3, UInt8(ascii: "Z")),
  ]
  return String(unsafeUninitializedCapacity: 24) { buffer in
    var at = 0
    for field in fields {
      var n = field.value
      for d in stride(from: field.width - 1, through: 0, by: -1) {
        buffer[at + d] = UInt8(ascii: "0") + UInt8(n % 10)
        n /= 10
      }
      at += field.width
      buffer[at] = field.then
      at += 1
    }
    return at
  }
}
