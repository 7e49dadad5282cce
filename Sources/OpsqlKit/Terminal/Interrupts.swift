import CLibPQ
import CSQLite
import Glibc
import Synchronization

/// Ctrl-C. A SIGINT handler (installed with `sigaction`, no SA_RESTART, so a blocking read is
/// interrupted) records the interrupt and, while a Postgres statement runs, sends libpq's cancel
/// request — `PQcancel` is documented as safe to call from a signal handler. The handle is
/// published before a wait and withdrawn before it is freed.
public enum Interrupts {
  /// Installs the handler; call once, early, on the main thread.
  public static func install() {
    _ = requested.load(ordering: .relaxed)
    _ = postgresCancel.load(ordering: .relaxed)
    _ = sqliteHandle.load(ordering: .relaxed)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in Interrupts.handleSignal() }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
  }

  /// True once Ctrl-C was pressed since the last `clear()`.
  public static var wasRequested: Bool { requested.load(ordering: .relaxed) }

  public static func clear() { requested.store(false, ordering: .relaxed) }

  static func publish(_ cancel: OpaquePointer?) {
    postgresCancel.store(
      Int(bitPattern: UnsafeRawPointer(cancel)), ordering: .sequentiallyConsistent)
  }

  static func withdraw() { postgresCancel.store(0, ordering: .sequentiallyConsistent) }

  /// A SQLite handle to interrupt (`sqlite3_interrupt` only sets a flag the running statement
  /// checks), or nil.
  static func publishSQLite(_ db: OpaquePointer?) {
    sqliteHandle.store(Int(bitPattern: UnsafeRawPointer(db)), ordering: .sequentiallyConsistent)
  }

  private static func handleSignal() {
    requested.store(true, ordering: .relaxed)
    if let db = OpaquePointer(bitPattern: sqliteHandle.load(ordering: .sequentiallyConsistent)) {
      sqlite3_interrupt(db)
    }
    let bits = postgresCancel.load(ordering: .sequentiallyConsistent)
    guard bits != 0, let cancel = OpaquePointer(bitPattern: bits) else { return }
    let sent = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buf in
      PQcancel(cancel, buf.baseAddress, 256)
    }
    let note = sent == 1 ? "Cancel request sent\n" : "Could not send cancel request\n"
    note.utf8CString.withUnsafeBufferPointer { p in
      _ = Glibc.write(2, p.baseAddress, p.count - 1)
    }
  }
}

private let requested = Atomic<Bool>(false)
private let postgresCancel = Atomic<Int>(0)
private let sqliteHandle = Atomic<Int>(0)
