import Glibc
import Testing

@testable import TestSupport

/// `-c`, `-f`, piped stdin, `\i`, `\o` and friends, through the real binary.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct ScriptTests {
  let db = TestEnvironment.database("opsql_scripts")

  @Test func scriptStopsAtFirstErrorWithFileAndLine() {
    let dir = TestEnvironment.temporaryDirectory()
    let script = dir + "/s.sql"
    TestEnvironment.writeFile(
      script,
      "create table s1(a int);\ninsert into s1 values (1);\nselect 1 +;\ninsert into s1 values (2);\n"
    )
    let r = TestEnvironment.opsql([db, "-f", script])
    #expect(r.status == 1)
    #expect(
      r.stderr.hasPrefix("opsql:\(script):3: ERROR:  42601: syntax error at or near \";\""))
    let count = TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from s1"])
    #expect(count.stdout == "1\n")
  }

  @Test func continueOnErrorRunsTheRestButStillFails() {
    let r = TestEnvironment.opsql(
      [db, "--continue-on-error", "-f", "-"],
      stdin:
        "create table s2(a int);\ninsert into s2 values (1);\nselect 1/0;\ninsert into s2 values (2);\n"
    )
    #expect(r.status == 1)
    #expect(r.stderr.contains("ERROR:  22012: division by zero"))
    let count = TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from s2"])
    #expect(count.stdout == "2\n")
  }

  @Test func pipedStdinIsAScriptWithoutPrompts() {
    let r = TestEnvironment.opsql(
      [db], stdin: "select 41 + 1 as answer;\nselect 'two'\n  as second;\n")
    #expect(r.status == 0)
    #expect(
      r.stdout == " answer \n--------\n     42\n(1 row)\n\n second \n--------\n two\n(1 row)\n\n")
    #expect(r.stderr.isEmpty)
  }

  @Test func unterminatedLastStatementRuns() {
    let r = TestEnvironment.opsql([db, "--csv"], stdin: "select 7 as seven")
    #expect(r.stdout == "seven\n7\n")
  }

  @Test func commandsRunInOrder() {
    let r = TestEnvironment.opsql([
      db, "-c", "\\echo first", "-c", "select 'second' as s", "-c", "\\echo third",
    ])
    #expect(r.stdout == "first\n   s    \n--------\n second\n(1 row)\n\nthird\n")
  }

  @Test func includeAndOutputRedirection() {
    let dir = TestEnvironment.temporaryDirectory()
    TestEnvironment.writeFile(dir + "/inner.sql", "select 'from inner' as src;\n")
    TestEnvironment.writeFile(
      dir + "/outer.sql", "\\o \(dir)/result.txt\n\\ir inner.sql\n\\o\n\\echo done\n")
    let r = TestEnvironment.opsql([db, "-f", dir + "/outer.sql"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "done\n")
    let saved = Processes.run("/bin/cat", [dir + "/result.txt"])
    #expect(saved.stdout == "    src     \n------------\n from inner\n(1 row)\n\n")
  }

  @Test func outputToACommand() {
    let r = TestEnvironment.opsql([db, "-c", "\\o | tr a-z A-Z", "-c", "select 'shout' as word"])
    #expect(r.stdout == " WORD  \n-------\n SHOUT\n(1 ROW)\n\n")
  }

  @Test func timingAndNotices() {
    // A DO block cannot be seen into: destructive, so --yes.
    let r = TestEnvironment.opsql([
      db, "--yes", "-c", "\\timing on", "-c",
      "do $$ begin raise notice 'hello %', 42; end $$",
    ])
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix("Timing is on.\nDO\nTime: "))
    #expect(r.stdout.hasSuffix(" ms\n"))
    #expect(r.stderr.hasSuffix("Confirmed by --yes.\nNOTICE:  hello 42\n"))
  }

  @Test func errorDetailAndHint() {
    let r = TestEnvironment.opsql([
      db, "-c", "create table s3(id int primary key)", "-c", "insert into s3 values (1), (1)",
    ])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "ERROR:  23505: duplicate key value violates unique constraint \"s3_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n"
    )
  }

  @Test func largeResultsStream() {
    let r = TestEnvironment.opsql([
      db, "--csv", "-c", "select g, md5(g::text) from generate_series(1, 200000) g",
    ])
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 200_001)
    #expect(lines.last == "200000,\(md5Of200000)")
  }

  @Test func jsonAndExpandedFromTheCommandLine() {
    let j = TestEnvironment.opsql([
      db, "--json", "-c", "select 1 as n, 'x' as s, true as b, null as z",
    ])
    #expect(j.stdout == "[\n{\"n\":1,\"s\":\"x\",\"b\":true,\"z\":null}\n]\n")
    let x = TestEnvironment.opsql([db, "-x", "-c", "select 1 as n, 'x' as s"])
    #expect(x.stdout == "-[ RECORD 1 ]\nn | 1\ns | x\n\n")
  }

  @Test func connectSwitchesDatabase() {
    let r = TestEnvironment.opsql([
      db, "-c", "\\c postgres", "-c", "select current_database()", "-c", "\\conninfo",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      r.stdout.hasPrefix("You are now connected to database \"postgres\" as user \"postgres\".\n"))
    #expect(r.stdout.contains(" postgres\n(1 row)"))
    #expect(
      r.stdout.contains(
        "You are connected to database \"postgres\" as user \"postgres\" via socket in \"\(TestEnvironment.clusterDirectory)\""
      ))
  }
}

extension ScriptTests {
  @Test func lostConnectionStopsTheScriptWithExitTwo() {
    let r = TestEnvironment.opsql([
      db, "--yes", "-c", "select pg_terminate_backend(pg_backend_pid())", "-c",
      "\\echo not reached",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("FATAL:  57P01: terminating connection due to administrator command"))
    #expect(r.stderr.hasSuffix("connection to server was lost\n"))
    #expect(!r.stdout.contains("not reached"))
  }

  @Test func applicationNameIsOpsql() {
    let r = TestEnvironment.opsql([db, "-At", "-c", "select current_setting('application_name')"])
    #expect(r.stdout == "opsql\n")
    let overridden = TestEnvironment.opsql(
      ["-d", db, "-At", "-c", "show application_name"], environment: ["PGAPPNAME": "mine"])
    #expect(overridden.stdout == "mine\n")
  }

  @Test func subcommandsWithNothingToWorkOn() {
    let dir = TestEnvironment.temporaryDirectory()
    let r = TestEnvironment.opsql(
      ["attach", "nobody-shares-this"], environment: ["XDG_RUNTIME_DIR": dir])
    #expect(r.status == 2)
    #expect(r.stderr == "opsql: cannot attach to nobody-shares-this: No such file or directory\n")
    let none = TestEnvironment.opsql(["attach"], environment: ["XDG_RUNTIME_DIR": dir])
    #expect(none.status == 2)
    #expect(
      none.stderr == "opsql: no shared session of yours in \(dir)/opsql; the driver runs \\share\n")
    let missing = TestEnvironment.opsql(["replay", "/nonexistent/x.opsql"])
    #expect(missing.status == 2)
    #expect(missing.stderr == "opsql: /nonexistent/x.opsql: No such file or directory\n")
  }
}

/// md5('200000'), computed once by the server and pinned here.
private let md5Of200000 = "03e6c61603f6c550ab49ab6a2d83f793"

extension ScriptTests {
  @Test func watchRunsAgainUntilTheCount() {
    let r = TestEnvironment.opsql([db, "-At", "-c", "select 'watched'", "-c", "\\watch 0.1 c=3"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.filter { $0 == "watched" }.count == 4)
    #expect(lines.filter { $0.hasSuffix("(every 0.1s)") }.count == 3)
    let empty = TestEnvironment.opsql([db, "-c", "\\watch 1"])
    #expect(empty.status == 1)
    #expect(empty.stderr == "\\watch: the query buffer is empty and no statement ran yet\n")
  }
}

extension ScriptTests {
  @Test func psqlVariablesInSQL() {
    let r = TestEnvironment.opsql([
      db, "-At", "-c", "\\set rel pg_class", "-c", "\\set v 'it''s; drop table x'", "-c",
      "select :'v', count(*) > 0 from :\"rel\"",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "it's; drop table x|t\n")
  }
}

extension ScriptTests {
  @Test func aPgDumpRestoresThroughOpsql() {
    _ = TestEnvironment.psql([
      "-d", db, "-q", "-c",
      "drop table if exists dumped; create table dumped (id int primary key, note text); insert into dumped values (1, E'tab\\there'), (2, E'two\\nlines'), (3, NULL)",
    ])
    let dump = Processes.run("/usr/lib/postgresql/15/bin/pg_dump", ["-t", "dumped", db])
    #expect(dump.status == 0, "\(dump.stderr)")
    _ = TestEnvironment.psql(["-d", db, "-q", "-c", "drop table dumped"])
    let restored = TestEnvironment.opsql([db, "-f", "-"], stdin: dump.stdout)
    #expect(restored.status == 0, "\(restored.stderr)")
    #expect(restored.stdout.contains("COPY 3"))
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c",
        "select string_agg(coalesce(note, 'NULL'), '|' order by id) from dumped",
      ]).stdout
        == "tab\there|two\nlines|NULL\n")
  }

  @Test func restrictTurnsMetaCommandsOff() {
    let r = TestEnvironment.opsql(
      [db, "--continue-on-error"],
      stdin: "\\restrict k1\n\\echo hidden\n\\unrestrict wrong\n\\unrestrict k1\n\\echo shown\n")
    #expect(r.stdout == "shown\n")
    #expect(
      r.stderr.contains("\\echo: meta-commands are not allowed while restricted (\\restrict)"))
    #expect(r.status == 1)
  }

  /// psql's `\copy`: the file is read and written on this side, bytes as they are (a LATIN1
  /// file loads with COPY's own ENCODING option), and the written file is psql's, byte for byte.
  @Test func copyReadsAndWritesClientSideFiles() {
    let dir = TestEnvironment.temporaryDirectory()
    let input = dir + "/in.csv"
    let fd = open(input, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let latin1: [UInt8] = Array("1,caf".utf8) + [0xE9] + Array("\n2,\"a,b\"\n3,\n".utf8)
    _ = latin1.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    let ours = dir + "/ours.csv"
    let theirs = dir + "/theirs.csv"
    let r = TestEnvironment.opsql([
      db, "-c", "create table copied (a int, b text)",
      "-c", "\\copy copied from '\(input)' with (format csv, encoding 'latin1')",
      "-c", "\\copy (select * from copied order by a) to '\(ours)' with (format csv, header)",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "CREATE TABLE\nCOPY 3\nCOPY 3\n")
    let psql = TestEnvironment.psql([
      "-d", db, "-c",
      "\\copy (select * from copied order by a) to '\(theirs)' with (format csv, header)",
    ])
    #expect(psql.status == 0)
    let read = { (path: String) in Processes.run("/bin/cat", [path]).stdoutBytes }
    #expect(read(ours) == read(theirs))
    #expect(read(ours) == Array("a,b\n1,café\n2,\"a,b\"\n3,\n".utf8))

    let missing = TestEnvironment.opsql([db, "-c", "\\copy copied from '\(dir)/nope.csv'"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "\\copy: \(dir)/nope.csv: No such file or directory\n")
  }

  /// psql's `\gset`: one row's columns become variables (a NULL unsets one) for later SQL and
  /// for a snippet's parameters of the same name.
  @Test func gsetCarriesAValueToLaterSteps() {
    let r = TestEnvironment.opsql([
      db, "-c", "\\set gone 'was set'",
      "-c", "select 41 + 1 as answer, 'it''s' as word, null as gone \\gset",
      "-c", "select :answer + 1 as next, :'word' as w",
      "-c", "select 'x' as tag \\gset my_",
      "-c", "select :'my_tag' as tagged",
      "-c", "select 2 as \"limit\" \\gset",
      "-c", "\\n table-sizes",
      "-c", "\\set",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("   43 | it's\n"))
    #expect(r.stdout.contains(" tagged \n--------\n x\n"))
    #expect(r.stdout.contains("answer = '42'\n"))
    #expect(!r.stdout.contains("gone = "))
    #expect(r.stdout.contains("limit = '2'\n"))

    let none = TestEnvironment.opsql([db, "-c", "select 1 where false \\gset"])
    #expect(none.status == 1)
    #expect(none.stderr == "\\gset: no rows returned\n")
    let two = TestEnvironment.opsql([db, "-c", "select generate_series(1, 2) as n \\gset"])
    #expect(two.status == 1)
    #expect(two.stderr == "\\gset: more than one row returned\n")
  }

  /// psql's `\gexec`: each value of the result runs as a statement of its own, through the
  /// guard (a generated DROP is refused without a terminal like a typed one).
  @Test func gexecRunsEachValueThroughTheGuard() {
    let r = TestEnvironment.opsql([
      db, "-c",
      "select format('select %s as n', g), null, 'select ''b'' as t' from generate_series(1, 2) g \\gexec",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      r.stdout
        == " n \n---\n 1\n(1 row)\n\n t \n---\n b\n(1 row)\n\n n \n---\n 2\n(1 row)\n\n t \n---\n b\n(1 row)\n\n"
    )
    let failing = TestEnvironment.opsql([
      db, "-c", "select 'select 1/0', 'select 2 as never' \\gexec",
    ])
    #expect(failing.status == 1)
    #expect(!failing.stdout.contains("never"))
    _ = TestEnvironment.psql(["-d", db, "-c", "create table kept_by_guard (a int)"])
    let drop = TestEnvironment.opsql([db, "-c", "select 'drop table kept_by_guard' \\gexec"])
    #expect(drop.status == 3)
    let still = TestEnvironment.psql([
      "-d", db, "-At", "-c", "select count(*) from pg_tables where tablename = 'kept_by_guard'",
    ])
    #expect(still.stdout == "1\n")
  }

  /// psql's `\if`: with `\gset`, a script takes the branch the server's answer picks; skipped
  /// statements are not sent (nor guarded, nor audited).
  @Test func ifRunsOnlyTheBranchTaken() {
    let r = TestEnvironment.opsql(
      [db, "-f", "-"],
      stdin: """
        select pg_is_in_recovery() as replica \\gset
        \\if :replica
        select 'replica' as role;
        \\elif true
        select 'primary' as role;
        \\if off
        drop table never_sent;
        \\else
        select 'nested' as inner;
        \\endif
        \\else
        select 'never' as role;
        \\endif
        select 'after' as tail;

        """)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains(" primary\n") && r.stdout.contains(" nested\n"))
    #expect(r.stdout.contains(" after\n"))
    #expect(!r.stdout.contains("replica\n(") && !r.stdout.contains(" never\n"))

    let notBoolean = TestEnvironment.opsql(
      [db, "-f", "-"], stdin: "\\if maybe\nselect 1;\n\\endif\n")
    #expect(notBoolean.status == 1)
    #expect(
      notBoolean.stderr
        == "opsql:<stdin>:1: \\if: unrecognized value \"maybe\" for \"\\if expression\": Boolean expected\n"
    )
    let open = TestEnvironment.opsql([db, "-f", "-"], stdin: "\\if true\nselect 1;\n")
    #expect(open.status == 1)
    #expect(open.stderr.hasSuffix("reached EOF without finding closing \\endif(s)\n"))
    let stray = TestEnvironment.opsql([db, "-f", "-"], stdin: "\\endif\n")
    #expect(stray.stderr == "opsql:<stdin>:1: \\endif: no matching \\if\n")
  }
}
