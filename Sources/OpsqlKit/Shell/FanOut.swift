import Dispatch
import Glibc

/// `\on TARGETS COMMAND`: one statement, or a snippet, on several targets at once. TARGETS is
/// `a,b`, `@group` or `*` (every open session). The guard asks once for the whole set (the strictest target
/// decides); each target's statement is audited with one group id; they run concurrently, and
/// the output comes back grouped by target with a status line each.
enum FanOut {
  static func run(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    guard let spec = line.arguments.first else {
      throw ShellError("usage: \\on TARGETS COMMAND (TARGETS: a,b or @group or *)")
    }
    var command = String(line.rest.dropFirst(spec.count)).trimmed
    if command.hasPrefix("\\") {
      let snippet = MetaCommandLine(parsing: command)
      guard snippet.name == "n", let name = snippet.arguments.first else {
        throw ShellError(
          "SQL or a snippet (\\n NAME ARGS) runs on several targets, not \\\(snippet.name)")
      }
      return try SnippetCommands.runOnMany(
        name, Array(snippet.arguments.dropFirst()), on: try resolve(spec, shell), label: spec,
        shell)
    }
    while command.hasSuffix(";;") { command.removeLast() }
    guard !command.isEmpty else { throw ShellError("no command to run on \(spec)") }
    let sessions = try resolve(spec, shell)
    let statement = PreparedStatement(sql: command)
    return try shell.executor.runOnMany(sessions.map { ($0, [statement]) }, label: spec) == .ok
  }

  /// The sessions `spec` names, opening configured targets that are not open yet (without
  /// changing the current session).
  static func resolve(_ spec: String, _ shell: Shell) throws -> [Session] {
    let names: [String]
    if spec == "*" {
      names = shell.sessions.map(\.name)
    } else if spec.hasPrefix("@") {
      guard let members = shell.config.groups[String(spec.dropFirst())] else {
        throw ShellError("no group named \(spec.dropFirst()) in the config")
      }
      names = members
    } else {
      names = spec.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
    }
    guard !names.isEmpty else { throw ShellError("\(spec) names no target") }
    var missing: [Target] = []
    for name in names where shell.openSession(named: name) == nil {
      guard let target = shell.findTarget(name) else {
        throw ShellError("unknown target \(name): neither an open session nor a configured target")
      }
      missing.append(target)
    }
    for opened in try shell.connectAll(missing) {
      shell.add(try opened.get(), makeCurrent: false)
    }
    let sessions = names.compactMap { shell.openSession(named: $0) }
    return sessions
  }

  struct Result {
    var output: [UInt8] = []
    var notices: String = ""
    var summary: StatementSummary?
    var error: DatabaseError?
    var milliseconds: Double = 0
  }

  /// The targets' statements at once: Postgres sessions together on this thread (their sockets
  /// waited on with one `poll`), the others on a thread each (their drivers block); each driver
  /// is used by one thread only. A target's statements run in order and stop at its first error.
  static func runConcurrently(_ work: [(Session, [PreparedStatement])], settings: PrintSettings)
    -> [Result]
  {
    var settings = settings
    settings.pager = false
    let together = work.count > 1 ? work.indices.filter { work[$0].0.driver is PostgresDriver } : []
    let apart = work.indices.filter { !together.contains($0) }
    let slots = ParallelSlots<Result>(work.count)
    let group = DispatchGroup()
    for k in apart {
      let run = { slots.set(k, runOne(work[k].0.driver, work[k].1, settings: settings)) }
      if apart.count == 1 && together.isEmpty {
        run()
      } else {
        group.enter()
        WorkerPool.shared.run {
          run()
          group.leave()
        }
      }
    }
    if !together.isEmpty {
      let results = runTogether(together.map { work[$0] }, settings: settings)
      for (k, result) in zip(together, results) { slots.set(k, result) }
    }
    group.wait()
    return slots.values.map { $0! }
  }

  /// One target's statements on the calling thread, with the driver's blocking `execute`.
  private static func runOne(
    _ driver: any Driver, _ statements: [PreparedStatement], settings: PrintSettings
  ) -> Result {
    let capture = Capture(driver, settings: settings)
    var result = Result()
    let started = monotonicNow()
    for statement in statements where result.error == nil {
      do {
        result.summary = try driver.execute(
          statement.sql, parameters: statement.params, into: capture.printer)
      } catch let error as DatabaseError {
        result.error = error
      } catch {
        result.error = DatabaseError(message: "\(error)")
      }
    }
    result.milliseconds = monotonicNow() - started
    capture.end(into: &result)
    return result
  }

  /// Postgres targets' statements with `PostgresDriver.runTogether`.
  private static func runTogether(
    _ work: [(Session, [PreparedStatement])], settings: PrintSettings
  ) -> [Result] {
    let captures = work.map { Capture($0.0.driver, settings: settings) }
    let batches = zip(work, captures).map { item, capture in
      PostgresDriver.Batch(
        item.0.driver as! PostgresDriver, item.1.map { ($0.sql, $0.params) },
        into: capture.printer)
    }
    let started = monotonicNow()
    PostgresDriver.runTogether(batches)
    return zip(batches, captures).map { batch, capture in
      var result = Result(summary: batch.summary, error: batch.error)
      result.milliseconds = (batch.ended ?? monotonicNow()) - started
      capture.end(into: &result)
      return result
    }
  }

  /// One target's output and notices, kept apart while its statements run (Ctrl-C armed to
  /// cancel them), and its driver given back its own notice handler after.
  private final class Capture {
    let driver: any Driver
    let out = OutputStream()
    let printer: ResultSink
    private let notices: ((DatabaseError) -> Void)?
    private var noticeText = ""

    init(_ driver: any Driver, settings: PrintSettings) {
      self.driver = driver
      printer = ResultPrinter.make(settings, out: out, terminalColumns: nil)
      notices = driver.onNotice
      driver.onNotice = { [unowned self] in
        self.noticeText += ErrorRenderer.render($0, asNotice: true)
      }
      driver.armCancel()
    }

    func end(into result: inout Result) {
      driver.disarmCancel()
      driver.onNotice = notices
      result.notices = noticeText
      out.flush()
      result.output = out.captured
    }
  }

  /// `body(0..<count)` on one thread each, waiting for all; the results in order.
  static func inParallel<T>(_ count: Int, _ body: @escaping (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    let slots = ParallelSlots<T>(count)
    let group = DispatchGroup()
    for k in 0..<count {
      group.enter()
      WorkerPool.shared.run {
        slots.set(k, body(k))
        group.leave()
      }
    }
    group.wait()
    return slots.values.map { $0! }
  }

  /// A detached POSIX thread running `body`.
  static func spawnThread(_ body: @escaping () -> Void) {
    final class Box {
      let body: () -> Void
      init(_ body: @escaping () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
      &thread, nil,
      { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
      }, box)
    if rc == 0 {
      pthread_detach(thread)
    } else {
      Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
    }
  }
}

/// Results written by worker threads, each into its own slot.
final class ParallelSlots<T>: @unchecked Sendable {
  var values: [T?]
  let lock = DispatchQueue(label: "opsql.parallel")
  init(_ n: Int) { values = Array(repeating: nil, count: n) }
  func set(_ k: Int, _ value: T) { lock.sync { values[k] = value } }
}

/// Threads kept for the process's life, each job on its own thread at once (a job that finds
/// no idle thread gets a new one: every target's statement runs however long it blocks). A new
/// thread per target per `\on` cost more than a short statement (stack mapping, page faults,
/// TLB shootdowns when it ends); libdispatch's queues here run only as many jobs as there are
/// cores.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var jobs: [() -> Void] = []
  private var idle = 0

  private init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
  }

  func run(_ job: @escaping () -> Void) {
    pthread_mutex_lock(mutex)
    jobs.append(job)
    let enoughIdle = jobs.count <= idle
    if enoughIdle { pthread_cond_signal(wake) }
    pthread_mutex_unlock(mutex)
    if !enoughIdle { FanOut.spawnThread { [self] in work() } }
  }

  private func work() {
    pthread_mutex_lock(mutex)
    while true {
      if !jobs.isEmpty {
        let job = jobs.removeFirst()
        pthread_mutex_unlock(mutex)
        job()
        pthread_mutex_lock(mutex)
      } else {
        idle += 1
        pthread_cond_wait(wake, mutex)
        idle -= 1
      }
    }
  }
}
