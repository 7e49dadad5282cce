import Testing

@testable import OpsqlKit
@testable import TestSupport

/// psql's describe commands, compared byte for byte with psql on Postgres, and their SQLite/D1
/// counterparts.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"))
struct DescribeTests {
  static let db = TestEnvironment.database(
    "opsql_describe",
    setup: """
      CREATE SCHEMA shop;
      CREATE TABLE shop.customers (id serial PRIMARY KEY, email text UNIQUE NOT NULL, since date DEFAULT current_date);
      CREATE TABLE shop.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES shop.customers, amount numeric(10,2) CHECK (amount > 0));
      CREATE INDEX orders_customer ON shop.orders (customer_id);
      CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE amount > 100;
      CREATE TABLE public.plain (x int);
      """)

  static let commands = [
    "\\d", "\\dt", "\\di", "\\dn", "\\dt shop.*", "\\di shop.*", "\\d shop.orders",
    "\\d shop.customers", "\\d shop.big_orders", "\\d plain", "\\dt nothing_here", "\\dn sh*",
  ]

  @Test(arguments: commands)
  func sameAsPsql(command: String) {
    let reference = TestEnvironment.psql(["-d", Self.db, "-c", command])
    let ours = TestEnvironment.opsql(["-d", Self.db, "-c", command])
    #expect(ours.stdout == reference.stdout, "\(command)")
    #expect(ours.stderr == reference.stderr, "\(command)")
  }

  @Test func sqliteAndD1() throws {
    let file = TestEnvironment.temporaryDirectory() + "/d.db"
    let c = try SQLiteConnection(path: file, create: true)
    try c.execute(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT ''); CREATE INDEX notes_body ON notes (body);"
    )
    c.close()
    let dt = TestEnvironment.opsql([file, "-c", "\\dt"])
    #expect(
      dt.stdout
        == "   List of relations\n Name  | Type  | Table \n-------+-------+-------\n notes | table | notes\n(1 row)\n\n"
    )
    let d = TestEnvironment.opsql([file, "-c", "\\d notes"])
    #expect(
      d.stdout
        == "                    Table \"notes\"\n Column |  Type   | Nullable | Default | Primary key \n--------+---------+----------+---------+-------------\n id     | INTEGER |          |         | yes\n body   | TEXT    | not null | ''      | \nIndexes:\n    \"notes_body\"\n\n"
    )
    let d1 = D1StandIn()
    _ = TestEnvironment.opsql(
      [d1.target, "--yes", "-c", "create table kv (k text primary key, v int)"],
      environment: d1.environment)
    let remote = TestEnvironment.opsql([d1.target, "-c", "\\dt"], environment: d1.environment)
    #expect(remote.stdout.contains(" kv   | table | kv\n"), "\(remote.stderr)")
    #expect(!remote.stdout.contains("_cf_"))
    let missing = TestEnvironment.opsql([d1.target, "-c", "\\d nope"], environment: d1.environment)
    #expect(missing.status == 1)
    #expect(missing.stderr == "Did not find any relation named \"nope\".\n")
  }
}
