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
}

/// What a completed statement returned, for the status line, `\timing` and the audit.
public struct StatementSummary: Sendable, Equatable {
  /// Rows returned or affected, when known.
  public var rows: Int?
  public var tag: String

  public init(rows: Int?, tag: String) {
    self.rows = rows
    self.tag = tag
  }
}

/// A connection to one target. One final class owns each C handle; `close()` is the normal
/// path and `deinit` a backstop.
public protocol Driver: AnyObject {
  /// Runs one statement, streaming its rows into `sink`. Throws `DatabaseError`.
  func execute(_ sql: String, into sink: ResultSink) throws -> StatementSummary
  var transactionState: TransactionState { get }
  /// Arms Ctrl-C for the statement about to run; `disarmCancel` undoes it.
  func armCancel()
  func disarmCancel()
  func close()
}
