import Testing

@testable import OpsqlKit

private let killQuery = killQuerySnippet(summary: "Terminate a backend")

private func killQuerySnippet(summary: String) -> String {
  """
  -- name: kill-query
  -- summary: \(summary)
  -- targets: postgres
  -- danger: destructive
  -- param: pid int  Backend process id
  -- confirm: pid
  -- preview: SELECT pid FROM pg_stat_activity WHERE pid = :pid
  SELECT pg_terminate_backend(:pid);
  """
}

private func parse(_ text: String) throws -> Snippet {
  try SnippetParser.parse(text, path: "s.sql")
}

/// The error a malformed file gives, as `file:line: message`.
private func problem(_ text: String) -> String {
  do {
    _ = try parse(text)
    return "no error"
  } catch {
    return "\(error)"
  }
}

struct SnippetParserTests {
  @Test func readsTheHeaderAndBody() throws {
    let s = try parse(killQuery)
    #expect(s.name == "kill-query")
    #expect(s.danger == .destructive)
    #expect(s.targets == [.postgres])
    #expect(
      s.params == [
        SnippetParam(name: "pid", type: .int, defaultValue: nil, description: "Backend process id")
      ])
    #expect(s.confirm == "pid")
    #expect(s.preview == "SELECT pid FROM pg_stat_activity WHERE pid = :pid")
    #expect(s.body == "SELECT pg_terminate_backend(:pid);")
  }

  @Test func paramDefaultsAndEnums() throws {
    let s = try parse(
      """
      -- name: p
      -- summary: s
      -- danger: read
      -- param: age interval = '5 minutes'  How old
      -- param: mode enum(fast|safe) = safe  Mode
      -- param: n int = 10
      SELECT :age::interval, :'mode', :n;
      """)
    #expect(s.params.map(\.defaultValue) == ["5 minutes", "safe", "10"])
    #expect(s.params[1].type == .choice(["fast", "safe"]))
  }

  @Test func malformedFilesNameFileAndLine() {
    #expect(
      problem("-- summary: s\n-- danger: read\nselect 1") == "s.sql:1: missing \"-- name:\" header")
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\n-- colour: red\nselect 1").hasPrefix(
        "s.sql:4: unknown header key \"colour\""))
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\n-- param: n integer  N\nselect :n")
        == "s.sql:4: param n has unknown type \"integer\"; expected int, text, ident, bool, interval, secret or enum(a|b)"
    )
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\nselect :missing")
        == "s.sql:4: :missing is used but not declared with -- param:")
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: sometimes\nselect 1")
        == "s.sql:3: danger must be read, write or destructive, not \"sometimes\"")
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\n-- confirm: nope\nselect 1")
        == "s.sql:4: confirm names \"nope\", which is not a param")
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\n-- preview: delete from t\nselect 1")
        == "s.sql:4: preview must be a read-only query")
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\n-- param: n int = ten  N\nselect :n")
        == "s.sql:4: param n: default \"ten\" is not a valid int")
    #expect(
      problem("-- name: x\n-- summary: s\n-- danger: read\n")
        == "s.sql:4: the snippet has no body after its header")
    #expect(
      problem("-- name: Bad Name\n-- summary: s\n-- danger: read\nselect 1")
        == "s.sql:1: name \"Bad Name\" may hold lowercase letters, digits and '-' only")
  }

  @Test func catalogueSkipsBadFilesAndLaterOnesWin() throws {
    var catalog = SnippetCatalog()
    catalog.add(text: killQuery, path: "builtin/kill-query.sql")
    catalog.add(text: "-- name: broken\nselect 1", path: "team/broken.sql")
    catalog.add(text: killQuerySnippet(summary: "Team version"), path: "team/kill-query.sql")
    #expect(catalog["kill-query"]?.summary == "Team version")
    #expect(
      catalog.problems.map(\.description) == ["team/broken.sql:1: missing \"-- summary:\" header"])
    let shown = try #require(catalog.describe("kill-query"))
    #expect(shown.hasPrefix("-- from team/kill-query.sql\n-- overrides builtin/kill-query.sql\n"))
  }
}

struct SnippetBindingTests {
  let snippet = try! SnippetParser.parse(
    """
    -- name: t
    -- summary: s
    -- danger: write
    -- param: who ident  Role
    -- param: note text = 'n/a'  Note
    -- param: n int = 1  Count
    -- param: flag bool = off  Flag
    -- param: pw secret  Password
    -- param: age interval = '1 hour'  Age
    -- param: mode enum(a|b) = a  Mode
    INSERT INTO log (who, note, n, flag, age, mode) VALUES (:'who', :note, :n, :flag, :age::interval, :'mode');
    ALTER ROLE :"who" PASSWORD :'pw';
    """, path: "t.sql")

  private func bind(_ args: [String]) throws -> SnippetCall {
    try SnippetRenderer.bind(
      snippet, arguments: args, generateSecret: { "GENERATED" }, ask: { _ in "TYPED" })
  }

  private func error(_ args: [String]) -> String {
    do {
      _ = try bind(args)
      return "no error"
    } catch let e as ShellError {
      return e.message
    } catch {
      return "\(error)"
    }
  }

  @Test func positionalNamedAndDefaults() throws {
    let call = try bind(["bob", "n=5", "hello"])
    #expect(call.values["who"] == "bob")
    #expect(call.values["note"] == "hello")
    #expect(call.values["n"] == "5")
    #expect(call.values["flag"] == "false")
    #expect(call.values["pw"] == "GENERATED")
    #expect(call.generated == ["pw"])
    #expect(try bind(["bob", "pw=?"]).values["pw"] == "TYPED")
  }

  @Test func badValuesAreRefusedBeforeAnythingRuns() {
    #expect(error([]) == "missing param who (ident): Role")
    #expect(error(["bob", "n=ten"]) == "param n must be an int, got \"ten\"")
    #expect(error(["bob", "flag=maybe"]) == "param flag must be a bool, got \"maybe\"")
    #expect(error(["bob", "mode=c"]) == "param mode must be one of enum(a|b), got \"c\"")
    #expect(
      error(["bob", "age=5 fortnights"]) == "param age must be an interval, got \"5 fortnights\"")
    #expect(
      error(["bob", "note=a\u{0}b"])
        == "param note must be a text, got \"a\u{0}b\" (it holds a NUL byte)")
    #expect(error(["bob", "pw=x\u{0}"]) == "param pw must be a secret, got (it holds a NUL byte)")
    #expect(error(["bob", "n=1", "n=2"]) == "param n is given twice")
    #expect(
      error(["a", "b", "1", "on", "pw", "1 hour", "a", "extra"]).hasSuffix(
        "\"extra\" is one too many"))
  }

  @Test func renderingBindsQuotesAndMasks() throws {
    let call = try bind(["O'Brien", "'); DROP TABLE log; --", "pw=s3cr3t'x"])
    let statements = SnippetRenderer.statements(
      call, quoteLiteral: SQLQuoting.literal, quoteIdentifier: SQLQuoting.identifier)
    #expect(statements.count == 2)
    let insert = statements[0]
    #expect(
      insert.sql
        == "INSERT INTO log (who, note, n, flag, age, mode) VALUES ('O''Brien', $1, $2, $3, $4::interval, 'a');"
    )
    #expect(insert.params == ["'); DROP TABLE log; --", "1", "false", "1 hour"])
    #expect(
      insert.display
        == "INSERT INTO log (who, note, n, flag, age, mode) VALUES ('O''Brien', '''); DROP TABLE log; --', 1, false, '1 hour'::interval, 'a');"
    )
    #expect(insert.classification.danger == .write)
    let alter = statements[1]
    #expect(alter.sql == "ALTER ROLE \"O'Brien\" PASSWORD 's3cr3t''x';")
    #expect(alter.display == "ALTER ROLE \"O'Brien\" PASSWORD '***';")
    #expect(alter.classification.danger == .destructive)
  }

  @Test func intervalsADBAWouldType() {
    for ok in ["5 minutes", "1 hour 30 min", "90s", "2 days", "00:05:00", "1.5 hours", "10"] {
      #expect(ParamType.interval.normalize(ok) != nil, "\(ok)")
    }
    for bad in ["", "soon", "5 minutes; drop table t", "1:2:3:4", "5 fortnights"] {
      #expect(ParamType.interval.normalize(bad) == nil, "\(bad)")
    }
  }

  @Test func historyMasksSecretArguments() {
    var catalog = SnippetCatalog()
    catalog.add(text: snippet.source, path: "t.sql")
    #expect(catalog.redactCall("\\n t bob note pw=hunter2") == "\\n t bob note pw=***")
    #expect(catalog.redactCall("\\n t bob note 3 on hunter2") == "\\n t bob note 3 on ***")
  }

  @Test func generatedSecretsAreStrong() {
    let a = SecretGenerator.generate()
    let b = SecretGenerator.generate()
    #expect(a.count == 24)
    #expect(a != b)
    #expect(a.allSatisfy { $0.isLetter || $0.isNumber })
  }
}

struct GuardPolicyTests {
  private func target(_ env: Environment, readonly: Bool = false) -> Target {
    Target(name: "db", connection: nil, environment: env, readonly: readonly, origin: "test")
  }

  @Test func tiersByEnvironment() {
    let p = { (d: DangerClass, t: Target) in GuardPolicy.verdict(danger: d, reason: "r", target: t)
    }
    #expect(p(.read, target(.production)) == .allow)
    #expect(p(.write, target(.production)) == .confirmYesNo)
    #expect(p(.destructive, target(.production)) == .confirmTyping(expected: "db"))
    #expect(p(.write, target(.staging)) == .allow)
    #expect(p(.destructive, target(.staging)) == .confirmYesNo)
    #expect(p(.destructive, target(.development)) == .confirmYesNo)
    #expect(p(.read, target(.production, readonly: true)) == .allow)
    #expect(
      p(.write, target(.development, readonly: true))
        == .refuse(reason: "db is read-only and this statement is a write (r)"))
    #expect(
      GuardPolicy.verdict(
        danger: .destructive, reason: "r", target: target(.production), confirmValue: "4242")
        == .confirmTyping(expected: "4242"))
  }
}

struct ConfigTests {
  @Test func parsesTargetsGroupsAndSettings() throws {
    let config = try Config.parse(
      """
      [settings]
      operator = alice@example.com      ; identity written to the audit

      # a comment
      [target prod]
      kind = postgres
      url = postgresql://ops@db1.internal/app?sslmode=verify-full
      environment = production
      readonly = false

      [target replica1]
      kind = postgres
      service = replica1
      readonly = true

      [group fleet]
      targets = prod, replica1
      """, path: "config")
    #expect(config.operatorName == "alice@example.com")
    #expect(config.targets.map(\.name) == ["prod", "replica1"])
    #expect(config.target(named: "prod")?.environment == .production)
    #expect(config.target(named: "prod")?.origin == "config:5")
    #expect(config.target(named: "replica1")?.connection == "service=replica1")
    #expect(config.target(named: "replica1")?.readonly == true)
    #expect(config.groups["fleet"] == ["prod", "replica1"])
  }

  private func error(_ text: String) -> String {
    do {
      _ = try Config.parse(text, path: "cfg")
      return "no error"
    } catch {
      return "\(error)"
    }
  }

  @Test func errorsNameFileLineAndWhatWasExpected() {
    #expect(
      error("[target a]\nkind = mysql")
        == "cfg:2: unknown kind \"mysql\"; expected postgres, d1 or sqlite")
    #expect(
      error("[target a]\nenvironment = prod")
        == "cfg:2: unknown environment \"prod\"; expected production, staging or development")
    #expect(
      error("[targets a]")
        == "cfg:1: unknown section [targets a]; expected [settings], [target NAME] or [group NAME]")
    #expect(
      error("\n[target a]\nkind postgres") == "cfg:3: expected key = value, found \"kind postgres\""
    )
    #expect(
      error("[target a]\npassword = x").hasPrefix(
        "cfg:2: password is never read from the config file"))
    #expect(
      error("[target a]\nurl = postgresql://u:pw@h/db").hasPrefix(
        "cfg:1: the connection of target a holds a password"))
    #expect(
      error("[target a]\n[target a]") == "cfg:2: target \"a\" is defined twice (first at line 1)")
    #expect(
      error("[target a]\nreadonly = perhaps")
        == "cfg:2: readonly must be true or false, not \"perhaps\"")
    #expect(error("[group g]\ntargets = ghost") == "cfg:0: group g names unknown target ghost")
  }
}

struct CompleterTests {
  let completer: Completer = {
    var catalog = SnippetCatalog()
    catalog.add(
      text:
        "-- name: kill-query\n-- summary: s\n-- danger: destructive\n-- param: pid int  P\n-- param: reason text = x  R\nselect pg_terminate_backend(:pid), :'reason'",
      path: "k.sql")
    catalog.add(text: "-- name: kill-all\n-- summary: s\n-- danger: read\nselect 1", path: "a.sql")
    return Completer(
      metaCommands: ["n", "n+", "c", "conninfo"], snippets: catalog, targets: ["prod", "staging"],
      tables: { ["accounts", "audit_log"] })
  }()

  @Test func metaCommandsSnippetsAndParams() {
    #expect(completer.complete("\\con").candidates == ["\\conninfo"])
    #expect(completer.complete("\\n kill-").candidates == ["kill-all", "kill-query"])
    #expect(completer.complete("\\n kill-query ").candidates == ["pid=", "reason="])
    #expect(completer.complete("\\n kill-query pid=1 r").candidates == ["reason="])
    #expect(completer.complete("\\c pr").candidates == ["prod"])
  }

  @Test func keywordsKeepTheTypedCaseAndTablesFollowFrom() {
    #expect(completer.complete("sel").candidates == ["select"])
    #expect(completer.complete("SEL").candidates == ["SELECT"])
    #expect(completer.complete("select * from a").candidates == ["accounts", "audit_log"])
    #expect(Completer.commonPrefix(["accounts", "audit_log"]) == "a")
  }
}

struct VariableInterpolationTests {
  @Test func psqlForms() {
    let vars = ["t": "My Table", "v": "it's", "n": "42"]
    let out = VariableInterpolation.apply(
      "select :n, :'v', ':v', x::int from :\"t\" where y = :missing -- :v",
      variables: vars, quoteLiteral: SQLQuoting.literal, quoteIdentifier: SQLQuoting.identifier)
    #expect(out == "select 42, 'it''s', ':v', x::int from \"My Table\" where y = :missing -- :v")
  }
}
