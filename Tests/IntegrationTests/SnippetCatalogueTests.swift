import Glibc
import Testing

@testable import TestSupport

/// Every built-in snippet against the test cluster: it runs, and returns what it promises.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct SnippetCatalogueTests {
  let db = TestEnvironment.database(
    "opsql_snippets",
    setup: """
      CREATE TABLE items (id serial PRIMARY KEY, name text, qty int) WITH (autovacuum_enabled = off);
      INSERT INTO items (name, qty) SELECT 'item ' || g, g FROM generate_series(1, 5000) g;
      CREATE INDEX items_qty_never_used ON items (qty);
      DELETE FROM items WHERE id <= 1000;
      SELECT pg_stat_force_next_flush();
      """)

  private func run(_ arguments: [String], env: [String: String] = [:]) -> ProcessResult {
    TestEnvironment.opsql(["-d", db] + arguments, environment: env)
  }

  private func pidOf(_ application: String) -> String {
    TestEnvironment.psql([
      "-d", db, "-At", "-c",
      "select pid from pg_stat_activity where application_name = '\(application)'",
    ]).stdout.trimmingNewline
  }

  static let readSnippets: [(String, [String], String)] = [
    ("connections", [], "| connections | max_connections | pct_of_max"),
    ("replication-settings", [], " wal_level "),
    ("replication-status", [], "replay_lag_size"),
    ("temp-files", [], " opsql_snippets "),
    ("db-sizes", [], " opsql_snippets "),
    ("table-sizes", [], " public | items "),
    ("table-sizes", ["limit=1"], "(1 row)"),
    ("index-sizes", [], " items_qty_never_used "),
    ("cache-hit", [], " tables "),
    ("index-usage", [], " items "),
    ("index-cache-hit", [], " items_pkey "),
    ("unused-indexes", [], " items_qty_never_used "),
    ("vacuum-progress", [], "pct_scanned"),
    ("dead-tuples", [], " items |      4000 |      1000 |     20.0 "),
    ("wraparound", [], " opsql_snippets "),
    ("settings", ["like=wal%"], " wal_level "),
    ("users", [], " postgres "),
    ("replication-slots", [], "retained_wal"),
    ("running-queries", [], "running_for"),
    ("long-transactions", [], "transaction_age"),
    ("idle-in-transaction", [], "idle_for"),
    ("blocking", [], "blocking_pid"),
  ]

  @Test(arguments: readSnippets)
  func readSnippetRuns(name: String, args: [String], expected: String) {
    let r = run(["-c", (["\\n", name] + args).joined(separator: " ")])
    #expect(r.status == 0, "\(name): \(r.stderr)")
    #expect(r.stdout.contains(expected), "\(name) printed:\n\(r.stdout)")
  }

  @Test func sessionSnippetsSeeWhatIsGoingOn() {
    let holder = Background.psql(
      db, application: "opsql-holder", "begin;\nlock table items;\nselect 1;\n")
    defer { holder.stop() }
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'opsql-holder'",
        toPrint: "idle in transaction\n"))
    let waiter = Background.psql(db, application: "opsql-waiter", "select count(*) from items;\n")
    defer { waiter.stop() }
    #expect(
      Background.waitFor(
        db, "select wait_event_type from pg_stat_activity where application_name = 'opsql-waiter'",
        toPrint: "Lock\n"))
    let holderPID = pidOf("opsql-holder")
    let waiterPID = pidOf("opsql-waiter")

    let blocking = run(["-At", "-c", "\\n blocking"])
    #expect(blocking.stdout.hasPrefix("\(waiterPID)|postgres|"))
    #expect(blocking.stdout.contains("|\(holderPID)|postgres|idle in transaction|"))
    #expect(
      run(["-At", "-c", "\\n idle-in-transaction"]).stdout.hasPrefix("\(holderPID)|postgres|"))
    #expect(
      run(["-At", "-c", "\\n long-transactions older_than='0 s'"]).stdout.contains(
        "\(holderPID)|postgres|"))
    #expect(
      run(["-At", "-c", "\\n running-queries"]).stdout.contains("select count(*) from items;"))
  }

  @Test func killQueryNeedsConfirmationThenTerminates() {
    let sleeper = Background.psql(db, application: "opsql-sleeper", "select pg_sleep(60);\n")
    defer { sleeper.stop() }
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'opsql-sleeper'",
        toPrint: "active\n"))
    let pid = pidOf("opsql-sleeper")

    // No terminal, no --yes: refused with exit 3, the backend lives on.
    let refused = run(["-c", "\\n kill-query \(pid)"])
    #expect(refused.status == 3)
    #expect(refused.stderr.contains("there is no terminal to ask on; pass --yes"))
    #expect(refused.stdout.contains("Preview (kill-query):"))
    #expect(pidOf("opsql-sleeper") == pid)

    let killed = run(["--yes", "-c", "\\n kill-query pid=\(pid)"])
    #expect(killed.status == 0, "\(killed.stderr)")
    #expect(killed.stdout.contains(" terminated \n------------\n t\n"))
    #expect(
      Background.waitFor(
        db, "select count(*) from pg_stat_activity where application_name = 'opsql-sleeper'",
        toPrint: "0\n"))
  }

  @Test func killQueryRefusesItsOwnSessionAndUnknownPids() {
    let own = run(["--yes", "-c", "\\n kill-query 2147483647"])
    #expect(own.status == 3)
    #expect(
      own.stderr
        == "Refused by kill-query: there is no backend with pid 2147483647. Nothing was run.\n")
    let bad = run(["--yes", "-c", "\\n kill-query pid=12abc"])
    #expect(bad.status == 1)
    #expect(bad.stderr == "\\n: param pid must be an int, got \"12abc\"\n")
  }

  @Test func cancelQueryKeepsTheSession() {
    let sleeper = Background.psql(db, application: "opsql-cancelled", "select pg_sleep(60);\n")
    defer { sleeper.stop() }
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'opsql-cancelled'",
        toPrint: "active\n"))
    let pid = pidOf("opsql-cancelled")
    let r = run(["--yes", "-c", "\\n cancel-query \(pid)"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'opsql-cancelled'",
        toPrint: "idle\n"))
  }

  @Test func terminateIdleChecksTheCount() {
    let a = Background.psql(db, application: "opsql-idle-a", "begin;\nselect 1;\n")
    let b = Background.psql(db, application: "opsql-idle-b", "begin;\nselect 1;\n")
    defer {
      a.stop()
      b.stop()
    }
    #expect(
      Background.waitFor(
        db,
        "select count(*) from pg_stat_activity where application_name like 'opsql-idle-%' and state = 'idle in transaction'",
        toPrint: "2\n"))
    let wrong = run(["--yes", "-c", "\\n terminate-idle expect=3 idle_for=0s"])
    #expect(wrong.status == 3)
    #expect(wrong.stderr.contains("2 sessions match, not 3"))
    let right = run(["--yes", "-c", "\\n terminate-idle 2 idle_for=0s"])
    #expect(right.status == 0, "\(right.stderr)")
    #expect(right.stdout.contains("(2 rows)"))
    #expect(
      Background.waitFor(
        db, "select count(*) from pg_stat_activity where application_name like 'opsql-idle-%'",
        toPrint: "0\n"))
  }

  @Test func dropSlotRefusesAnActiveSlotAndDropsAnInactiveOne() {
    _ = TestEnvironment.psql([
      "-d", db, "-c",
      "select pg_create_logical_replication_slot('opsql_idle_slot', 'test_decoding')",
    ])
    _ = TestEnvironment.psql([
      "-d", db, "-c",
      "select pg_create_logical_replication_slot('opsql_busy_slot', 'test_decoding')",
    ])
    let consumer = Background(
      "/usr/lib/postgresql/15/bin/pg_recvlogical",
      ["-d", db, "--slot", "opsql_busy_slot", "--start", "-f", "/dev/null"])
    defer {
      consumer.stop()
      _ = TestEnvironment.psql([
        "-d", db, "-c",
        "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like 'opsql_%'",
      ])
    }
    #expect(
      Background.waitFor(
        db, "select active from pg_replication_slots where slot_name = 'opsql_busy_slot'",
        toPrint: "t\n"))
    let listed = run(["-c", "\\n replication-slots"])
    #expect(
      listed.stdout.contains(" opsql_idle_slot | logical   | test_decoding | opsql_snippets | f "))

    let busy = run(["--yes", "-c", "\\n drop-slot opsql_busy_slot"])
    #expect(busy.status == 3)
    #expect(
      busy.stderr.hasPrefix("Refused by drop-slot: slot opsql_busy_slot is active (used by pid "))
    let idle = run(["--yes", "-c", "\\n drop-slot opsql_idle_slot"])
    #expect(idle.status == 0, "\(idle.stderr)")
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c",
        "select string_agg(slot_name, ',') from pg_replication_slots where slot_name like 'opsql_%'",
      ]).stdout == "opsql_busy_slot\n")
  }

  @Test func createReadonlyUserCanSelectButNotInsert() throws {
    _ = TestEnvironment.psql(["-d", db, "-c", "drop owned by analyst; drop role if exists analyst"])
    let r = run(["--yes", "-c", "\\n create-readonly-user analyst"])
    #expect(r.status == 0, "\(r.stderr)")
    let line = try #require(
      r.stderr.split(separator: "\n").first { $0.hasPrefix("password (generated") })
    let password = String(line.split(separator: " ").last ?? "")
    #expect(password.count == 24)
    #expect(!r.stdout.contains(password))
    #expect(r.stderr.contains("PASSWORD '***'"))
    let asAnalyst = { (sql: String) in
      TestEnvironment.opsql(
        ["user=analyst dbname=\(self.db)", "-At", "-c", sql], environment: ["PGPASSWORD": password])
    }
    #expect(asAnalyst("select count(*) from items").stdout == "4000\n")
    let insert = asAnalyst("insert into items (name) values ('x')")
    #expect(insert.status == 1)
    #expect(insert.stderr.hasPrefix("ERROR:  42501: permission denied for table items"))
    // Tables created later by the same owner are readable too (default privileges).
    _ = run(["-c", "create table later_table as select 1 as x"])
    #expect(asAnalyst("select x from later_table").stdout == "1\n")
  }

  @Test func roleSnippets() {
    _ = TestEnvironment.psql(["-d", db, "-c", "drop owned by worker; drop role if exists worker"])
    let created = run(["--yes", "-c", "\\n create-user worker password=?"], env: [:])
    // No terminal to type the password on: refused before anything runs.
    #expect(created.status == 1)
    #expect(
      created.stderr
        == "\\n: create-user needs a value for password (Its password (give ? to type it; left out, one is generated)): type it on a terminal, or give --set password=VALUE to opsql replay\n"
    )
    #expect(run(["--yes", "-c", "\\n create-user worker"]).status == 0)
    #expect(run(["--yes", "-c", "\\n grant-all worker"]).status == 0)
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c", "select has_table_privilege('worker', 'items', 'INSERT')",
      ]).stdout == "t\n")
    let rotated = run(["--yes", "-c", "\\n rotate-password worker"])
    #expect(rotated.status == 0)
    #expect(rotated.stderr.contains("password (generated; shown this once, kept nowhere): "))
    #expect(run(["--yes", "-c", "\\n make-superuser worker"]).status == 0)
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c", "select rolsuper from pg_roles where rolname = 'worker'",
      ]).stdout == "t\n")
    let ghost = run(["--yes", "-c", "\\n make-superuser ghost"])
    #expect(ghost.status == 3)
    #expect(
      ghost.stderr == "Refused by make-superuser: there is no role named ghost. Nothing was run.\n")
    _ = TestEnvironment.psql(["-d", db, "-c", "alter role worker nosuperuser"])
  }

  @Test func topQueriesSaysWhenTheExtensionIsMissing() {
    _ = TestEnvironment.psql(["-d", db, "-c", "drop extension if exists pg_stat_statements"])
    let missing = run(["-c", "\\n top-queries"])
    #expect(missing.status == 3)
    #expect(
      missing.stderr.hasPrefix("Refused by top-queries: pg_stat_statements is not installed here"))
    _ = TestEnvironment.psql(["-d", db, "-c", "create extension pg_stat_statements"])
    _ = run(["-c", "select count(*) from items"])
    let present = run(["-c", "\\n top-queries 5"])
    #expect(present.status == 0, "\(present.stderr)")
    #expect(present.stdout.contains(" query "))
    #expect(present.stdout.contains("pct_of_total"))
  }
}

extension String {
  var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
