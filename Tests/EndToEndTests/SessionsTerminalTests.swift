import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// Four targets of three kinds open in one shell: switching keeps transactions, `\sessions`
/// lists them all, `\on` runs one statement on several.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct SessionsTerminalTests {
  let a = TestEnvironment.database("opsql_multi_a")
  let b = TestEnvironment.database("opsql_multi_b")
  let d1 = D1StandIn()
  let dir = TestEnvironment.temporaryDirectory()

  private func enter(_ term: PseudoTerminal, _ line: String, expecting: String) -> Bool {
    let mark = term.transcript.count
    term.type(line + "\r")
    let seen = term.expect(expecting, after: mark)
    term.waitForInput()
    return seen
  }

  @Test func fourSessionsOfThreeKinds() throws {
    let scratch = dir + "/scratch.db"
    let file = try SQLiteConnection(path: scratch, create: true)
    try file.execute("CREATE TABLE notes (n TEXT); INSERT INTO notes VALUES ('from sqlite');")
    file.close()
    let config = dir + "/config"
    let fd = open(config, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let text = """
      [target a]
      conninfo = dbname=\(a)
      [target b]
      conninfo = dbname=\(b)
      [target edge]
      kind = d1
      account = \(d1.account)
      database = \(d1.databaseName)
      [target scratch]
      kind = sqlite
      path = \(scratch)
      [group pair]
      targets = a, b

      """
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    var env = d1.environment
    env["XDG_STATE_HOME"] = dir
    env["NO_COLOR"] = "1"
    let term = PseudoTerminal(TestEnvironment.opsql, ["--config", config, "a"], environment: env)
    #expect(term.expect("a=> "), "\(term.text)")
    term.waitForInput()
    #expect(enter(term, "begin;", expecting: "a=*> "))
    #expect(enter(term, "\\c b", expecting: "b=> "))
    #expect(enter(term, "\\c a", expecting: "a=*> "))
    #expect(enter(term, "\\c edge", expecting: "edge=> "))
    #expect(enter(term, "\\c scratch", expecting: "scratch=> "))
    #expect(enter(term, "select n from notes;", expecting: "from sqlite"))
    var mark = term.transcript.count
    #expect(enter(term, "\\sessions", expecting: "(4 rows)"))
    let listing = String(decoding: term.transcript[mark...], as: UTF8.self)
    for row in [
      "a       | postgres | development | open  | in transaction", "  b ", "  edge ",
      "* scratch | sqlite",
    ] {
      #expect(listing.contains(row), "\(row) in \(listing)")
    }
    mark = term.transcript.count
    #expect(enter(term, "\\on a,b SELECT current_database();", expecting: "b: ok, 1 row"))
    let grouped = String(decoding: term.transcript[mark...], as: UTF8.self)
    #expect(grouped.contains("── a (development) ──"))
    #expect(grouped.contains(" \(a)\r\n"))
    #expect(grouped.contains(" \(b)\r\n"))
    #expect(enter(term, "\\on @pair select 1 as one;", expecting: "b: ok, 1 row"))
    #expect(enter(term, "\\c a", expecting: "a=*> "))
    #expect(enter(term, "rollback;", expecting: "a=> "))

    // Ctrl-C during an \on cancels every target's statement; the sessions stay usable.
    mark = term.transcript.count
    term.type("\\on @pair select pg_sleep(30) as fanout_marker;\r")
    term.pump(1.0)
    let before = Processes.now()
    term.type("\u{03}")
    #expect(term.expect("b: ERROR:  57014: canceling statement due to user request", after: mark))
    #expect(Processes.now() - before < 5)
    term.waitForInput()
    let cancelled = String(decoding: term.transcript[mark...], as: UTF8.self)
    #expect(cancelled.contains("a: ERROR:  57014: canceling statement due to user request"))
    #expect(
      cancelled.split(separator: "\n").filter { $0.contains("Cancel request sent") }.count == 1)
    let sleeping = TestEnvironment.psql([
      "-At", "-c",
      "select count(*) from pg_stat_activity where query like 'select pg_sleep(30) as fanout_marker%' and state = 'active'",
    ])
    #expect(sleeping.stdout == "0\n")
    #expect(enter(term, "\\on @pair select 2 as two;", expecting: "b: ok, 1 row"))
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }
}
