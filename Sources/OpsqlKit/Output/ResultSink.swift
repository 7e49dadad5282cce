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

extension ResultSink {
  /// Feeds a whole table of strings (nil = NULL): opsql's own listings (`\d`, `\sessions`,
  /// `opsql targets`, the audit) go through the same printers as query results.
  func printRows(_ columns: [ColumnInfo], _ rows: [[String?]], tag: String = "") throws {
    try beginRows(columns)
    for row in rows {
      try withBorrowedCells(row.map { $0.map { Array($0.utf8) } }[...], []) { try self.row($0) }
    }
    try endRows(count: rows.count, tag: tag)
  }
}

/// Lends each cell's bytes to `body` the way a driver does (valid only during the call).
func withBorrowedCells(
  _ rest: ArraySlice<[UInt8]?>, _ done: [UnsafeRawBufferPointer?],
  _ body: ([UnsafeRawBufferPointer?]) throws -> Void
) throws {
  guard let first = rest.first else { return try body(done) }
  guard let bytes = first else {
    return try withBorrowedCells(rest.dropFirst(), done + [nil], body)
  }
  try bytes.withUnsafeBytes { try withBorrowedCells(rest.dropFirst(), done + [$0], body) }
}
