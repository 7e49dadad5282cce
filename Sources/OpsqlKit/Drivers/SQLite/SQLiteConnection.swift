import CSQLite
import Glibc

/// An error from SQLite, with its result code and message.
public struct SQLiteError: Error, Equatable, CustomStringConvertible {
  public var code: Int32
  public var message: String
  public var description: String { message }
  /// "database is locked" (extended codes included).
  public var isBusy: Bool { code & 0xff == SQLITE_BUSY }
}

/// One owner for one `sqlite3*` handle; `close()` is the normal path, `deinit` a backstop.
/// Statements are prepared once and reused by their owner.
public final class SQLiteConnection {
  private var db: OpaquePointer?
  public let path: String

  /// Opens (and with `create`, creates) the file. Throws with SQLite's message and the path.
  public init(path: String, create: Bool, readonly: Bool = false) throws {
    self.path = path
    var flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
    if create && !readonly { flags |= SQLITE_OPEN_CREATE }
    // SQLITE_OPEN_NOMUTEX: each connection is used by one thread.
    let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
    guard rc == SQLITE_OK else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      sqlite3_close(db)
      db = nil
      throw SQLiteError(code: rc, message: message)
    }
    sqlite3_extended_result_codes(db, 1)
  }

  deinit { close() }

  public func close() {
    for statement in cache.values { sqlite3_finalize(statement) }
    cache.removeAll()
    if let walFrames {
      if walFrames.pointee >= walFramesKeptAtClose {
        // TRUNCATE, not PASSIVE: the next process rebuilds the WAL index thinking nothing was
        // checkpointed, so a WAL that is only backfilled is read (and copied) again.
        sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
      }
      walFrames.deallocate()
      self.walFrames = nil
    }
    if let db { sqlite3_close_v2(db) }
    db = nil
  }

  private var walFrames: UnsafeMutablePointer<Int32>?
  private var walFramesKeptAtClose: Int32 = 0

  /// For a file every run opens (the audit): at close, a WAL of fewer than `frames` frames is
  /// left in place rather than checkpointed with two fsyncs; a longer one is checkpointed. The
  /// next process to open the file rebuilds its WAL index by reading every frame, so a short WAL
  /// keeps that cheap. A WAL left long by a process that was killed (so never closed) is
  /// checkpointed and truncated here, once. (The size test assumes the audit's 4 KB pages.)
  public func keepWALOnClose(below frames: Int32) {
    var info = stat()
    if stat(path + "-wal", &info) == 0, info.st_size > Int(frames) * (4096 + 24) {
      sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
    }
    _ = opsql_sqlite_no_checkpoint_on_close(db)
    let counter = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    counter.initialize(to: 0)
    walFrames = counter
    walFramesKeptAtClose = frames
    opsql_sqlite_count_wal_frames(db, counter)
  }

  /// Waits up to `ms` for a lock held by another process before SQLITE_BUSY.
  public func setBusyTimeout(_ ms: Int32) { sqlite3_busy_timeout(db, ms) }

  /// Runs SQL without results (several statements allowed).
  public func execute(_ sql: String) throws {
    var error: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(db, sql, nil, nil, &error)
    if rc != SQLITE_OK {
      let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
      sqlite3_free(error)
      throw SQLiteError(code: rc, message: message)
    }
  }

  private var cache: [String: OpaquePointer] = [:]

  /// A value to bind or read.
  public enum Value: Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
  }

  /// Runs one statement with `values` bound to `?1…?n` and returns its rows. The statement is
  /// prepared once per connection and kept.
  @discardableResult
  public func query(_ sql: String, _ values: [Value] = []) throws -> [[Value]] {
    let statement = try prepared(sql)
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    for (k, value) in values.enumerated() {
      let index = Int32(k + 1)
      let rc: Int32
      switch value {
      case .null: rc = sqlite3_bind_null(statement, index)
      case .integer(let n): rc = sqlite3_bind_int64(statement, index, n)
      case .real(let d): rc = sqlite3_bind_double(statement, index, d)
      case .text(let s): rc = sqlite3_bind_text(statement, index, s, -1, opsql_sqlite_transient())
      }
      guard rc == SQLITE_OK else { throw lastError(rc) }
    }
    var rows: [[Value]] = []
    while true {
      let rc = sqlite3_step(statement)
      if rc == SQLITE_DONE { break }
      guard rc == SQLITE_ROW else { throw lastError(rc) }
      let n = sqlite3_column_count(statement)
      rows.append(
        (0..<n).map { j in
          switch sqlite3_column_type(statement, j) {
          case SQLITE_NULL: return .null
          case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, j))
          case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, j))
          default: return .text(String(cString: sqlite3_column_text(statement, j)))
          }
        })
    }
    return rows
  }

  /// A statement prepared once and held by its owner, so that running it again skips the
  /// cache lookup by its text: the audit's hot path.
  public struct Statement {
    fileprivate let handle: OpaquePointer
  }

  public func prepare(_ sql: String) throws -> Statement { Statement(handle: try prepared(sql)) }

  /// Runs a statement without parameters that returns at most one row, and returns the row's
  /// first column as an integer.
  @discardableResult
  public func run(_ statement: Statement) throws -> Int64? {
    let handle = statement.handle
    defer { sqlite3_reset(handle) }
    let rc = sqlite3_step(handle)
    if rc == SQLITE_ROW { return sqlite3_column_int64(handle, 0) }
    guard rc == SQLITE_DONE else { throw lastError(rc) }
    return nil
  }

  /// Runs a statement that returns no rows with parameter k bound to the text `bytes[slices[k]]`
  /// (nil = NULL; an integer where `integers[k]` and the text is one). SQLite reads the bytes
  /// where they are: the audit's rows are bound from the encoding that was hashed.
  public func run(
    _ statement: Statement, textsIn bytes: [UInt8], at slices: [Range<Int>?], integers: [Bool]
  ) throws {
    let handle = statement.handle
    defer {
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
    }
    try bytes.withUnsafeBufferPointer { buffer in
      for (k, slice) in slices.enumerated() {
        let index = Int32(k + 1)
        let rc: Int32
        if let slice {
          let text = UnsafeBufferPointer(rebasing: buffer[slice])
          if integers[k], let n = Self.integer(text) {
            rc = sqlite3_bind_int64(handle, index, n)
          } else {
            rc = text.withMemoryRebound(to: CChar.self) {
              guard let start = $0.baseAddress, !$0.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, nil)
              }
              return sqlite3_bind_text(handle, index, start, Int32($0.count), nil)
            }
          }
        } else {
          rc = sqlite3_bind_null(handle, index)
        }
        guard rc == SQLITE_OK else { throw lastError(rc) }
      }
      let rc = sqlite3_step(handle)
      guard rc == SQLITE_DONE else { throw lastError(rc) }
    }
  }

  /// A decimal integer, as `Int64(String)` would read it.
  private static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    var digits = text[...]
    let negative = digits.first == UInt8(ascii: "-")
    if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
    guard !digits.isEmpty, digits.count <= 18 else { return nil }
    var n: Int64 = 0
    for d in digits {
      guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
      n = n * 10 + Int64(d - UInt8(ascii: "0"))
    }
    return negative ? -n : n
  }

  private func prepared(_ sql: String) throws -> OpaquePointer {
    if let statement = cache[sql] { return statement }
    var statement: OpaquePointer?
    let rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
    guard rc == SQLITE_OK, let statement else { throw lastError(rc) }
    cache[sql] = statement
    return statement
  }

  private func lastError(_ rc: Int32) -> SQLiteError {
    SQLiteError(code: rc, message: db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed")
  }
}

extension SQLiteConnection.Value {
  public var text: String? {
    switch self {
    case .null: return nil
    case .integer(let n): return String(n)
    case .real(let d): return String(d)
    case .text(let s): return s
    }
  }
}
