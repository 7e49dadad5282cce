import Glibc
import Testing

@testable import TestSupport

/// The guard's questions on a real terminal: a production target, typed confirmations, the
/// snippet preview before the question, and tab completion of snippets.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct GuardTerminalTests {
  let db = TestEnvironment.database(
    "opsql_guard",
    setup: "CREATE TABLE accounts (id int); INSERT INTO accounts SELECT generate_series(1, 3);")
  let dir = TestEnvironment.temporaryDirectory()

  private func start() -> PseudoTerminal {
    let config = dir + "/config"
    let fd = open(config, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let text =
      "[target prodtest]\nkind = postgres\nconninfo = dbname=\(db)\nenvironment = production\n"
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    let term = PseudoTerminal(
      TestEnvironment.opsql, ["--config", config, "prodtest"],
      environment: ["XDG_STATE_HOME": dir, "NO_COLOR": "1"])
    #expect(term.expect("prodtest[prod]=> "), "no prompt: \(term.text)")
    term.waitForInput()
    return term
  }

  private func enter(_ term: PseudoTerminal, _ line: String, expecting: String) -> Bool {
    let mark = term.transcript.count
    term.type(line + "\r")
    let seen = term.expect(expecting, after: mark)
    term.waitForInput()
    return seen
  }

  private func count() -> String {
    TestEnvironment.psql(["-d", db, "-At", "-c", "select count(*) from accounts"]).stdout
  }

  @Test func destructiveOnProductionNeedsTheTargetNameTyped() {
    let term = start()
    #expect(enter(term, "delete from accounts;", expecting: "Type \"prodtest\" to run it"))
    #expect(
      term.contains("DESTRUCTIVE on prodtest (production): DELETE without WHERE touches every row"))
    #expect(
      enter(term, "prod", expecting: "Cancelled: that was not \"prodtest\". Nothing was run."))
    #expect(count() == "3\n")
    #expect(enter(term, "delete from accounts;", expecting: "Type \"prodtest\" to run it"))
    #expect(enter(term, "prodtest", expecting: "DELETE 3"))
    #expect(count() == "0\n")
    // A write on production asks y/N.
    #expect(enter(term, "insert into accounts values (9);", expecting: "Run it on prodtest? [y/N]"))
    #expect(enter(term, "", expecting: "Cancelled. Nothing was run."))
    #expect(count() == "0\n")
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }

  @Test func snippetPreviewComesBeforeTheQuestion() {
    let sleeper = Background.psql(db, application: "opsql-guard-sleeper", "select pg_sleep(60);\n")
    defer { sleeper.stop() }
    #expect(
      Background.waitFor(
        db, "select state from pg_stat_activity where application_name = 'opsql-guard-sleeper'",
        toPrint: "active\n"))
    let pid = TestEnvironment.psql([
      "-d", db, "-At", "-c",
      "select pid from pg_stat_activity where application_name = 'opsql-guard-sleeper'",
    ]).stdout.trimmingCharacters
    let term = start()
    let mark = term.transcript.count
    #expect(enter(term, "\\n kill-query \(pid)", expecting: "Type \"\(pid)\" to run it"))
    let shown = String(decoding: term.transcript[mark...], as: UTF8.self)
    let preview = shown.firstRange(of: "select pg_sleep(60);")
    let question = shown.firstRange(of: "Type \"\(pid)\"")
    #expect(preview != nil && question != nil && preview!.lowerBound < question!.lowerBound)
    #expect(enter(term, "12345", expecting: "Nothing was run."))
    #expect(
      TestEnvironment.psql([
        "-d", db, "-At", "-c", "select count(*) from pg_stat_activity where pid = \(pid)",
      ]).stdout == "1\n")
    #expect(enter(term, "\\n kill-query \(pid)", expecting: "Type \"\(pid)\" to run it"))
    #expect(enter(term, pid, expecting: "(1 row)"))
    #expect(
      Background.waitFor(
        db, "select count(*) from pg_stat_activity where pid = \(pid)", toPrint: "0\n"))
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }

  @Test func tabCompletesSnippetsAndParams() {
    // libedit redraws only what changed: the rest of the word after the cursor.
    let term = start()
    var mark = term.transcript.count
    term.type("\\n kill-q\t")
    #expect(term.expect("uery ", after: mark))
    mark = term.transcript.count
    term.type("p\t")
    #expect(term.expect("id=", after: mark))
    term.type("\u{03}")
    term.waitForInput()
    mark = term.transcript.count
    term.type("sel\t")
    #expect(term.expect("ect ", after: mark))
    mark = term.transcript.count
    term.type("* from acc\t")
    #expect(term.expect("ounts ", after: mark))
    term.type("\u{03}")
    term.waitForInput()
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }
}

extension String {
  fileprivate var trimmingCharacters: String {
    var s = self
    while s.last == "\n" || s.last == " " { s.removeLast() }
    return s
  }
}
