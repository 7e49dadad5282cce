/// Builds the printer for the current settings.
public enum ResultPrinter {
  public static func make(
    _ settings: PrintSettings, out: OutputStream, terminalColumns: Int?
  ) -> ResultSink {
    switch settings.format {
    case .aligned:
      return AlignedPrinter(out: out, settings: settings, terminalColumns: terminalColumns)
    case .unaligned: return UnalignedPrinter(out: out, settings: settings)
    case .csv: return CSVPrinter(out: out, settings: settings)
    case .json: return JSONPrinter(out: out, settings: settings)
    case .markdown: return MarkdownPrinter(out: out, settings: settings)
    }
  }
}

/// Shared behaviour of the printers that write each row as it arrives.
class StreamingPrinter: ResultSink {
  let out: OutputStream
  let settings: PrintSettings
  var columns: [ColumnInfo] = []

  init(out: OutputStream, settings: PrintSettings) {
    self.out = out
    self.settings = settings
  }

  func beginRows(_ columns: [ColumnInfo]) throws { self.columns = columns }
  func row(_ cells: [UnsafeRawBufferPointer?]) throws {}
  func endRows(count: Int, tag: String) throws { printStatusIfModifying(tag, to: out) }

  func commandCompleted(tag: String) throws {
    out.write(tag)
    out.write(byte: 0x0A)
  }

  func copyData(_ bytes: UnsafeRawBufferPointer) throws { out.write(bytes) }

  /// Writes a cell, or the null display string for NULL.
  func writeValue(_ cell: UnsafeRawBufferPointer?) {
    if let cell { out.write(cell) } else { out.write(settings.nullDisplay) }
  }
}

/// psql's unaligned format: `|`-separated fields, a header line and a `(N rows)` footer.
final class UnalignedPrinter: StreamingPrinter {
  override func beginRows(_ columns: [ColumnInfo]) throws {
    self.columns = columns
    guard !settings.tuplesOnly else { return }
    out.write(columns.map(\.name).joined(separator: settings.fieldSeparator))
    out.write(byte: 0x0A)
  }

  override func row(_ cells: [UnsafeRawBufferPointer?]) throws {
    guard !cells.isEmpty else { return }
    for (j, cell) in cells.enumerated() {
      if j > 0 { out.write(settings.fieldSeparator) }
      writeValue(cell)
    }
    out.write(byte: 0x0A)
  }

  override func endRows(count: Int, tag: String) throws {
    if !settings.tuplesOnly { out.write(count == 1 ? "(1 row)\n" : "(\(count) rows)\n") }
    try super.endRows(count: count, tag: tag)
  }
}

/// psql's CSV format (RFC 4180): a field is quoted when it holds a comma, a quote, CR or LF,
/// or is exactly `\.`; NULL is the null display string (empty by default).
final class CSVPrinter: StreamingPrinter {
  override func beginRows(_ columns: [ColumnInfo]) throws {
    self.columns = columns
    guard !settings.tuplesOnly else { return }
    for (j, column) in columns.enumerated() {
      if j > 0 { out.write(byte: UInt8(ascii: ",")) }
      var name = column.name
      name.withUTF8 { writeField(UnsafeRawBufferPointer($0)) }
    }
    out.write(byte: 0x0A)
  }

  override func row(_ cells: [UnsafeRawBufferPointer?]) throws {
    guard !cells.isEmpty else { return }
    for (j, cell) in cells.enumerated() {
      if j > 0 { out.write(byte: UInt8(ascii: ",")) }
      if let cell {
        writeField(cell)
      } else {
        var null = settings.nullDisplay
        null.withUTF8 { writeField(UnsafeRawBufferPointer($0)) }
      }
    }
    out.write(byte: 0x0A)
  }

  private func writeField(_ field: UnsafeRawBufferPointer) {
    var needsQuotes =
      field.count == 2 && field[0] == UInt8(ascii: "\\") && field[1] == UInt8(ascii: ".")
    if !needsQuotes {
      for c in field
      where c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 0x0A || c == 0x0D {
        needsQuotes = true
        break
      }
    }
    guard needsQuotes else { return out.write(field) }
    out.write(byte: UInt8(ascii: "\""))
    for c in field {
      if c == UInt8(ascii: "\"") { out.write(byte: c) }
      out.write(byte: c)
    }
    out.write(byte: UInt8(ascii: "\""))
  }
}

/// A JSON array with one object per row, keyed by column name; numbers, booleans and json
/// values keep their JSON type.
final class JSONPrinter: StreamingPrinter {
  private var rowsWritten = 0

  override func beginRows(_ columns: [ColumnInfo]) throws {
    self.columns = columns
    rowsWritten = 0
    out.write(byte: UInt8(ascii: "["))
  }

  override func row(_ cells: [UnsafeRawBufferPointer?]) throws {
    out.write(rowsWritten == 0 ? "\n{" : ",\n{")
    rowsWritten += 1
    for (j, cell) in cells.enumerated() {
      if j > 0 { out.write(byte: UInt8(ascii: ",")) }
      var name = columns[j].name
      name.withUTF8 { writeJSONString(UnsafeRawBufferPointer($0), to: out) }
      out.write(byte: UInt8(ascii: ":"))
      guard let cell else {
        out.write("null")
        continue
      }
      switch columns[j].kind {
      case .number where isJSONNumber(cell):
        out.write(cell)
      case .boolean where cell.count == 1:
        out.write(cell[0] == UInt8(ascii: "t") ? "true" : "false")
      case .json:
        out.write(cell)
      default:
        writeJSONString(cell, to: out)
      }
    }
    out.write(byte: UInt8(ascii: "}"))
  }

  override func endRows(count: Int, tag: String) throws {
    out.write(rowsWritten == 0 ? "]\n" : "\n]\n")
  }

  override func commandCompleted(tag: String) throws {}

  /// NaN, Infinity and money values are not JSON numbers; they stay strings.
  private func isJSONNumber(_ cell: UnsafeRawBufferPointer) -> Bool {
    guard !cell.isEmpty else { return false }
    for c in cell {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
        UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
        continue
      default:
        return false
      }
    }
    return cell[0] != UInt8(ascii: ".") && cell[cell.count - 1] != UInt8(ascii: ".")
  }
}

/// Writes `bytes` as a JSON string literal.
func writeJSONString(_ bytes: UnsafeRawBufferPointer, to out: OutputStream) {
  out.write(byte: UInt8(ascii: "\""))
  for c in bytes {
    switch c {
    case UInt8(ascii: "\""): out.write("\\\"")
    case UInt8(ascii: "\\"): out.write("\\\\")
    case 0x0A: out.write("\\n")
    case 0x0D: out.write("\\r")
    case 0x09: out.write("\\t")
    case 0..<0x20: out.write("\\u" + hex(UInt32(c), digits: 4))
    default: out.write(byte: c)
    }
  }
  out.write(byte: UInt8(ascii: "\""))
}

/// A GitHub-flavoured Markdown table; `|` in values is escaped and newlines become `<br>`.
final class MarkdownPrinter: StreamingPrinter {
  override func beginRows(_ columns: [ColumnInfo]) throws {
    self.columns = columns
    guard !settings.tuplesOnly else { return }
    out.write("|")
    for column in columns {
      out.write(byte: 0x20)
      var name = column.name
      name.withUTF8 { writeCell(UnsafeRawBufferPointer($0)) }
      out.write(" |")
    }
    out.write("\n|")
    for column in columns { out.write(column.kind == .number ? " ---: |" : " --- |") }
    out.write(byte: 0x0A)
  }

  override func row(_ cells: [UnsafeRawBufferPointer?]) throws {
    out.write("|")
    for cell in cells {
      out.write(byte: 0x20)
      if let cell {
        writeCell(cell)
      } else {
        var null = settings.nullDisplay
        null.withUTF8 { writeCell(UnsafeRawBufferPointer($0)) }
      }
      out.write(" |")
    }
    out.write(byte: 0x0A)
  }

  override func endRows(count: Int, tag: String) throws {
    if !settings.tuplesOnly { out.write(count == 1 ? "\n(1 row)\n" : "\n(\(count) rows)\n") }
    try super.endRows(count: count, tag: tag)
  }

  private func writeCell(_ bytes: UnsafeRawBufferPointer) {
    for c in bytes {
      switch c {
      case UInt8(ascii: "|"): out.write("\\|")
      case 0x0A: out.write("<br>")
      case 0x0D: continue
      default: out.write(byte: c)
      }
    }
  }
}
