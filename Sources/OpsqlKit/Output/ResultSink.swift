/// How a column's values are shown: numbers right-aligned, and typed in JSON output.
public enum ValueKind: Sendable, Equatable {
  case text
  case number
  case boolean
  case json
}

/// A result column as a driver describes it.
public struct ColumnInfo: Sendable, Equatable {
  public var name: String
  public var kind: ValueKind

  public init(name: String, kind: ValueKind) {
    self.name = name
    self.kind = kind
  }
}

/// Receives one statement's results as they stream from a driver. Cell buffers are borrowed:
/// valid only during the call; `nil` is SQL NULL.
public protocol ResultSink: AnyObject {
  /// A set of rows begins.
  func beginRows(_ columns: [ColumnInfo]) throws
  func row(_ cells: [UnsafeRawBufferPointer?]) throws
  /// The rows ended; `tag` is the command tag (`SELECT 3`, `INSERT 0 1`, …).
  func endRows(count: Int, tag: String) throws
  /// A statement that returns no rows completed with this tag (`CREATE TABLE`, `BEGIN`, …).
  func commandCompleted(tag: String) throws
  /// Raw bytes from `COPY … TO STDOUT`.
  func copyData(_ bytes: UnsafeRawBufferPointer) throws
}
