import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// Snippets from a team's directory: overriding, malformed files, and hostile values that must
/// not change what a statement does.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct SnippetSafetyTests {
  let db = TestEnvironment.database(
    "opsql_hostile", setup: "CREATE TABLE victims (id serial PRIMARY KEY, v text, label text);")
  let config: String

  init() {
    config = TestEnvironment.temporaryDirectory()
    mkdir(config + "/opsql", 0o755)
    mkdir(config + "/opsql/snippets", 0o755)
    TestEnvironment.writeFile(
      config + "/opsql/snippets/remember.sql",
      """
      -- name: remember
      -- summary: Store a value three ways (bound, literal, as an identifier's label)
      -- targets: postgres
      -- danger: write
      -- param: v text  The value
      -- param: col ident = label  A column name
      INSERT INTO victims (v, label) VALUES (:v, :'v');
      UPDATE victims SET :"col" = :'v' WHERE id = currval('victims_id_seq');
      """)
    TestEnvironment.writeFile(
      config + "/opsql/snippets/db-sizes.sql",
      """
      -- name: db-sizes
      -- summary: The team's own db-sizes
      -- targets: postgres
      -- danger: read
      SELECT 'team version' AS which;
      """)
    TestEnvironment.writeFile(
      config + "/opsql/snippets/broken.sql",
      """
      -- name: broken
      -- summary: Half written
      -- danger: read
      -- param: n number  N
      SELECT :n;
      """)
  }

  private func run(_ arguments: [String]) -> ProcessResult {
    TestEnvironment.opsql(["-d", db] + arguments, environment: ["XDG_CONFIG_HOME": config])
  }

  static let hostile: [String] = [
    "'); DROP TABLE victims; --",
    "O'Brien \"quoted\" ; DELETE FROM victims",
    "back\\slash\\' E'\\x41' $$ dollar $$ $x$",
    "日本語 e\u{301} 😀 ünïcödé",
    String(repeating: "long'\\", count: 8000),
    "-- comment\n/* block */ :v :'v' :\"v\"",
  ]

  @Test(arguments: hostile)
  func hostileValuesAreStoredVerbatimAndChangeNothingElse(value: String) {
    let before = TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from victims"])
      .stdout
    let r = run(["-c", "\\n remember v=" + AuditExport.psqlQuoted(value)])
    #expect(r.status == 0, "\(r.stderr.prefix(300))")
    let stored = TestEnvironment.psql([
      "-d", db, "-At", "-c", "select v = label, v from victims order by id desc limit 1",
    ]).stdout
    // Compared as a Bool so that a failure does not print kilobytes of value.
    let verbatim = stored == "t|\(value)\n"
    #expect(verbatim, "stored \(stored.count) bytes for a value of \(value.utf8.count)")
    let after = TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from victims"]).stdout
    #expect(Int(after.dropLast()) == Int(before.dropLast())! + 1)
  }

  @Test func hostileIdentifierIsQuotedNotObeyed() {
    let r = run([
      "-c", "\\n remember x col=" + AuditExport.psqlQuoted("label\" = 'pwned', v = 'pwned"),
    ])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains(
        "column \"label\" = 'pwned', v = 'pwned\" of relation \"victims\" does not exist"))
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c", "select count(*) from victims where v = 'pwned' or label = 'pwned'",
      ]).stdout == "0\n")
  }

  @Test func teamDirectoryOverridesAndReportsBrokenFiles() {
    let listed = TestEnvironment.opsql(["snippets"], environment: ["XDG_CONFIG_HOME": config])
    #expect(listed.status == 0)
    #expect(
      listed.stdout.contains("  db-sizes              read         The team's own db-sizes\n"))
    #expect(listed.stdout.contains("  remember "))
    #expect(!listed.stdout.contains("broken"))
    #expect(
      listed.stderr
        == "opsql: skipped snippet \(config)/opsql/snippets/broken.sql:4: param n has unknown type \"number\"; expected int, text, ident, bool, interval, secret or enum(a|b)\n"
    )
    let shown = run(["-c", "\\n+ db-sizes"])
    #expect(shown.stdout.hasPrefix("-- from \(config)/opsql/snippets/db-sizes.sql\n-- overrides "))
    #expect(shown.stdout.contains("/snippets/postgres/db-sizes.sql\n-- name: db-sizes\n"))
    #expect(run(["-At", "-c", "\\n db-sizes"]).stdout == "team version\n")
  }

  @Test func dryRunShowsTheRenderedStatementsAndSendsNothing() {
    let r = run(["--dry-run", "-c", "\\n remember dry-run-value"])
    #expect(r.status == 0)
    #expect(
      r.stdout.contains(
        "DRY RUN [write] on opsql_hostile: INSERT INTO victims (v, label) VALUES ('dry-run-value', 'dry-run-value');"
      ))
    #expect(r.stdout.hasSuffix("DRY RUN would run; nothing was sent.\n"))
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c", "select count(*) from victims where v = 'dry-run-value'",
      ]).stdout == "0\n")
  }
}
