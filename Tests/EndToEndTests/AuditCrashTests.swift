import Glibc
import Testing

@testable import TestSupport

/// A session killed with SIGKILL in the middle of a statement leaves its begin row; the audit
/// shows the outcome as unknown.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct AuditCrashTests {
  @Test func killedSessionLeavesAnOpenBeginRow() {
    let dir = TestEnvironment.temporaryDirectory()
    let audit = dir + "/crash.db"
    let term = PseudoTerminal(
      TestEnvironment.opsql, ["--audit", audit, "postgres"],
      environment: ["XDG_STATE_HOME": dir, "NO_COLOR": "1"])
    #expect(term.expect("postgres=> "))
    term.waitForInput()
    let marker = "crash_marker_\(getpid())_\(Int(Processes.now() * 1000) % 1_000_000)"
    term.type("select pg_sleep(30) as \(marker);\r")
    #expect(
      Background.waitFor(
        "postgres",
        "select count(*) from pg_stat_activity where query like '%\(marker)%' and state = 'active' and pid <> pg_backend_pid()",
        toPrint: "1\n"))
    kill(term.pid, SIGKILL)
    // The server would sleep on for 30 s without its client: end that backend too.
    defer {
      _ = TestEnvironment.psql([
        "-c",
        "select pg_terminate_backend(pid) from pg_stat_activity where query like '%\(marker)%' and pid <> pg_backend_pid()",
      ])
    }
    #expect(term.waitForExit() == 128 + SIGKILL)
    let list = TestEnvironment.opsql(["audit", "list", "--audit", audit, "--format", "csv"])
    let line = list.stdout.split(separator: "\n").first { $0.contains(marker) }
    #expect(line?.contains(",statement,begin,") == true)
    #expect(line?.contains(",unknown,") == true)
    #expect(TestEnvironment.opsql(["audit", "verify", "--audit", audit]).status == 0)
  }
}
