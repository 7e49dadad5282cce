import Testing

@testable import OpsqlKit

/// `\copy` as psql writes it, turned into the COPY the server runs and the client's file.
struct CopyCommandTests {
  @Test(arguments: [
    (
      "t from 'in.csv' csv", "COPY t FROM STDIN csv", CopyCommand.Direction.from,
      "in.csv" as String?
    ),
    ("t (a, b) FROM /tmp/in.csv", "COPY t (a, b) FROM STDIN", .from, "/tmp/in.csv"),
    (
      "(select a from t where b = 'from' order by 1) to 'out file.csv' with (format csv, header)",
      "COPY (select a from t where b = 'from' order by 1) TO STDOUT with (format csv, header)",
      .to, "out file.csv"
    ),
    ("t to 'it''s.txt'", "COPY t TO STDOUT", .to, "it's.txt"),
    ("public.\"Odd To\" to stdout", "COPY public.\"Odd To\" TO STDOUT", .to, nil),
    ("t from pstdin", "COPY t FROM STDIN", .from, nil),
    ("t from stdin", "COPY t FROM STDIN", .from, nil),
  ])
  func parses(text: String, sql: String, direction: CopyCommand.Direction, file: String?) throws {
    let copy = try CopyCommand.parse(text)
    #expect(copy.sql == sql)
    #expect(copy.direction == direction)
    #expect(copy.file == file)
  }

  @Test(arguments: [
    ("", "arguments required"),
    ("t", "parse error at end of line"),
    ("t from", "parse error at end of line"),
    ("from 'x'", "parse error at end of line"),
    ("t from 'never closed", "unterminated quoted string"),
    ("t from stdout", "parse error at \"stdout\""),
    ("t to stdin", "parse error at \"stdin\""),
    ("t from program 'gunzip -c f.gz'", "program is not supported; write the data to a file first"),
  ])
  func refuses(text: String, message: String) {
    #expect(throws: ShellError(message)) { try CopyCommand.parse(text) }
  }
}
