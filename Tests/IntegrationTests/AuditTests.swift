import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

private func readBytes(_ path: String) -> [UInt8] {
  guard let text = Processes.run("/bin/cat", [path]).stdoutBytes as [UInt8]? else { return [] }
  return text
}

private func contains(_ hay: [UInt8], _ needle: String) -> Bool {
  let n = Array(needle.utf8)
  guard hay.count >= n.count else { return false }
  for i in 0...(hay.count - n.count) where hay[i] == n[0] && Array(hay[i..<(i + n.count)]) == n {
    return true
  }
  return false
}

/// The audit trail through the real binary: what a session writes, tamper detection, many
/// writers at once, and failing closed.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct AuditTests {
  let db = TestEnvironment.database(
    "opsql_audit", setup: "CREATE TABLE audit_t (id int); INSERT INTO audit_t VALUES (1), (2);")
  let dir = TestEnvironment.temporaryDirectory()

  private func rows(_ audit: String) throws -> [[String: String]] {
    try AuditLog(path: audit, readOnly: true).rows()
  }

  @Test func aScriptedSessionWritesExactlyTheseRows() throws {
    let audit = dir + "/session.db"
    TestEnvironment.writeFile(
      dir + "/config",
      "[settings]\noperator = alice@example.com\n[target rw]\nconninfo = dbname=\(db)\n[target ro]\nconninfo = dbname=\(db)\nreadonly = true\n"
    )
    TestEnvironment.writeFile(
      dir + "/script.sql",
      """
      select 1 as one;
      select 1/0;
      \\n create-user audited_user
      create role audited_role login password 'TopSecret-123';
      \\c ro
      delete from audit_t;
      select 'not reached';

      """)
    _ = TestEnvironment.psql([
      "-c", "drop role if exists audited_user; drop role if exists audited_role",
    ])
    let r = TestEnvironment.opsql([
      "--config", dir + "/config", "--audit", audit, "--yes", "--continue-on-error", "rw", "-f",
      dir + "/script.sql",
    ])
    #expect(r.status == 3, "\(r.stderr)")
    let generated = try #require(
      r.stderr.split(separator: "\n").first { $0.hasPrefix("password (generated") }?
        .split(separator: " ").last.map(String.init))

    let all = try rows(audit)
    let summary = all.map { row in
      [row["kind"], row["phase"], row["target"], row["outcome"], row["answer"]].map { $0 ?? "-" }
        .joined(separator: " ")
    }
    #expect(
      summary == [
        "session begin - - -",
        "connect begin rw - -",
        "connect end rw ok -",
        "statement begin rw - not needed",
        "statement end rw ok -",
        "statement begin rw - not needed",
        "statement end rw error -",
        "snippet begin rw - -",
        "guard - rw allowed --yes",
        "statement begin rw - --yes",
        "statement end rw ok -",
        "snippet end rw ok -",
        "guard - rw allowed --yes",
        "statement begin rw - --yes",
        "statement end rw ok -",
        "connect begin ro - -",
        "connect end ro ok -",
        "guard - ro refused refused",
        "disconnect - rw - -",
        "disconnect - ro - -",
        "session end - exit 3 -",
      ])
    #expect(Set(all.map { $0["session"] }).count == 1)
    #expect(all.map { $0["seq"] ?? "" } == (1...all.count).map(String.init))
    #expect(all.allSatisfy { $0["operator"] == "alice@example.com" })
    #expect(all[3]["sql"] == "select 1 as one;")
    #expect(all[4]["rows"] == "1")
    #expect(all[6]["sqlstate"] == "22012")
    #expect(all[6]["error"] == "division by zero")
    #expect(all[7]["snippet"] == "create-user")
    #expect(all[7]["params"] == "{\"name\":\"audited_user\",\"password\":\"(generated)\"}")
    #expect(all[7]["snippet_hash"]?.count == 64)
    #expect(all[9]["sql"] == "CREATE ROLE \"audited_user\" LOGIN PASSWORD '***';")
    #expect(all[9]["snippet"] == "create-user")
    #expect(all[13]["sql"] == "create role audited_role login password '***';")
    #expect(all[13]["danger"] == "destructive")
    #expect(all[17]["decision"]?.hasPrefix("refuse: ro is read-only") == true)
    #expect(all[2]["server"]?.hasPrefix("pid ") == true)
    #expect(all[4]["begin_id"] == all[3]["id"])
    // No secret anywhere in the file's bytes.
    for file in [audit, audit + "-wal", audit + "-shm"] {
      let bytes = readBytes(file)
      #expect(!contains(bytes, "TopSecret-123"), "\(file)")
      #expect(!contains(bytes, generated), "\(file)")
    }
    var st = stat()
    #expect(stat(audit, &st) == 0 && st.st_mode & 0o777 == 0o600)
    #expect(TestEnvironment.opsql(["audit", "verify", "--audit", audit]).status == 0)
  }

  @Test func verifyNamesTheRowThatWasAlteredRemovedOrForged() throws {
    let audit = dir + "/chain.db"
    let made = TestEnvironment.opsql([
      "-d", db, "--audit", audit, "-c", "select 1", "-c", "select 2",
    ])
    #expect(made.status == 0)
    let ok = TestEnvironment.opsql(["audit", "verify", "--audit", audit])
    #expect(ok.status == 0)
    #expect(ok.stdout == "audit: 9 rows checked in \(audit); the hash chain is intact\n")

    func tampered(_ name: String, _ sql: String) throws -> ProcessResult {
      let copy = dir + "/" + name
      // A consistent copy, the WAL included (the audit leaves it beside the file).
      let source = try SQLiteConnection(path: audit, create: false)
      try source.execute("VACUUM INTO '\(copy)'")
      source.close()
      let c = try SQLiteConnection(path: copy, create: false)
      try c.execute(sql)
      c.close()
      return TestEnvironment.opsql(["audit", "verify", "--audit", copy])
    }
    let altered = try tampered("altered.db", "UPDATE events SET sql = 'select 42' WHERE id = 4")
    #expect(altered.status == 1)
    #expect(
      altered.stderr.hasPrefix(
        "opsql: audit verify: row 4: its content does not match its hash; it was altered"))
    let removed = try tampered("removed.db", "DELETE FROM events WHERE id = 5")
    #expect(removed.status == 1)
    #expect(
      removed.stderr.hasPrefix(
        "opsql: audit verify: row 6: the chain is broken after row 4; rows 5…5 were removed"))
    let forged = try tampered(
      "forged.db",
      "INSERT INTO events (id, time, session, seq, kind, sql, prev_hash, hash) SELECT 10, time, session, 99, 'statement', 'select 1', hash, '\(String(repeating: "ab", count: 32))' FROM events WHERE id = 9"
    )
    #expect(forged.status == 1)
    #expect(
      forged.stderr.hasPrefix("opsql: audit verify: row 10: its content does not match its hash"))
    let reordered = try tampered("reordered.db", "UPDATE events SET id = id + 100 WHERE id = 3")
    #expect(reordered.status == 1)
    #expect(reordered.stderr.hasPrefix("opsql: audit verify: row 4: "))
  }

  @Test func fourWritersShareOneFile() throws {
    let audit = dir + "/shared.db"
    let script = dir + "/many.sql"
    TestEnvironment.writeFile(
      script, (1...250).map { "select \($0);" }.joined(separator: "\n") + "\n")
    let writers = (0..<4).map { _ in
      Background(TestEnvironment.opsql, ["-d", db, "--audit", audit, "-f", script])
    }
    let codes = writers.map { Processes.waitFor($0.pid) }
    #expect(codes == [0, 0, 0, 0])
    let all = try rows(audit)
    let begins = all.filter { $0["kind"] == "statement" && $0["phase"] == "begin" }
    let ends = all.filter { $0["kind"] == "statement" && $0["phase"] == "end" }
    #expect(begins.count == 1000)
    #expect(ends.count == 1000)
    #expect(Set(ends.compactMap { $0["begin_id"] }) == Set(begins.compactMap { $0["id"] }))
    #expect(Set(all.map { $0["session"] }).count == 4)
    #expect(AuditChain.firstBreak(all) == nil)
    #expect(all.map { $0["id"] ?? "" } == (1...all.count).map(String.init))
  }

  @Test func failsClosedWhenTheAuditCannotBeWritten() {
    let before = TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from audit_t"])
      .stdout
    let regular = dir + "/not-a-dir"
    TestEnvironment.writeFile(regular, "x")
    let r1 = TestEnvironment.opsql([
      "-d", db, "--audit", regular + "/audit.db", "-c", "insert into audit_t values (3)",
    ])
    #expect(r1.status == 2)
    #expect(
      r1.stderr
        == "opsql: audit: cannot open \(regular)/audit.db: unable to open database file; nothing was run\n"
    )

    let garbage = dir + "/garbage.db"
    TestEnvironment.writeFile(garbage, String(repeating: "not sqlite ", count: 400))
    let r2 = TestEnvironment.opsql([
      "-d", db, "--audit", garbage, "-c", "insert into audit_t values (3)",
    ])
    #expect(r2.status == 2)
    #expect(
      r2.stderr == "opsql: audit: cannot open \(garbage): file is not a database; nothing was run\n"
    )

    // A file this user may read but not write (as root, another user is needed for that).
    let readonly = dir + "/readonly.db"
    _ = TestEnvironment.opsql(["-d", db, "--audit", readonly, "-c", "select 1"])
    let r3: ProcessResult
    if getuid() == 0 {
      chmod(readonly, 0o644)
      chmod(dir, 0o755)
      r3 = Processes.run(
        "/usr/sbin/runuser",
        [
          "-u", "nobody", "--", TestEnvironment.opsql, "-d", db, "--audit", readonly, "-c",
          "insert into audit_t values (3)",
        ])
    } else {
      chmod(readonly, 0o400)
      r3 = TestEnvironment.opsql([
        "-d", db, "--audit", readonly, "-c", "insert into audit_t values (3)",
      ])
    }
    #expect(r3.status == 2)
    // As another user the WAL beside the file cannot even be opened; as its owner with a
    // read-only file the first write fails. Either way: one line, and nothing runs.
    #expect(r3.stderr.hasPrefix("opsql: audit: cannot open \(readonly): "))
    #expect(r3.stderr.hasSuffix("; nothing was run\n"))
    #expect(r3.stderr.split(separator: "\n").count == 1)
    #expect(
      TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from audit_t"]).stdout == before
    )
  }

  @Test func listShowAndTheShellCommand() {
    let audit = dir + "/list.db"
    let r = TestEnvironment.opsql(["-d", db, "--audit", audit, "-c", "select 7", "-c", "\\audit 2"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("| statement | end   |        |            | ok      |    1 |"))
    let json = TestEnvironment.opsql([
      "audit", "list", "--audit", audit, "--format", "json", "--limit", "1",
    ])
    #expect(json.stdout.hasPrefix("[\n{\"id\":"))
    for key in [
      "time", "session", "seq", "operator", "os_user", "host", "target", "target_kind",
      "environment", "kind", "phase", "sql", "snippet", "params", "danger", "decision", "outcome",
      "rows", "duration_ms", "error", "sqlstate", "prev_hash", "hash",
    ] {
      #expect(json.stdout.contains("\"\(key)\":"), "\(key)")
    }
    let show = TestEnvironment.opsql(["audit", "show", "4", "--audit", audit])
    #expect(show.stdout.contains("sql          | select 7"))
    let csv = TestEnvironment.opsql(["audit", "export", "--audit", audit, "--format", "csv"])
    #expect(csv.stdout.hasPrefix("id,time,session,seq,operator,"))
    let since = TestEnvironment.opsql([
      "audit", "list", "--audit", audit, "--since", "1h", "--target", db,
    ])
    #expect(since.stdout.contains(" select 7"))
  }
}
