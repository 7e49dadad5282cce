import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// D1 through the stand-in server over a real loopback socket.
@Suite(.serialized)
struct D1Tests {
  let d1 = D1StandIn()
  let audit = TestEnvironment.temporaryDirectory() + "/audit.db"

  private func run(_ args: [String], env: [String: String] = [:]) -> ProcessResult {
    var environment = d1.environment
    for (k, v) in env { environment[k] = v }
    return TestEnvironment.opsql(["--audit", audit, d1.target] + args, environment: environment)
  }

  @Test func resultsKeepColumnOrderAndDuplicateNames() {
    let r = run([
      "--yes", "-c", "create table kv (k text primary key, v integer)", "-c",
      "insert into kv values ('a', 1), ('b', NULL)", "-c", "select v, k, v from kv order by k",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix(" v | k | v \n---+---+---\n 1 | a | 1\n   | b |  \n(2 rows)\n\n"))
    #expect(r.stdout.contains("INSERT 0 2\n"))
    let csv = run(["--csv", "-c", "select k, v from kv order by k"])
    #expect(csv.stdout == "k,v\na,1\nb,\n")
  }

  @Test func errorsShowD1sCode() {
    let r = run(["-c", "select * from missing_table"])
    #expect(r.status == 1)
    #expect(r.stderr == "ERROR:  7500: no such table: missing_table: SQLITE_ERROR [code: 7500]\n")
    let pragma = run(["-c", "pragma journal_mode"])
    #expect(pragma.stderr.contains("not authorized: SQLITE_ERROR [code: 7500]"))
    let begin = run(["-c", "begin"])
    #expect(begin.status == 1)
    #expect(begin.stderr.contains("D1 has no transactions across requests"))
  }

  @Test func a429IsRetriedAfterRetryAfter() {
    _ = run(["--yes", "-c", "create table if not exists slow (i int)"])
    let before = d1.requests.count
    d1.failNext(1, status: "429", retryAfter: 1)
    let r = run(["-c", "select count(*) from slow"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("D1 asked to slow down (429); retrying in 1.0 s"))
    // GET (connect) + the 429'd POST + the retried POST.
    #expect(d1.requests.count - before == 3)
  }

  @Test func a500AndGarbageAreClearErrors() {
    d1.failNext(1, status: "500")
    let r = TestEnvironment.opsql(
      ["--audit", audit, d1.target, "-c", "select 1"], environment: d1.environment)
    #expect(r.status == 2)
    #expect(r.stderr == "opsql: error: D1 database \(d1.databaseID): Internal error [code: 7500]\n")
    d1.failNext(1, status: "\"garbage\"")
    let g = TestEnvironment.opsql(
      ["--audit", audit, d1.target, "-c", "select 1"], environment: d1.environment)
    #expect(g.status == 2)
    #expect(
      g.stderr.contains(
        "D1 answered HTTP 502 with something that is not JSON: <html><body>502 Bad Gateway"))
  }

  @Test func missingTokenAndBadTokenFile() {
    let missing = TestEnvironment.opsql(
      ["--audit", audit, d1.target, "-c", "select 1"],
      environment: d1.environment.merging(["CLOUDFLARE_API_TOKEN": ""]) { $1 })
    #expect(missing.status == 2)
    #expect(
      missing.stderr
        == "opsql: error: D1 target test-account/\(d1.databaseID) needs an API token in $CLOUDFLARE_API_TOKEN (or a token_file of mode 0600)\n"
    )
    let dir = TestEnvironment.temporaryDirectory()
    let tokenFile = dir + "/token"
    let fd = open(tokenFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = d1.token.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    chmod(tokenFile, 0o644)
    let config = dir + "/config"
    let cfd = open(config, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let text =
      "[target edge]\nkind = d1\naccount = \(d1.account)\ndatabase = \(d1.databaseName)\ntoken_file = \(tokenFile)\n"
    _ = text.withCString { write(cfd, $0, strlen($0)) }
    close(cfd)
    let env = d1.environment.merging(["CLOUDFLARE_API_TOKEN": ""]) { $1 }
    let loose = TestEnvironment.opsql(
      ["--audit", audit, "--config", config, "edge", "-c", "select 1"], environment: env)
    #expect(loose.status == 2)
    #expect(
      loose.stderr
        == "opsql: error: token_file \(tokenFile) of target edge has mode 644; it must be 0600 (chmod 600 \(tokenFile))\n"
    )
    chmod(tokenFile, 0o600)
    let ok = TestEnvironment.opsql(
      ["--audit", audit, "--config", config, "edge", "-At", "-c", "select 40 + 2"], environment: env
    )
    #expect(ok.stdout == "42\n", "\(ok.stderr)")
    for output in [missing.stdout, missing.stderr, loose.stderr, ok.stdout, ok.stderr] {
      #expect(!output.contains(d1.token))
    }
  }

  @Test func theClientSendsWhatTheAPIExpects() throws {
    _ = run(["-c", "select 'logged' as marker"])
    let line = try #require(d1.requests.last { $0.contains("logged") })
    let request = try JSON.parse(line)
    #expect(request["method"]?.string == "POST")
    #expect(
      request["path"]?.string
        == "/client/v4/accounts/\(d1.account)/d1/database/\(d1.databaseID)/raw")
    #expect(request["headers"]?["authorization"]?.string == "Bearer \(d1.token)")
    #expect(request["headers"]?["content-type"]?.string == "application/json")
    #expect(
      try JSON.parse(request["body"]?.string ?? "")
        == .object([("sql", .string("select 'logged' as marker"))]))
    let connect = try JSON.parse(try #require(d1.requests.first))
    #expect(connect["method"]?.string == "GET")
    #expect(
      connect["path"]?.string == "/client/v4/accounts/\(d1.account)/d1/database/\(d1.databaseID)")
  }
}
