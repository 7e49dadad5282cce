import Testing

@testable import OpsqlKit

/// Feeds rows of strings (nil = NULL) through a printer and returns what it wrote.
private func render(
  _ settings: PrintSettings, _ columns: [ColumnInfo], _ rows: [[String?]], tag: String = "SELECT",
  terminalColumns: Int? = nil
) -> String {
  let out = OutputStream()
  let printer = ResultPrinter.make(settings, out: out, terminalColumns: terminalColumns)
  try! printer.beginRows(columns)
  for row in rows {
    // Cells are borrowed only for the call, as a driver's are.
    let storage = row.map { $0.map { Array($0.utf8) } }
    try! withBorrowedCells(storage[...], []) { try printer.row($0) }
  }
  try! printer.endRows(count: rows.count, tag: tag)
  out.flush()
  return String(decoding: out.captured, as: UTF8.self)
}

private let text = ValueKind.text
private let number = ValueKind.number

struct AlignedPrinterTests {
  @Test func numbersRightTextLeftHeaderCentred() {
    let out = render(
      PrintSettings(),
      [ColumnInfo(name: "id", kind: number), ColumnInfo(name: "name", kind: text)],
      [["1", "ann"], ["22", "bo"]])
    #expect(out == " id | name \n----+------\n  1 | ann\n 22 | bo\n(2 rows)\n\n")
  }

  @Test func nullDisplayAndWideCharacters() {
    var settings = PrintSettings()
    settings.nullDisplay = "∅"
    let out = render(settings, [ColumnInfo(name: "v", kind: text)], [["日本"], [nil]])
    #expect(out == "  v   \n------\n 日本\n ∅\n(2 rows)\n\n")
  }

  @Test func longResultsPrintInChunksWithOneHeader() {
    let rows = (1...2500).map { [String($0)] }
    let out = render(PrintSettings(), [ColumnInfo(name: "n", kind: number)], rows)
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.filter { $0.hasPrefix("--") }.count == 1)
    #expect(lines.contains("(2500 rows)"))
    #expect(lines.count == 2 + 2500 + 1 + 2)
  }

  @Test func expandedAutoFollowsTerminalWidth() {
    var settings = PrintSettings()
    settings.expanded = .auto
    let columns = [ColumnInfo(name: "a", kind: text), ColumnInfo(name: "b", kind: text)]
    let wide = render(settings, columns, [["xxxxxxxxxx", "yyyyyyyyyy"]], terminalColumns: 20)
    #expect(wide.hasPrefix("-[ RECORD 1 ]"))
    let narrow = render(settings, columns, [["x", "y"]], terminalColumns: 20)
    #expect(narrow.hasPrefix(" a | b "))
  }

  @Test func modifyingStatementsPrintTheirStatusAfterRows() {
    let out = render(
      PrintSettings(), [ColumnInfo(name: "id", kind: number)], [["7"]], tag: "INSERT 0 1")
    #expect(out.hasSuffix("(1 row)\n\nINSERT 0 1\n"))
  }
}

struct StreamingPrinterTests {
  @Test func csvQuotesOnlyWhatNeedsIt() {
    var settings = PrintSettings()
    settings.format = .csv
    let out = render(
      settings, [ColumnInfo(name: "a,b", kind: text), ColumnInfo(name: "c", kind: text)],
      [["x\"y", "plain"], ["\\.", nil], ["two\nlines", ""]])
    #expect(out == "\"a,b\",c\n\"x\"\"y\",plain\n\"\\.\",\n\"two\nlines\",\n")
  }

  @Test func jsonKeepsTypes() {
    var settings = PrintSettings()
    settings.format = .json
    let out = render(
      settings,
      [
        ColumnInfo(name: "n", kind: number), ColumnInfo(name: "b", kind: .boolean),
        ColumnInfo(name: "j", kind: .json), ColumnInfo(name: "s", kind: text),
      ],
      [["1.5", "t", "{\"k\": 1}", "say \"hi\"\n"], ["NaN", "f", nil, nil]])
    #expect(
      out
        == "[\n{\"n\":1.5,\"b\":true,\"j\":{\"k\": 1},\"s\":\"say \\\"hi\\\"\\n\"},\n{\"n\":\"NaN\",\"b\":false,\"j\":null,\"s\":null}\n]\n"
    )
  }

  @Test func unalignedAndMarkdown() {
    var settings = PrintSettings()
    settings.format = .unaligned
    let columns = [ColumnInfo(name: "a", kind: number), ColumnInfo(name: "b", kind: text)]
    #expect(render(settings, columns, [["1", "x|y"]]) == "a|b\n1|x|y\n(1 row)\n")
    settings.format = .markdown
    #expect(
      render(settings, columns, [["1", "x|y"]])
        == "| a | b |\n| ---: | --- |\n| 1 | x\\|y |\n\n(1 row)\n")
  }
}

struct DisplayTextTests {
  @Test func widthsFollowPsql() {
    #expect(DisplayText.width(of: "abc") == 3)
    #expect(DisplayText.width(of: "日本語") == 6)
    #expect(DisplayText.width(of: "e\u{301}") == 1)
    #expect(DisplayText.width(of: "😀") == 2)
    #expect(DisplayText.width(of: "a\tb") == 9)
    #expect(DisplayText.width(of: "a\rb") == 4)
    #expect(DisplayText.width(of: "\u{1}") == 4)
  }
}

struct MessageFormatTests {
  @Test func timingLikePsql() {
    #expect(formatTiming(milliseconds: 0.4123) == "Time: 0.412 ms")
    #expect(formatTiming(milliseconds: 1234.5) == "Time: 1234.500 ms (00:01.235)")
    #expect(formatTiming(milliseconds: 3_723_004) == "Time: 3723004.000 ms (01:02:03.004)")
  }

  @Test func errorWithCaret() {
    let e = DatabaseError(
      code: "42601", message: "syntax error at or near \"form\"", position: 10,
      statement: "select 1 form t")
    #expect(
      ErrorRenderer.render(e)
        == "ERROR:  42601: syntax error at or near \"form\"\nLINE 1: select 1 form t\n                 ^\n"
    )
  }

  @Test func caretOnLaterLineAndLongLines() {
    let e = ErrorRenderer.excerpt("select\n  nosuch", position: 10)
    #expect(e == "LINE 2:   nosuch\n          ^\n")
    let long = "select " + String(repeating: "x, ", count: 40) + "oops"
    let cut = ErrorRenderer.excerpt(long, position: long.count - 3)
    #expect(cut.hasPrefix("LINE 1: ..."))
    #expect(cut.split(separator: "\n")[0].count <= 8 + 3 + 61)
  }

  @Test func passwordsAreRedacted() {
    #expect(
      SecretRedactor.redact(
        "create role a login password 'it''s secret'; alter user b encrypted password E'x\\'y'")
        == "create role a login password '***'; alter user b encrypted password '***'")
    #expect(SecretRedactor.redact("select 'password' , 'x'") == "select 'password' , 'x'")
  }

  @Test func passwordsInDollarQuotesAndScriptsAreRedacted() {
    #expect(
      SecretRedactor.redact("begin; create role x login encrypted password $pw$it's$pw$; commit;")
        == "begin; create role x login encrypted password '***'; commit;")
    #expect(
      SecretRedactor.redact("alter role x with password\n  'multi\nline'")
        == "alter role x with password\n  '***'")
    #expect(SecretRedactor.redact("alter role x password null") == "alter role x password null")
  }

  @Test func connectionSecretsAreRedacted() {
    #expect(
      SecretRedactor.redact("\\c postgresql://ops:s3cr3t@db1:5432/app?sslmode=require")
        == "\\c postgresql://ops:***@db1:5432/app?sslmode=require")
    #expect(
      SecretRedactor.redact("\\c host=db1 password='a b\\'c' user=x")
        == "\\c host=db1 password=*** user=x")
    #expect(SecretRedactor.redact("\\c dbname=x PASSWORD = plain") == "\\c dbname=x PASSWORD = ***")
    #expect(SecretRedactor.redact("\\c postgresql://ops@db1/app") == "\\c postgresql://ops@db1/app")
  }
}
