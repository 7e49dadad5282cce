import Glibc
import Testing

@testable import TestSupport

/// The shell through a real pseudo-terminal, typed the way a person types.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"), .serialized)
struct InteractiveShellTests {
  let db = TestEnvironment.database("opsql_e2e")

  private func start(_ stateDir: String, _ extra: [String: String] = [:]) -> PseudoTerminal {
    var env = ["XDG_STATE_HOME": stateDir, "NO_COLOR": "1"]
    for (k, v) in extra { env[k] = v }
    let term = PseudoTerminal(TestEnvironment.opsql, [db], environment: env)
    #expect(term.expect("\(db)=> "), "no prompt: \(term.text)")
    term.waitForInput()
    return term
  }

  /// Types a line and waits for the next prompt after it.
  private func enter(
    _ term: PseudoTerminal, _ line: String, expecting: String, timeout: Double = 10
  )
    -> Bool
  {
    let mark = term.transcript.count
    term.type(line + "\r")
    let seen = term.expect(expecting, after: mark, timeout: timeout)
    term.waitForInput()
    return seen
  }

  @Test func multiLineStatementsDollarQuotesCancelHistoryAndExit() throws {
    let state = TestEnvironment.temporaryDirectory()
    let term = start(state)

    // A statement over two lines shows the continuation prompt, then runs.
    #expect(enter(term, "select 1 +", expecting: "\(db)-> "))
    #expect(enter(term, "41 as answer;", expecting: "42"))

    // A dollar-quoted function body with semicolons inside.
    #expect(enter(term, "create function add1(i int) returns int as $$", expecting: "\(db)$> "))
    #expect(enter(term, "begin return i + 1; end;", expecting: "\(db)$> "))
    #expect(enter(term, "$$ language plpgsql;", expecting: "CREATE FUNCTION"))
    #expect(enter(term, "select add1(41) as added;", expecting: "(1 row)"))

    // Ctrl-C while a statement runs cancels it on the server; the session stays usable.
    let mark = term.transcript.count
    term.type("select pg_sleep(30) as cancel_marker;\r")
    term.pump(1.0)
    let before = Processes.now()
    term.type("\u{03}")
    #expect(term.expect("canceling statement due to user request", after: mark, timeout: 5))
    #expect(Processes.now() - before < 5)
    term.waitForInput()
    let sleeping = TestEnvironment.psql([
      "-At", "-c",
      "select count(*) from pg_stat_activity where query like 'select pg_sleep(30) as cancel_marker%' and state = 'active'",
    ])
    #expect(sleeping.stdout == "0\n")
    #expect(enter(term, "select 'alive' as status;", expecting: "alive"))

    // Ctrl-C at the prompt discards the typed buffer.
    term.type("select 'discarded'")
    term.type("\u{03}")
    term.waitForInput()
    #expect(enter(term, "select 'kept' as k;", expecting: "(1 row)"))
    #expect(!term.contains("discarded\n"))

    // A line starting with a space is not kept in history.
    #expect(enter(term, " select 'private' as p;", expecting: "(1 row)"))

    // Ctrl-D leaves.
    term.type("\u{04}")
    #expect(term.waitForExit() == 0)

    let historyPath = state + "/opsql/line_history"
    var st = stat()
    #expect(stat(historyPath, &st) == 0)
    #expect(st.st_mode & 0o777 == 0o600)
    let history = Processes.run("/bin/cat", [historyPath]).stdout
    // libedit's file: one vis-encoded entry per line; the two typed lines are one entry.
    let entries = history.split(separator: "\n").dropFirst()
    #expect(entries.contains("select\\0401\\040+\\01241\\040as\\040answer;"))
    #expect(entries.filter { $0.contains("answer") }.count == 1)
    #expect(!history.contains("private"))
    #expect(!history.contains("discarded"))
  }

  @Test func ctrlDWithAnOpenTransactionAsksFirst() {
    let state = TestEnvironment.temporaryDirectory()
    let term = start(state)
    #expect(enter(term, "begin;", expecting: "\(db)=*> "))
    #expect(enter(term, "select 1/0;", expecting: "\(db)=!> "))
    term.type("\u{04}")
    #expect(term.expect("Quit? [y/N]"))
    term.waitForInput()
    #expect(enter(term, "n", expecting: "\(db)=!> "))
    #expect(enter(term, "rollback;", expecting: "\(db)=> "))
    term.type("\u{04}")
    #expect(term.waitForExit() == 0)
  }

  @Test func lostConnectionIsResetAndTheShellGoesOn() {
    let state = TestEnvironment.temporaryDirectory()
    let term = start(state)
    // Terminating a backend is destructive: the guard asks first.
    #expect(
      enter(term, "select pg_terminate_backend(pg_backend_pid());", expecting: "[y/N]"))
    #expect(enter(term, "y", expecting: "Attempting reset: Succeeded."))
    #expect(enter(term, "select 'back' as again;", expecting: "(1 row)"))
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }

  @Test func tallOutputGoesThroughThePager() {
    let state = TestEnvironment.temporaryDirectory()
    let paged = state + "/paged.txt"
    let term = start(state, ["PAGER": "cat > \(paged)"])
    #expect(enter(term, "select g from generate_series(1, 100) g;", expecting: "\(db)=> "))
    let text = Processes.run("/bin/cat", [paged]).stdout
    #expect(text.hasPrefix("  g  \n-----\n   1\n"))
    #expect(text.hasSuffix("(100 rows)\n\n"))
    // Short output is written straight to the terminal.
    #expect(enter(term, "select 'short' as s;", expecting: "(1 row)"))
    #expect(!Processes.run("/bin/cat", [paged]).stdout.contains("short"))
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }

  @Test func ctrlCEndsAWatch() {
    let state = TestEnvironment.temporaryDirectory()
    let term = start(state)
    #expect(enter(term, "select 'tick' as t;", expecting: "(1 row)"))
    let mark = term.transcript.count
    term.type("\\watch 0.2\r")
    #expect(term.expect("(every 0.2s)", after: mark))
    term.pump(0.6)
    term.type("\u{03}")
    #expect(term.expect("\(db)=> ", after: term.transcript.count - 20, timeout: 3))
    term.waitForInput()
    #expect(enter(term, "select 'after' as a;", expecting: "after"))
    term.type("\\q\r")
    #expect(term.waitForExit() == 0)
  }

  @Test func metaCommandsInTheShell() {
    let state = TestEnvironment.temporaryDirectory()
    let term = start(state)
    #expect(enter(term, "\\?", expecting: "\\conninfo"))
    #expect(enter(term, "\\x", expecting: "Expanded display is on."))
    #expect(enter(term, "select 1 as one;", expecting: "-[ RECORD 1 ]"))
    #expect(enter(term, "\\x off", expecting: "Expanded display is off."))
    #expect(enter(term, "\\timing", expecting: "Timing is on."))
    #expect(enter(term, "select 1;", expecting: "Time: "))
    // psql's `@` in the prompt inside an \if branch that does not run.
    #expect(enter(term, "\\if false", expecting: "\(db)@> "))
    #expect(enter(term, "select 'skipped' as s;", expecting: "\(db)@> "))
    #expect(enter(term, "\\endif", expecting: "\(db)=> "))
    #expect(!term.contains(" skipped\r\n(1 row)"))
    #expect(enter(term, "\\q", expecting: ""))
    #expect(term.waitForExit() == 0)
  }
}
