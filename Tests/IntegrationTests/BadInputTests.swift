import Glibc
import Testing

@testable import TestSupport

/// Each kind of bad input gives one clear line on stderr and the documented exit code.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"))
struct BadInputTests {
  private func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n")
  }

  @Test func unreachableServer() {
    let r = TestEnvironment.opsql(["host=/nonexistent port=1", "-c", "select 1"])
    #expect(r.status == 2)
    #expect(lines(r.stderr).count == 1)
    #expect(r.stderr.hasPrefix("opsql: error: connection to server on socket"))
    #expect(r.stderr.contains("/nonexistent/.s.PGSQL.1"))
  }

  @Test func wrongPassword() {
    let setup = TestEnvironment.psql([
      "-q", "-c",
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'opsql_pw') THEN CREATE ROLE opsql_pw LOGIN PASSWORD 'right-one'; END IF; END $$",
    ])
    #expect(setup.status == 0, "\(setup.stderr)")
    let r = TestEnvironment.opsql(
      ["user=opsql_pw dbname=postgres", "-c", "select 1"], environment: ["PGPASSWORD": "wrong"])
    #expect(r.status == 2)
    #expect(lines(r.stderr).count == 1)
    #expect(r.stderr.contains("password authentication failed for user \"opsql_pw\""))
    #expect(!r.stderr.contains("wrong"))
    let ok = TestEnvironment.opsql(
      ["user=opsql_pw dbname=postgres", "-c", "select current_user"],
      environment: ["PGPASSWORD": "right-one"])
    #expect(ok.status == 0)
    #expect(ok.stdout.contains("opsql_pw"))
  }

  @Test func unknownDatabase() {
    let r = TestEnvironment.opsql(["no_such_db", "-c", "select 1"])
    #expect(r.status == 2)
    #expect(lines(r.stderr).count == 1)
    #expect(r.stderr.contains("database \"no_such_db\" does not exist"))
  }

  @Test func syntaxError() {
    let r = TestEnvironment.opsql(["-c", "select 1 from from"])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "ERROR:  42601: syntax error at or near \"from\"\nLINE 1: select 1 from from\n                      ^\n"
    )
  }

  @Test func missingScript() {
    let r = TestEnvironment.opsql(["-f", "/nonexistent/script.sql"])
    #expect(r.status == 2)
    #expect(r.stderr == "opsql: /nonexistent/script.sql: No such file or directory\n")
  }

  @Test func missingIncludeFailsTheScript() {
    let r = TestEnvironment.opsql(["-c", "\\i /nonexistent/inc.sql"])
    #expect(r.status == 1)
    #expect(r.stderr == "\\i: /nonexistent/inc.sql: No such file or directory\n")
  }

  @Test func unknownOptionAndMetaCommand() {
    let r = TestEnvironment.opsql(["--frobnicate"])
    #expect(r.status == 2)
    #expect(r.stderr == "opsql: unknown option --frobnicate (see opsql --help)\n")
    let m = TestEnvironment.opsql(["-c", "\\frob"])
    #expect(m.status == 1)
    #expect(m.stderr == "invalid command \\frob (try \\? for help)\n")
  }

  @Test func badMetaCommandArgument() {
    let r = TestEnvironment.opsql(["-c", "\\x sideways"])
    #expect(r.status == 1)
    #expect(r.stderr == "\\x: unrecognized value \"sideways\": Boolean expected\n")
  }
}

extension BadInputTests {
  @Test func unknownTargetAndKind() {
    let dir = TestEnvironment.temporaryDirectory()
    let config = dir + "/config"
    let fd = open(config, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let text = "[target weird]\nkind = oracle\n"
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    let kind = TestEnvironment.opsql(["--config", config, "-c", "select 1"])
    #expect(kind.status == 2)
    #expect(
      kind.stderr
        == "opsql: \(config):2: unknown kind \"oracle\"; expected postgres, d1 or sqlite\n")
    let unknown = TestEnvironment.opsql(["-c", "\\c no_such_target_or_db"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("\\c: connection to server"))
    #expect(unknown.stderr.contains("database \"no_such_target_or_db\" does not exist"))
    let on = TestEnvironment.opsql(["-c", "\\on ghost select 1"])
    #expect(on.status == 1)
    #expect(
      on.stderr == "\\on: unknown target ghost: neither an open session nor a configured target\n")
    let sqlite = TestEnvironment.opsql(["sqlite:/nonexistent/file.db", "-c", "select 1"])
    #expect(sqlite.status == 2)
    #expect(sqlite.stderr == "opsql: error: /nonexistent/file.db: no such SQLite file\n")
  }
}
