/// An error reported by a database, with psql's fields kept apart so the shell (and later the
/// audit) can use each one; only the shell renders them.
public struct DatabaseError: Error, Sendable, Equatable {
  /// `ERROR`, `FATAL`, `NOTICE`, `WARNING`, …
  public var severity: String
  /// The SQLSTATE (Postgres) or error code (D1).
  public var code: String?
  public var message: String
  public var detail: String?
  public var hint: String?
  public var context: String?
  /// 1-based character position of the error in `statement`.
  public var position: Int?
  /// The statement the position refers to.
  public var statement: String?

  public init(
    severity: String = "ERROR", code: String? = nil, message: String, detail: String? = nil,
    hint: String? = nil, context: String? = nil, position: Int? = nil, statement: String? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.detail = detail
    self.hint = hint
    self.context = context
    self.position = position
    self.statement = statement
  }

  /// The SQLSTATE of a statement cancelled at the user's request.
  public var isCancellation: Bool { code == "57014" }
}

/// A failure to reach or log in to a target; the message is one line.
public struct ConnectionError: Error, Sendable, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
}

/// psql's transaction states, as shown in the prompt (`=`, `*`, `!`).
public enum TransactionState: Sendable, Equatable {
  case idle
  case inTransaction
  case failed
  /// The connection is gone or busy.
  case unknown

  /// For `\sessions`.
  public var description: String {
    switch self {
    case .idle: return "idle"
    case .inTransaction: return "in transaction"
    case .failed: return "failed transaction"
    case .unknown: return "unknown"
    }
  }

  /// psql's `%x` in the prompt: `*` in a transaction, `!` in a failed one.
  public var promptMarker: String {
    switch self {
    case .idle: return ""
    case .inTransaction: return "*"
    case .failed: return "!"
    case .unknown: return "?"
    }
  }
}

/// What a completed statement returned, for the status line, `\timing` and the audit.
public struct StatementSummary: Sendable, Equatable {
  /// Rows returned or affected, when known.
  public var rows: Int?
  public var tag: String
  /// What the target adds for `\timing` (D1's rows read and written, and its duration).
  public var detail: String?

  public init(rows: Int?, tag: String, detail: String? = nil) {
    self.rows = rows
    self.tag = tag
    self.detail = detail
  }
}

/// How a driver wants bind parameters written in SQL.
public enum PlaceholderStyle: Sendable {
  /// `$1`, `$2`, … (Postgres; SQLite accepts it as a named parameter).
  case dollar
  /// `?` per occurrence, in order (D1's REST API).
  case question
}

/// A connection to one target. One final class owns each C handle; `close()` is the normal
/// path and `deinit` a backstop.
public protocol Driver: AnyObject {
  var kind: TargetKind { get }
  /// Runs one statement, streaming its rows into `sink`; `parameters` are bound to the
  /// statement's placeholders. Throws `DatabaseError`.
  func execute(_ sql: String, parameters: [String], into sink: ResultSink) throws
    -> StatementSummary
  var transactionState: TransactionState { get }
  /// Arms Ctrl-C for the statement about to run; `disarmCancel` undoes it.
  func armCancel()
  func disarmCancel()
  var isOpen: Bool { get }
  /// Reconnects after the connection was lost; false when that failed or cannot be done.
  func reset() -> Bool
  func close()
  func quoteLiteral(_ value: String) -> String
  func quoteIdentifier(_ value: String) -> String
  var placeholderStyle: PlaceholderStyle { get }
  /// The database's name, for prompts and `:DBNAME`.
  var databaseName: String { get }
  var serverVersion: String { get }
  /// For the audit: which server process or database answered.
  var serverIdentity: String { get }
  /// Where notices go while a statement runs.
  var onNotice: ((DatabaseError) -> Void)? { get set }
  /// The target's own facts about a statement (SQLite knows whether it writes).
  func refine(_ classification: Classification, sql: String) -> Classification
}

extension Driver {
  public func refine(_ classification: Classification, sql: String) -> Classification {
    classification
  }

  /// opsql's own read-only catalog queries (the back door): the rows as strings.
  func query(_ sql: String, parameters: [String] = []) throws -> [[String?]] {
    let collector = RowCollector()
    _ = try execute(sql, parameters: parameters, into: collector)
    return collector.rows
  }
}
