import Testing

@testable import OpsqlKit
@testable import TestSupport

/// The SQLite/D1 half of the catalogue, on a local file and on the D1 stand-in.
@Suite(.serialized)
struct SQLiteSnippetTests {
  static let setup = """
    CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE child (id INTEGER PRIMARY KEY, pid INT REFERENCES parent(id));
    CREATE INDEX child_pid ON child (pid);
    INSERT INTO parent VALUES (1, 'p');
    INSERT INTO child VALUES (1, 1), (2, 99);
    """

  static let expectations: [(String, String)] = [
    ("tables", " child  | table\n parent | table\n(2 rows)"),
    ("schema", " index | child_pid | child  | CREATE INDEX child_pid ON child (pid)"),
    ("indexes", " child_pid | child | CREATE INDEX child_pid ON child (pid)"),
    ("row-counts child", " child |    2\n(1 row)"),
    ("integrity", " ok\n(1 row)"),
    ("fk-check", " child |     2 | parent |    0\n(1 row)"),
  ]

  private func file() throws -> String {
    let path = TestEnvironment.temporaryDirectory() + "/snippets.db"
    let c = try SQLiteConnection(path: path, create: true)
    try c.execute(Self.setup)
    c.close()
    return path
  }

  @Test func onASQLiteFile() throws {
    let path = try file()
    for (call, expected) in Self.expectations {
      let r = TestEnvironment.opsql([path, "-c", "\\n " + call])
      #expect(r.status == 0, "\(call): \(r.stderr)")
      #expect(r.stdout.contains(expected), "\(call) printed:\n\(r.stdout)")
    }
    let refused = TestEnvironment.opsql([path, "-c", "\\n drop-table parent"])
    #expect(refused.status == 3)
    #expect(
      refused.stdout.contains(
        "Preview (drop-table):\n table  | rows \n--------+------\n parent |    1\n"))
    let missing = TestEnvironment.opsql([path, "--yes", "-c", "\\n drop-table ghost"])
    #expect(missing.status == 3)
    #expect(
      missing.stderr == "Refused by drop-table: there is no table named ghost. Nothing was run.\n")
    let dropped = TestEnvironment.opsql([
      path, "--yes", "-c", "\\n drop-table child", "-c", "\\n tables",
    ])
    #expect(dropped.status == 0, "\(dropped.stderr)")
    #expect(dropped.stdout.hasSuffix(" parent | table\n(1 row)\n\n"))
  }

  @Test func onD1() {
    let d1 = D1StandIn()
    let env = d1.environment
    let made = TestEnvironment.opsql([d1.target, "--yes", "-c", Self.setup], environment: env)
    #expect(made.status == 0, "\(made.stderr)")
    for (call, expected) in Self.expectations {
      let r = TestEnvironment.opsql([d1.target, "-c", "\\n " + call], environment: env)
      #expect(r.status == 0, "\(call): \(r.stderr)")
      #expect(r.stdout.contains(expected), "\(call) printed:\n\(r.stdout)")
    }
    let dropped = TestEnvironment.opsql(
      [d1.target, "--yes", "-c", "\\n drop-table child"], environment: env)
    #expect(dropped.status == 0, "\(dropped.stderr)")
    // The stand-in saw the table's name as a quoted identifier, never pasted.
    let sent = d1.requests.compactMap { line -> String? in
      guard let body = (try? JSON.parse(line))?["body"]?.string else { return nil }
      return (try? JSON.parse(body))?["sql"]?.string
    }
    #expect(sent.contains("DROP TABLE \"child\";"))
  }
}
