import Testing

@testable import OpsqlKit

struct SQLLexerTests {
  private func kinds(_ sql: String) -> [SQLToken.Kind] {
    SQLLexer.tokenize(sql).map(\.kind)
  }

  private func texts(_ sql: String) -> [String] {
    let bytes = Array(sql.utf8)
    return SQLLexer.tokenize(sql).map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
  }

  @Test func wordsNumbersAndPunctuation() {
    #expect(
      texts("SELECT a.b, 1.5e3 FROM t;") == [
        "SELECT", "a", ".", "b", ",", "1.5e3", "FROM", "t", ";",
      ])
    #expect(kinds("select 1;") == [.word, .number, .semicolon])
  }

  @Test func stringsOfEveryKind() {
    #expect(kinds("'a' E'b\\'c' B'01' X'ff' N'n' U&'u'") == Array(repeating: .string, count: 6))
    #expect(texts("E'it\\'s'") == ["E'it\\'s'"])
    #expect(texts("'it''s'") == ["'it''s'"])
  }

  @Test func dollarQuotes() {
    #expect(texts("$$a$$ $tag$b$$c$tag$ $1") == ["$$a$$", "$tag$b$$c$tag$", "$1"])
    #expect(kinds("$tag$x$tag$") == [.string])
    #expect(kinds("$1") == [.parameter])
  }

  @Test func castsAndVariables() {
    #expect(texts("x::int") == ["x", "::", "int"])
    #expect(kinds(":name :'lit' :\"ident\"") == [.variable, .variable, .variable])
  }

  @Test func commentsAreTokens() {
    #expect(kinds("-- c\nselect /* x /* y */ */ 1") == [.comment, .word, .comment, .number])
  }

  @Test func operatorsStopBeforeComments() {
    #expect(texts("a<>b+--c") == ["a", "<>", "b", "+", "--c"])
  }

  @Test func unterminatedConstructsReportTheirMode() {
    let (tokens, mode) = SQLLexer.tokenize(Array("select 'abc\n".utf8), startingIn: .normal)
    #expect(mode == .singleQuote(backslashEscapes: false))
    #expect(tokens.last?.isComplete == false)
    let (_, dollar) = SQLLexer.tokenize(Array("$f$ body\n".utf8), startingIn: .normal)
    #expect(dollar == .dollarQuote(tag: Array("f".utf8)))
    let (resumed, after) = SQLLexer.tokenize(Array("end $f$;\n".utf8), startingIn: dollar)
    #expect(after == .normal)
    #expect(resumed.map(\.kind) == [.string, .semicolon])
  }

  @Test func metaCommandTakesTheRestOfTheLine() {
    #expect(texts("select 1 \\x on\n") == ["select", "1", "\\x on"])
  }
}

struct MetaCommandLineTests {
  @Test func nameAndArguments() {
    let m = MetaCommandLine(parsing: #"\pset null '(null)'"#)
    #expect(m.name == "pset")
    #expect(m.arguments == ["null", "(null)"])
  }

  @Test func psqlQuoting() {
    #expect(
      MetaCommandLine(parsing: #"\echo 'a\nb' 'it''s' "Id""#).arguments == [
        "a\nb", "it's", "\"Id\"",
      ])
    #expect(MetaCommandLine(parsing: #"\echo 'tab\there'"#).arguments == ["tab\there"])
  }

  /// psql's variable references in meta-command arguments, outside quotes only.
  @Test func variablesInArguments() {
    let variables = ["who": "it's me", "pid": "4242", "n": "7"]
    #expect(
      MetaCommandLine(
        parsing: #"\echo :who :'who' :"who" :nope x:n ':who' pid=:pid"#, variables: variables
      ).arguments == ["it's me", "'it''s me'", "\"it's me\"", ":nope", "x7", ":who", "pid=4242"])
    #expect(MetaCommandLine(parsing: #"\echo :who"#).arguments == [":who"])
  }

  @Test func helpAndPlusCommands() {
    #expect(MetaCommandLine(parsing: #"\?"#).name == "?")
    #expect(MetaCommandLine(parsing: #"\dt+ public.*"#).name == "dt+")
    #expect(MetaCommandLine(parsing: #"\o | cat -n"#).rest == "| cat -n")
  }
}
