import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// Pairing: one terminal shares, another follows read-only.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct ShareTerminalTests {
  @Test func aFollowerSeesTheSessionAndCannotType() throws {
    let dir = TestEnvironment.temporaryDirectory()
    let runtime = dir + "/run"
    mkdir(runtime, 0o700)
    let audit = dir + "/audit.db"
    let env = ["XDG_STATE_HOME": dir, "XDG_RUNTIME_DIR": runtime, "NO_COLOR": "1"]
    let driver = PseudoTerminal(
      TestEnvironment.opsql, ["--audit", audit, "postgres"], environment: env)
    #expect(driver.expect("postgres=> "))
    driver.waitForInput()
    driver.type("select 'before-sharing' as early;\r")
    #expect(driver.expect("(1 row)"))
    driver.waitForInput()
    var mark = driver.transcript.count
    driver.type("\\share\r")
    #expect(driver.expect("opsql attach ", after: mark))
    driver.waitForInput()
    let shown = String(decoding: driver.transcript[mark...], as: UTF8.self)
    let id = try #require(
      shown.split(separator: "\n").first { $0.contains("opsql attach ") }?
        .split(separator: " ").drop(while: { $0 != "attach" }).dropFirst().first.map(String.init))

    let follower = PseudoTerminal(TestEnvironment.opsql, ["attach", id], environment: env)
    #expect(follower.expect("following session \(id), read-only"))
    // What was on screen before the attach is there too.
    #expect(follower.expect("before-sharing"))

    mark = driver.transcript.count
    let followerMark = follower.transcript.count
    driver.type("select 'shared-marker' as m;\r")
    #expect(follower.expect("select 'shared-marker' as m;", after: followerMark, timeout: 2))
    #expect(follower.expect(" shared-marker\r\n(1 row)", after: followerMark, timeout: 2))
    driver.waitForInput()

    // Keys typed by the follower go nowhere.
    follower.type("select 'from-the-follower';\r")
    follower.pump(0.5)
    #expect(!driver.contains("from-the-follower", after: mark))

    driver.type("\\q\r")
    #expect(driver.waitForExit() == 0)
    #expect(follower.waitForExit() == 0)
    #expect(follower.contains("the shared session ended"))
    let rows = try AuditLog(path: audit, readOnly: true).rows(
      where: "kind IN ('attach', 'detach', 'share')")
    #expect(rows.map { $0["kind"] ?? "" } == ["share", "attach", "detach"])
    #expect(rows[1]["detail"]?.contains("\"follower\":\"\(Auditor.currentUser())\"") == true)
  }
}

/// `opsql replay --step` asks before each step on a terminal.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct ReplayStepTerminalTests {
  @Test func runSkipAndQuit() {
    let db = TestEnvironment.database("opsql_step")
    let dir = TestEnvironment.temporaryDirectory()
    let file = dir + "/steps.opsql"
    TestEnvironment.writeFile(
      file,
      "\\c \(db)\ncreate table step_run (x int);\ncreate table step_skipped (x int);\ncreate table step_never (x int);\n"
    )
    let term = PseudoTerminal(
      TestEnvironment.opsql, ["replay", file, "--step", "--audit", dir + "/audit.db"],
      environment: ["XDG_STATE_HOME": dir, "NO_COLOR": "1"])
    for (step, answer) in [
      ("step 1: \\c \(db)", "r"), ("step 2: create table step_run", "r"),
      ("step 3: create table step_skipped", "s"), ("step 4: create table step_never", "q"),
    ] {
      #expect(term.expect(step), "\(step): \(term.text)")
      #expect(term.expect("[r]un, [s]kip or [q]uit? "))
      term.type(answer + "\r")
    }
    #expect(term.waitForExit() == 0)
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c",
        "select string_agg(tablename, ',' order by tablename) from pg_tables where tablename like 'step_%'",
      ]).stdout
        == "step_run\n")
  }
}
