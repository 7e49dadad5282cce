import Testing

@testable import OpsqlKit

/// Feeds lines to a splitter and returns what it emitted, then what `finish()` returned.
private func split(_ lines: [String]) -> [InputItem] {
  var splitter = StatementSplitter()
  var items: [InputItem] = []
  for line in lines { items += splitter.feed(line) }
  if let rest = splitter.finish() { items.append(rest) }
  return items
}

private func stmt(_ s: String) -> InputItem { .statement(s) }
private func meta(_ s: String) -> InputItem { .metaCommand(s) }

struct StatementSplitterTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let lines: [String]
    let expected: [InputItem]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "one statement", lines: ["select 1;"], expected: [stmt("select 1;")]),
    Case(
      name: "two statements on one line", lines: ["select 1; select 2;"],
      expected: [stmt("select 1;"), stmt("select 2;")]),
    Case(
      name: "statement across lines", lines: ["select", "  1", "  + 2;"],
      expected: [stmt("select\n  1\n  + 2;")]),
    Case(
      name: "semicolon in a string", lines: ["select 'a;b';"], expected: [stmt("select 'a;b';")]),
    Case(
      name: "doubled quote in a string", lines: ["select 'it''s;';"],
      expected: [stmt("select 'it''s;';")]),
    Case(
      name: "E string with escaped quote", lines: [#"select E'\';x';"#],
      expected: [stmt(#"select E'\';x';"#)]),
    Case(
      name: "standard string ends at backslash-quote", lines: [#"select 'a\'; select 2;"#],
      expected: [stmt(#"select 'a\';"#), stmt("select 2;")]),
    Case(
      name: "string across lines", lines: ["select 'a", ";b';"], expected: [stmt("select 'a\n;b';")]
    ),
    Case(
      name: "quoted identifier", lines: [#"select 1 as "x;y";"#],
      expected: [stmt(#"select 1 as "x;y";"#)]),
    Case(
      name: "dollar quote", lines: ["select $$a;b$$;"], expected: [stmt("select $$a;b$$;")]),
    Case(
      name: "tagged dollar quote with inner dollars",
      lines: [
        "create function f() returns int as $body$", "begin; return 1; $$ not end $$",
        "end $body$ language plpgsql;",
      ],
      expected: [
        stmt(
          "create function f() returns int as $body$\nbegin; return 1; $$ not end $$\nend $body$ language plpgsql;"
        )
      ]),
    Case(
      name: "positional parameter is not a dollar quote", lines: ["select $1; select 2;"],
      expected: [stmt("select $1;"), stmt("select 2;")]),
    Case(
      name: "identifier containing a dollar", lines: ["select a$b$ from t; select 2;"],
      expected: [stmt("select a$b$ from t;"), stmt("select 2;")]),
    Case(
      name: "line comment with semicolon", lines: ["select 1 -- no; end", "+ 1;"],
      expected: [stmt("select 1 -- no; end\n+ 1;")]),
    Case(
      name: "nested block comment", lines: ["select /* a /* b; */ c; */ 1;"],
      expected: [stmt("select /* a /* b; */ c; */ 1;")]),
    Case(
      name: "comment across lines", lines: ["select /* a", "; */ 1;"],
      expected: [stmt("select /* a\n; */ 1;")]),
    Case(
      name: "leading comment lines are dropped", lines: ["-- a comment", "select 1;"],
      expected: [stmt("select 1;")]),
    Case(
      name: "cast is not a variable", lines: ["select '1'::int;"],
      expected: [stmt("select '1'::int;")]),
    Case(
      name: "parentheses hold semicolons", lines: ["select (1;", "2);"],
      expected: [stmt("select (1;\n2);")]),
    Case(
      name: "BEGIN ATOMIC body",
      lines: [
        "create procedure p() language sql begin atomic", "insert into t values (1);",
        "select case when true then 1 end;", "end;",
      ],
      expected: [
        stmt(
          "create procedure p() language sql begin atomic\ninsert into t values (1);\nselect case when true then 1 end;\nend;"
        )
      ]),
    Case(
      name: "CREATE OR REPLACE FUNCTION body",
      lines: [
        "create or replace function f() returns int language sql begin atomic select 1; end;"
      ],
      expected: [
        stmt("create or replace function f() returns int language sql begin atomic select 1; end;")
      ]),
    Case(
      name: "transaction BEGIN is an ordinary statement", lines: ["begin; select 1; end;"],
      expected: [stmt("begin;"), stmt("select 1;"), stmt("end;")]),
    Case(name: "meta-command alone", lines: [#"\x on"#], expected: [meta(#"\x on"#)]),
    Case(
      name: "meta-command after a statement", lines: [#"select 1; \x"#],
      expected: [stmt("select 1;"), meta(#"\x"#)]),
    Case(
      name: "meta-command keeps the pending statement", lines: [#"select 1 \x"#, ";"],
      expected: [meta(#"\x"#), stmt("select 1 \n;")]),
    Case(
      name: "backslash inside a string is not a meta-command", lines: [#"select '\x';"#],
      expected: [stmt(#"select '\x';"#)]),
    Case(
      name: "unfinished statement runs at the end", lines: ["select 1"],
      expected: [stmt("select 1")]),
    Case(name: "empty statement is skipped", lines: [";", "  ;"], expected: []),
    Case(
      name: "U& identifier and B string", lines: [#"select U&"d\0061t" , B'101';"#],
      expected: [stmt(#"select U&"d\0061t" , B'101';"#)]),
  ]

  @Test(arguments: cases)
  func splits(_ c: Case) {
    #expect(split(c.lines) == c.expected)
  }

  @Test func continuationMarkers() {
    var s = StatementSplitter()
    _ = s.feed("select (")
    #expect(s.continuationMarker == "(")
    s.reset()
    _ = s.feed("select 'abc")
    #expect(s.continuationMarker == "'")
    s.reset()
    _ = s.feed("select $x$")
    #expect(s.continuationMarker == "$")
    s.reset()
    _ = s.feed("select /*")
    #expect(s.continuationMarker == "*")
    s.reset()
    _ = s.feed("select \"a")
    #expect(s.continuationMarker == "\"")
    s.reset()
    _ = s.feed("select")
    #expect(s.continuationMarker == "-")
  }

  @Test func resetDiscardsPendingText() {
    var s = StatementSplitter()
    _ = s.feed("select 'unterminated")
    #expect(!s.isEmpty)
    s.reset()
    #expect(s.isEmpty)
    #expect(s.feed("select 1;") == [stmt("select 1;")])
  }
}

struct ShellOptionsTests {
  @Test func psqlStyleBundledOptions() throws {
    let o = try ShellOptions(arguments: ["-Atc", "select 1", "-xf", "s.sql", "db"])
    #expect(o.format == .unaligned)
    #expect(o.tuplesOnly)
    #expect(o.expanded)
    #expect(o.actions == [.command("select 1"), .file("s.sql")])
    #expect(o.target == "db")
    #expect(try ShellOptions(arguments: ["-cselect 2"]).actions == [.command("select 2")])
    #expect(try ShellOptions(arguments: ["--command=select 3"]).actions == [.command("select 3")])
  }

  @Test func usageErrorsAreOneLine() {
    #expect(throws: ShellError("option -c needs a value (see opsql --help)")) {
      try ShellOptions(arguments: ["-c"])
    }
    #expect(throws: ShellError("more than one target given: a and b")) {
      try ShellOptions(arguments: ["a", "b"])
    }
  }
}
