/// A sink that keeps rows as strings, for opsql's own small catalog queries (the back door:
/// snippet refusal checks, later completion and `\d`). It keeps at most `limit` rows.
final class RowCollector: ResultSink {
  private(set) var columns: [ColumnInfo] = []
  private(set) var rows: [[String?]] = []
  let limit: Int

  init(limit: Int = 1000) { self.limit = limit }

  func beginRows(_ columns: [ColumnInfo]) throws { self.columns = columns }

  func row(_ cells: [UnsafeRawBufferPointer?]) throws {
    guard rows.count < limit else { return }
    rows.append(cells.map { $0.map { String(decoding: $0, as: UTF8.self) } })
  }

  func endRows(count: Int, tag: String) throws {}
  func commandCompleted(tag: String) throws {}
  func copyData(_ bytes: UnsafeRawBufferPointer) throws {}
}
