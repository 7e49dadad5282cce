import Glibc
import Testing

@testable import TestSupport

/// `\on` runs every target's statement at the same time, on threads it keeps between commands.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct FanOutTests {
  let db = TestEnvironment.database("opsql_fanout", setup: "CREATE SEQUENCE arrivals;")

  /// Each statement counts itself in (a sequence is not transactional) and waits for the other
  /// three: run one after another, the first would give up after 5 s and fail.
  @Test func everyTargetsStatementRunsAtOnceEachTime() {
    let dir = TestEnvironment.temporaryDirectory()
    let config = dir + "/config"
    TestEnvironment.writeFile(
      config,
      (1...4).map { "[target t\($0)]\nconninfo = dbname=\(db)\n" }.joined()
        + "[group four]\ntargets = t1, t2, t3, t4\n")
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
}
