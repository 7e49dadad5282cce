/// psql's aligned format (border 1, ASCII line style), byte for byte, and its expanded form
/// (`\x`). Rows are kept in chunks of `chunkSize`, as psql does with `FETCH_COUNT`, so memory
/// stays flat however many rows arrive: a result that fits one chunk prints exactly as psql
/// prints it; a longer one prints its header once and sizes columns chunk by chunk.
final class AlignedPrinter: ResultSink {
  private let out: OutputStream
  private let settings: PrintSettings
  /// Terminal width for `\x auto`; nil when output is not a terminal.
  private let terminalColumns: Int?
  private let chunkSize: Int

  private var columns: [ColumnInfo] = []
  private var rightAligned: [Bool] = []
  private var headerWidths: [Int] = []
  // The chunk: cell bytes in one arena, NULLs already replaced by the null display string.
  private var arena: [UInt8] = []
  private var cellEnds: [Int] = []
  private var cellWidths: [Int] = []
  private var cellPlain: [Bool] = []
  private var rowsInChunk = 0
  private var chunkHasNewlines = false
  private var chunksPrinted = 0
  private var recordsPrinted = 0

  init(out: OutputStream, settings: PrintSettings, terminalColumns: Int?, chunkSize: Int = 1000) {
    self.out = out
    self.settings = settings
    self.terminalColumns = terminalColumns
    self.chunkSize = chunkSize
  }

  func beginRows(_ columns: [ColumnInfo]) throws {
    self.columns = columns
    rightAligned = columns.map { $0.kind == .number }
    headerWidths = columns.map { DisplayText.width(of: $0.name) }
    clearChunk()
    chunksPrinted = 0
    recordsPrinted = 0
    expandedDecision = nil
  }

  func row(_ cells: [UnsafeRawBufferPointer?]) throws {
    // A row of no columns prints as nothing; psql counts it in the footer only.
    guard !cells.isEmpty else { return }
    for cell in cells {
      if let cell {
        arena.append(contentsOf: cell)
        addCellMeasure(UnsafeRawBufferPointer(rebasing: cell[...]))
      } else {
        var null = settings.nullDisplay
        null.withUTF8 { p in
          arena.append(contentsOf: p)
          addCellMeasure(UnsafeRawBufferPointer(p))
        }
      }
      cellEnds.append(arena.count)
    }
    rowsInChunk += 1
    if rowsInChunk >= chunkSize {
      printChunk()
    }
  }

  func endRows(count: Int, tag: String) throws {
    printChunk()
    // The expanded form has no `(N rows)` footer, except for an empty result.
    if let footer = settings.footer, !settings.tuplesOnly {
      for line in footer { out.write(line + "\n") }
    } else if !settings.tuplesOnly && (expandedDecision != true || count == 0 || columns.isEmpty) {
      out.write(count == 1 ? "(1 row)\n" : "(\(count) rows)\n")
    }
    out.write(byte: 0x0A)
    printStatusIfModifying(tag, to: out)
  }

  func commandCompleted(tag: String) throws {
    out.write(tag)
    out.write(byte: 0x0A)
  }

  func copyData(_ bytes: UnsafeRawBufferPointer) throws {
    out.write(bytes)
  }

  // MARK: - Chunks

  private func addCellMeasure(_ cell: UnsafeRawBufferPointer) {
    if DisplayText.isPlain(cell) {
      cellWidths.append(cell.count)
      cellPlain.append(true)
    } else {
      let (width, lines) = DisplayText.measure(cell)
      cellWidths.append(width)
      cellPlain.append(false)
      if lines > 1 { chunkHasNewlines = true }
    }
  }

  private func clearChunk() {
    arena.removeAll(keepingCapacity: true)
    cellEnds.removeAll(keepingCapacity: true)
    cellWidths.removeAll(keepingCapacity: true)
    cellPlain.removeAll(keepingCapacity: true)
    rowsInChunk = 0
    chunkHasNewlines = false
  }

  private func columnWidths() -> [Int] {
    var widths = headerWidths
    let n = columns.count
    guard n > 0 else { return widths }
    for (k, w) in cellWidths.enumerated() where w > widths[k % n] {
      widths[k % n] = w
    }
    return widths
  }

  /// Whether this result prints expanded; for `\x auto`, decided on the widths seen so far.
  private func isExpanded(widths: [Int]) -> Bool {
    switch settings.expanded {
    case .on: return true
    case .off: return false
    case .auto:
      guard let cols = terminalColumns, !columns.isEmpty else { return false }
      let total = widths.reduce(0, +) + columns.count * 3 - 1
      return total > cols
    }
  }

  /// Decided by the first chunk, so that a long result keeps one form.
  private var expandedDecision: Bool?

  private func printChunk() {
    let widths = columnWidths()
    let expanded = expandedDecision ?? isExpanded(widths: widths)
    expandedDecision = expanded
    arena.withUnsafeBytes { arenaBytes in
      if expanded {
        printExpanded(arenaBytes)
      } else {
        if chunksPrinted == 0 && !settings.tuplesOnly {
          if let title = settings.title {
            // psql centres the title over the table's full width.
            let total = widths.reduce(0, +) + max(0, columns.count * 3 - 1)
            let w = DisplayText.width(of: title)
            out.writeSpaces(total >= w ? (total - w) / 2 : 0)
            out.write(title + "\n")
          }
          printHeader(widths)
          printSeparator(widths)
        }
        printRows(arenaBytes, widths)
      }
    }
    chunksPrinted += 1
    clearChunk()
  }

  private func cell(_ arenaBytes: UnsafeRawBufferPointer, _ index: Int) -> UnsafeRawBufferPointer {
    let start = index == 0 ? 0 : cellEnds[index - 1]
    return UnsafeRawBufferPointer(rebasing: arenaBytes[start..<cellEnds[index]])
  }

  // MARK: - Aligned

  private func printHeader(_ widths: [Int]) {
    let n = columns.count
    let lines = columns.map { column -> [(text: [UInt8], width: Int)] in
      var name = column.name
      return name.withUTF8 { DisplayText.lines(UnsafeRawBufferPointer($0)) }
    }
    var done = [Bool](repeating: false, count: n)
    var remaining = n
    var lineNo = 0
    while remaining > 0 {
      for j in 0..<n {
        out.write(byte: 0x20)
        if !done[j] {
          let line = lines[j][lineNo]
          let spare = widths[j] - line.width
          out.writeSpaces(spare / 2)
          out.write(line.text)
          out.writeSpaces((spare + 1) / 2)
          if lineNo + 1 == lines[j].count {
            done[j] = true
            remaining -= 1
          }
        } else {
          out.writeSpaces(widths[j])
        }
        out.write(byte: done[j] ? 0x20 : UInt8(ascii: "+"))
        if j < n - 1 { out.write(byte: UInt8(ascii: "|")) }
      }
      lineNo += 1
      out.write(byte: 0x0A)
    }
  }

  private func printSeparator(_ widths: [Int]) {
    out.write(byte: UInt8(ascii: "-"))
    for (j, w) in widths.enumerated() {
      out.write(repeatElement(UInt8(ascii: "-"), count: w))
      if j < widths.count - 1 { out.write("-+-") }
    }
    out.write("-\n")
  }

  private func printRows(_ arenaBytes: UnsafeRawBufferPointer, _ widths: [Int]) {
    let n = columns.count
    guard n > 0 else { return }
    for r in 0..<rowsInChunk {
      let base = r * n
      var plain = true
      for j in 0..<n where !cellPlain[base + j] {
        plain = false
        break
      }
      if plain {
        for j in 0..<n {
          let text = cell(arenaBytes, base + j)
          let pad = widths[j] - text.count
          out.write(byte: 0x20)
          if rightAligned[j] {
            out.writeSpaces(pad)
            out.write(text)
          } else {
            out.write(text)
            if j < n - 1 { out.writeSpaces(pad) }
          }
          if j < n - 1 { out.write(" |") }
        }
        out.write(byte: 0x0A)
      } else {
        printMultilineRow((0..<n).map { DisplayText.lines(cell(arenaBytes, base + $0)) }, widths)
      }
    }
  }

  /// psql's row loop for cells with newlines: `+` marks a cell that continues on the next line.
  private func printMultilineRow(_ lines: [[(text: [UInt8], width: Int)]], _ widths: [Int]) {
    let n = lines.count
    var current = [Int](repeating: 0, count: n)
    var continues = [Bool](repeating: false, count: n)
    var more = true
    while more {
      more = false
      for j in 0..<n {
        let notLast = j < n - 1
        out.write(byte: 0x20)
        var used = widths[j]
        if current[j] >= lines[j].count {
          if notLast { out.writeSpaces(widths[j]) }
        } else {
          let line = lines[j][current[j]]
          used = line.width
          if rightAligned[j] { out.writeSpaces(widths[j] - used) }
          out.write(line.text)
          current[j] += 1
          if current[j] < lines[j].count { more = true }
        }
        continues[j] = current[j] < lines[j].count && current[j] != 0
        if !rightAligned[j] && (notLast || continues[j]) { out.writeSpaces(widths[j] - used) }
        if continues[j] {
          out.write(byte: UInt8(ascii: "+"))
        } else if notLast {
          out.write(byte: 0x20)
        }
        if notLast { out.write(byte: UInt8(ascii: "|")) }
      }
      out.write(byte: 0x0A)
    }
  }

  // MARK: - Expanded

  private func printExpanded(_ arenaBytes: UnsafeRawBufferPointer) {
    let n = columns.count
    let headerWidth = headerWidths.max() ?? 0
    // psql widens the data column so that the `-[ RECORD n ]` line fits above it; the middle
    // takes " | " plus a column for `+` when values have newlines.
    let middle = 3 + (chunkHasNewlines ? 1 : 0)
    let digits = rowsInChunk > 0 ? String(rowsInChunk).count : 0
    let recordWidth = settings.tuplesOnly ? 0 : 12 + digits
    let dataWidth =
      max(headerWidth + middle + (cellWidths.max() ?? 0), recordWidth) - headerWidth - middle
    let headers = columns.map { column -> [(text: [UInt8], width: Int)] in
      var name = column.name
      return name.withUTF8 { DisplayText.lines(UnsafeRawBufferPointer($0)) }
    }
    for r in 0..<rowsInChunk {
      recordsPrinted += 1
      if !settings.tuplesOnly {
        printRecordLine(recordsPrinted, headerWidth, dataWidth)
      }
      for j in 0..<n {
        let data = DisplayText.lines(cell(arenaBytes, r * n + j))
        let header = headers[j]
        var h = 0
        var d = 0
        var headerDone = false
        var dataDone = false
        while !headerDone || !dataDone {
          if !headerDone {
            out.write(header[h].text)
            out.writeSpaces(headerWidth - header[h].width)
            if h + 1 < header.count {
              out.write(byte: UInt8(ascii: "+"))
              h += 1
            } else {
              out.write(byte: 0x20)
              headerDone = true
            }
          } else {
            out.writeSpaces(headerWidth + 1)
          }
          out.write(byte: UInt8(ascii: "|"))
          if !dataDone {
            out.write(byte: 0x20)
            out.write(data[d].text)
            if d + 1 < data.count {
              out.writeSpaces(dataWidth - data[d].width)
              out.write(byte: UInt8(ascii: "+"))
              d += 1
            } else {
              dataDone = true
            }
          }
          out.write(byte: 0x0A)
        }
      }
    }
  }

  /// `-[ RECORD n ]----+-----`, the dashes reaching the widths of both columns.
  private func printRecordLine(_ record: Int, _ headerWidth: Int, _ dataWidth: Int) {
    let label = "[ RECORD \(record) ]"
    out.write(byte: UInt8(ascii: "-"))
    out.write(label)
    var reclen = label.utf8.count + 1
    if reclen < headerWidth {
      out.write(repeatElement(UInt8(ascii: "-"), count: headerWidth - reclen))
    }
    reclen -= headerWidth
    for mark in [UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "-")] {
      if reclen <= 0 { out.write(byte: mark) }
      reclen -= 1
    }
    reclen = max(reclen, 0)
    if reclen < dataWidth {
      out.write(repeatElement(UInt8(ascii: "-"), count: dataWidth - reclen))
    }
    out.write(byte: 0x0A)
  }
}

/// psql also prints the status of `INSERT`/`UPDATE`/`DELETE`/`MERGE … RETURNING` after its rows.
func printStatusIfModifying(_ tag: String, to out: OutputStream) {
  for verb in ["INSERT", "UPDATE", "DELETE", "MERGE"] where tag.hasPrefix(verb) {
    out.write(tag)
    out.write(byte: 0x0A)
    return
  }
}
