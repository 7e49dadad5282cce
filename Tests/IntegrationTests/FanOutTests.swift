import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// `\on` runs every target's statement at the same time, on threads it keeps between commands.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct FanOutTests {
  let db = TestEnvironment.database(
    "opsql_fanout", setup: "CREATE SEQUENCE arrivals; CREATE TABLE fanned (a int);")
  let dir = TestEnvironment.temporaryDirectory()

  private func config() -> String {
    let path = dir + "/config"
    TestEnvironment.writeFile(
      path,
      (1...4).map { "[target t\($0)]\nconninfo = dbname=\(db)\n" }.joined()
        + "[group four]\ntargets = t1, t2, t3, t4\n")
    return path
  }

  /// Each statement counts itself in (a sequence is not transactional) and waits for the other
  /// three: run one after another, the first would give up after 5 s and fail.
  @Test func everyTargetsStatementRunsAtOnceEachTime() {
    let config = config()
    func rendezvous(_ round: Int) -> String {
      """
      \\on @four DO $$ BEGIN PERFORM nextval('arrivals'); \
      FOR i IN 1..50 LOOP EXIT WHEN (SELECT last_value FROM arrivals) >= \(4 * round); \
      PERFORM pg_sleep(0.1); END LOOP; \
      IF (SELECT last_value FROM arrivals) < \(4 * round) THEN RAISE EXCEPTION 'alone'; END IF; \
      END $$
      """
    }
    // Twice in one run: the second round runs on the threads the first one left.
    let r = TestEnvironment.opsql(
      ["--config", config, "--yes", "t1", "-c", rendezvous(1), "-c", rendezvous(2)])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.contains("alone"))
    let lines = r.stdout.split(separator: "\n")
    for target in ["t1", "t2", "t3", "t4"] {
      #expect(lines.filter { $0.hasPrefix("\(target): ok") }.count == 2)
    }
  }

  /// Postgres targets are read together on one thread, a SQLite one on a thread of its own: a
  /// target's failure is its own, every result comes back whole and in the targets' order.
  @Test func oneTargetsFailureLeavesTheOthersWhole() throws {
    let other = TestEnvironment.database(
      "opsql_fanout_other",
      setup: "CREATE TABLE only_here AS SELECT g, 'pg ' || g AS v FROM generate_series(1, 2000) g;")
    let lite = dir + "/lite.db"
    let file = try SQLiteConnection(path: lite, create: true)
    try file.execute(
      "CREATE TABLE only_here (g INT, v TEXT); INSERT INTO only_here VALUES (1, 'lite 1');")
    file.close()
    let path = dir + "/mixed-config"
    TestEnvironment.writeFile(
      path,
      """
      [target missing]
      conninfo = dbname=\(db)
      [target big]
      conninfo = dbname=\(other)
      [target big2]
      conninfo = dbname=\(other)
      [target lite]
      kind = sqlite
      path = \(lite)

      """)
    let r = TestEnvironment.opsql([
      "--config", path, "missing", "-c",
      "\\on missing,big,lite,big2 select v from only_here order by g",
    ])
    #expect(r.status == 1, "\(r.stderr)")
    let sections = r.stdout.split(separator: "── ").map { String($0) }
    #expect(sections.map { $0.prefix(while: { $0 != " " }) } == ["missing", "big", "lite", "big2"])
    guard sections.count == 4 else { return }
    #expect(sections[0].contains("missing: ERROR:  42P01: relation \"only_here\" does not exist"))
    for k in [1, 3] {
      #expect(sections[k].contains(" pg 1\n") && sections[k].contains(" pg 2000\n"))
      #expect(sections[k].contains("(2000 rows)"))
    }
    #expect(
      sections[1].contains("big: ok, 2000 rows") && sections[3].contains("big2: ok, 2000 rows"))
    #expect(sections[2].contains(" lite 1\n") && sections[2].contains("lite: ok, 1 row"))
  }

  /// Notices raised while the statements are read together go to their own target's section.
  @Test func noticesComeBackWithTheirTarget() {
    let r = TestEnvironment.opsql([
      "--config", config(), "--yes", "t1", "-c",
      "\\on t2,t3 DO $$ BEGIN RAISE NOTICE 'pid %', pg_backend_pid(); END $$",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let sections = r.stdout.split(separator: "── ").map { String($0) }
    #expect(sections.count == 2)
    let pids = sections.compactMap { section in
      section.split(separator: "\n").first { $0.hasPrefix("NOTICE:  pid ") }
    }
    #expect(pids.count == 2 && pids[0] != pids[1], "\(r.stdout)")
  }

  /// A snippet is bound once and rendered for each target; its statements are audited under
  /// its name, with one snippet row for the whole set.
  @Test func aSnippetRunsOnEveryTarget() throws {
    let audit = dir + "/snippet-audit.db"
    let r = TestEnvironment.opsql([
      "--config", config(), "--audit", audit, "t1", "-c", "\\on t1,t2 \\n table-sizes limit=1",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("── t1 (development) ──"))
    #expect(r.stdout.contains("── t2 (development) ──"))
    #expect(r.stdout.contains(" public | fanned "))
    #expect(r.stdout.contains("t1: ok, 1 row") && r.stdout.contains("t2: ok, 1 row"))
    let rows = try AuditLog(path: audit, readOnly: true).rows()
    let begins = rows.filter { $0["kind"] == "statement" && $0["phase"] == "begin" }
    #expect(begins.map { $0["target"] } == ["t1", "t2"])
    #expect(begins.allSatisfy { $0["snippet"] == "table-sizes" && $0["group_id"] != nil })
    let snippetRows = rows.filter { $0["kind"] == "snippet" }
    #expect(snippetRows.map { $0["phase"] } == ["begin", "end"])
    #expect(snippetRows.first?["params"] == "{\"limit\":\"1\"}")
    #expect(snippetRows.last?["outcome"] == "ok")
  }

  /// A snippet with a preview, a refusal check or a secret runs on one target at a time.
  @Test func aSnippetThatAsksOrChecksIsRefusedOnSeveral() {
    let r = TestEnvironment.opsql([
      "--config", config(), "t1", "-c", "\\on @four \\n kill-query pid=1",
    ])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "\\on: kill-query has a preview: run it on one target at a time (\\c NAME, then \\n kill-query)\n"
    )
    let dt = TestEnvironment.opsql(["--config", config(), "t1", "-c", "\\on @four \\dt"])
    #expect(dt.status == 1)
    #expect(
      dt.stderr == "\\on: SQL or a snippet (\\n NAME ARGS) runs on several targets, not \\dt\n")
  }
}
