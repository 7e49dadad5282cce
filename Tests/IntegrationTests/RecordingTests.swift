import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// `\record`, `opsql replay` and `audit export --format opsql` against the test cluster.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct RecordingTests {
  let source = TestEnvironment.database("opsql_rec_source", setup: "CREATE TABLE other (x int);")
  let copy = TestEnvironment.database("opsql_rec_copy")
  let dir = TestEnvironment.temporaryDirectory()

  private func opsql(_ args: [String]) -> ProcessResult {
    Processes.run(
      "/bin/sh",
      ["-c", "cd \(dir) && exec \"$@\"", "sh", TestEnvironment.opsql] + args + [
        "--audit", dir + "/audit.db",
      ])
  }

  private func count(_ db: String, _ sql: String) -> String {
    TestEnvironment.psql(["-d", db, "-At", "-c", sql]).stdout
  }

  @Test func recordThenReplayDryRealAndFrom() throws {
    mkdir(dir + "/history", 0o755)
    _ = TestEnvironment.psql(["-c", "drop role if exists rec_role"])
    let recorded = opsql([
      "-d", source, "--yes", "--continue-on-error", "-c", "\\record incident",
      "-c", "create table notes (n int)", "-c", "insert into notes values (1), (2)",
      "-c", "\\n create-user rec_role password=S3cret-Value", "-c", "\\c \(source)",
      "-c", "select * from no_such_table", "-c", "insert into notes values (3)", "-c",
      "\\record stop",
    ])
    #expect(recorded.status == 1)
    let file = dir + "/history/incident.opsql"
    let text = try #require(readTextFile(file))
    #expect(text.hasPrefix("-- opsql recording: incident\n-- operator: "))
    #expect(text.contains("\n\\c \(source)\n-- step 1: the target the recording starts on\n"))
    #expect(text.contains("\ncreate table notes (n int);\n-- step 2: ok, "))
    #expect(text.contains("\n\\n create-user rec_role password=?\n-- step 4: ok, "))
    #expect(
      text.contains(
        "\nselect * from no_such_table;\n-- step 6: error 42P01: relation \"no_such_table\" does not exist\n"
      ))
    #expect(!text.contains("S3cret-Value"))
    var st = stat()
    #expect(stat(file, &st) == 0 && st.st_mode & 0o777 == 0o600)

    // The error step would stop a replay: take it out, as a DBA editing a runbook would.
    let edited = text.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { $0 != "select * from no_such_table;" }.joined(separator: "\n")
    TestEnvironment.writeFile(file, edited, mode: 0o600)
    let dry = opsql(["replay", file, "--target", "\(source)=\(copy)", "--dry-run"])
    #expect(dry.status == 3, "\(dry.stderr)")  // the role step would need a terminal
    #expect(dry.stdout.contains("DRY RUN [write] on \(copy): create table notes (n int);"))
    #expect(count(copy, "select count(*) from pg_tables where tablename = 'notes'") == "0\n")

    _ = TestEnvironment.psql(["-c", "drop role if exists rec_role"])
    let real = opsql(["replay", file, "--target", "\(source)=\(copy)", "--yes", "--from", "2"])
    // step 4 asks for the secret (`?`), and there is no terminal to type it on.
    #expect(real.status == 1)
    #expect(
      real.stderr.contains(
        "replay stopped at step 4 of \(file); after fixing the cause, resume with: opsql replay \(file) --from 4"
      ))
    #expect(count(copy, "select count(*) from notes") == "2\n")
    let resumed = opsql(["replay", file, "--target", "\(source)=\(copy)", "--yes", "--from", "5"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(count(copy, "select count(*) from notes") == "3\n")
    let rows = try AuditLog(path: dir + "/audit.db", readOnly: true).rows(
      where: "detail LIKE '%\"replay\"%'")
    #expect(
      rows.contains {
        $0["detail"] == "{\"replay\":\"\(file)\",\"step\":\"6\"}"
          && $0["sql"] == "insert into notes values (3);"
      })
  }

  @Test func aDestructiveStepWithoutATerminalStopsTheReplay() {
    let file = dir + "/drop.opsql"
    TestEnvironment.writeFile(
      file,
      "\\c \(copy)\ncreate table t_keep (x int);\ndrop table t_keep;\ncreate table t_after (x int);\n"
    )
    let r = opsql(["replay", file])
    #expect(r.status == 3)
    #expect(r.stderr.contains("there is no terminal to ask on; pass --yes"))
    #expect(
      count(copy, "select count(*) from pg_tables where tablename in ('t_keep', 't_after')")
        == "1\n")
  }

  @Test func anExportedSessionReplaysToTheSameEffects() throws {
    let run = opsql([
      "-d", source, "-c", "create table exported (v text)", "-c",
      "insert into exported values ('it''s')", "-c", "select 1/0",
    ])
    #expect(run.status == 1)
    let sessions = try AuditLog(path: dir + "/audit.db", readOnly: true).rows(
      where: "sql = 'create table exported (v text)'")
    let session = try #require(sessions.first?["session"])
    let exported = opsql(["audit", "export", "--session", session, "--format", "opsql"])
    #expect(exported.status == 0)
    #expect(
      exported.stdout.contains(
        "\\c \(source)\ncreate table exported (v text);\n\ninsert into exported values ('it''s');\n"
      ))
    #expect(!exported.stdout.contains("1/0"))
    TestEnvironment.writeFile(dir + "/exported.opsql", exported.stdout)
    let replayed = opsql(["replay", dir + "/exported.opsql", "--target", "\(source)=\(copy)"])
    #expect(replayed.status == 0, "\(replayed.stderr)")
    #expect(count(copy, "select v from exported") == "it's\n")
  }
}
