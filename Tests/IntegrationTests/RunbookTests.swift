import Testing

@testable import TestSupport

/// The runbooks shipped in history/, replayed against the test cluster as a DBA would.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct RunbookTests {
  let db = TestEnvironment.database(
    "opsql_runbooks", setup: "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1);")
  static let history =
    String(#filePath.dropLast("Tests/IntegrationTests/RunbookTests.swift".count)) + "history/"
  let audit = TestEnvironment.temporaryDirectory() + "/audit.db"

  private func replay(_ name: String, _ args: [String]) -> ProcessResult {
    TestEnvironment.opsql(
      ["replay", Self.history + name, "--target", "db=\(db)", "--audit", audit] + args)
  }

  @Test func inactiveSlot() {
    _ = TestEnvironment.psql([
      "-d", db, "-c", "select pg_create_logical_replication_slot('runbook_slot', 'test_decoding')",
    ])
    let r = replay("inactive-slot.opsql", ["--yes", "--set", "slot=runbook_slot"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains(" wal_level "))
    #expect(r.stdout.contains(" runbook_slot | logical "))
    #expect(r.stdout.contains("Preview (drop-slot):"))
    #expect(
      TestEnvironment.psql([
        "-At", "-c", "select count(*) from pg_replication_slots where slot_name = 'runbook_slot'",
      ]).stdout == "0\n")
  }

  @Test func blockingQuery() {
    let holder = Background.psql(
      db, application: "runbook-holder", "begin;\nlock table orders;\nselect 1;\n")
    defer { holder.stop() }
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'runbook-holder'",
        toPrint: "idle in transaction\n"))
    let waiter = Background.psql(db, application: "runbook-waiter", "select * from orders;\n")
    defer { waiter.stop() }
    #expect(
      Background.waitFor(
        db,
        "select wait_event_type from pg_stat_activity where application_name = 'runbook-waiter'",
        toPrint: "Lock\n"))
    let pid = TestEnvironment.psql([
      "-d", db, "-At", "-c",
      "select pid from pg_stat_activity where application_name = 'runbook-holder'",
    ]).stdout.dropLast()
    // Without a value for the pid and without a terminal, the runbook stops and says why.
    let missing = replay("blocking-query.opsql", ["--yes"])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.contains(
        "kill-query needs a value for pid (Backend process id (see running-queries)): type it on a terminal, or give --set pid=VALUE to opsql replay"
      ))
    #expect(
      missing.stderr.contains(
        "resume with: opsql replay \(Self.history)blocking-query.opsql --from 4"))
    let r = replay("blocking-query.opsql", ["--yes", "--set", "pid=\(pid)", "--from", "4"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      Background.waitFor(
        db, "select count(*) from pg_stat_activity where application_name = 'runbook-holder'",
        toPrint: "0\n"))
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'runbook-waiter'",
        toPrint: "idle\n"))
  }

  @Test func readonlyAnalyst() {
    _ = TestEnvironment.psql([
      "-c", "drop owned by runbook_analyst cascade; drop role if exists runbook_analyst",
    ])
    let dry = replay("readonly-analyst.opsql", ["--dry-run", "--set", "name=runbook_analyst"])
    #expect(
      dry.stdout.contains(
        "DRY RUN [destructive] on \(db): CREATE ROLE \"runbook_analyst\" LOGIN PASSWORD '***';"))
    #expect(
      TestEnvironment.psql([
        "-At", "-c", "select count(*) from pg_roles where rolname = 'runbook_analyst'",
      ]).stdout == "0\n")
    let r = replay("readonly-analyst.opsql", ["--yes", "--set", "name=runbook_analyst"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("password (generated; shown this once, kept nowhere): "))
    #expect(r.stdout.contains(" runbook_analyst "))
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c",
        "select has_table_privilege('runbook_analyst', 'orders', 'SELECT'), has_table_privilege('runbook_analyst', 'orders', 'INSERT')",
      ]).stdout == "t|f\n")
  }
}
