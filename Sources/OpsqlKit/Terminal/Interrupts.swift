import CLibPQ
import CSQLite
import Glibc
import Synchronization

/// Ctrl-C. A SIGINT handler (installed with `sigaction`, no SA_RESTART, so a blocking read is
/// interrupted) records the interrupt and cancels every statement that is armed: libpq's cancel
/// request for Postgres (`PQcancel` is documented as safe to call from a signal handler),
/// `sqlite3_interrupt` for SQLite. A statement is armed before its wait and withdrawn before
/// its handle is freed; an `\on` arms one per target, each in a slot of its own.
public enum Interrupts {
  /// Installs the handler; call once, early, on the main thread.
  public static func install() {
    _ = requested.load(ordering: .relaxed)
    _ = armed.count
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in Interrupts.handleSignal() }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
  }

  /// True once Ctrl-C was pressed since the last `clear()`.
  public static var wasRequested: Bool { requested.load(ordering: .relaxed) }

  public static func clear() { requested.store(false, ordering: .relaxed) }

  /// Arms a Postgres statement (its `PGcancel`) or a SQLite one (its connection); the slot to
  /// withdraw, or nil when every slot is taken (that statement then runs unarmed).
  static func arm(postgres cancel: OpaquePointer) -> Int? { take(cancel, tag: 0) }
  static func arm(sqlite db: OpaquePointer) -> Int? { take(db, tag: 1) }

  static func withdraw(_ slot: Int?) {
    guard let slot else { return }
    armed[slot].bits.store(0, ordering: .sequentiallyConsistent)
  }

  /// A slot holds a handle's address with its kind in the lowest bit (both are aligned).
  private static func take(_ handle: OpaquePointer, tag: Int) -> Int? {
    let bits = Int(bitPattern: UnsafeRawPointer(handle)) | tag
    for slot in armed.indices
    where armed[slot].bits.compareExchange(
      expected: 0, desired: bits, ordering: .sequentiallyConsistent
    )
    .exchanged {
      return slot
    }
    return nil
  }

  private static func handleSignal() {
    requested.store(true, ordering: .relaxed)
    var sent = 0
    var failed = 0
    for slot in armed.indices {
      let bits = armed[slot].bits.load(ordering: .sequentiallyConsistent)
      guard bits != 0, let handle = OpaquePointer(bitPattern: bits & ~1) else { continue }
      if bits & 1 == 1 {
        sqlite3_interrupt(handle)
        continue
      }
      let ok = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buf in
        PQcancel(handle, buf.baseAddress, 256)
      }
      if ok == 1 { sent += 1 } else { failed += 1 }
    }
    guard sent + failed > 0 else { return }
    // Once, as psql says it, however many statements were cancelled.
    let note = failed == 0 ? "Cancel request sent\n" : "Could not send cancel request\n"
    note.utf8CString.withUnsafeBufferPointer { p in
      _ = Glibc.write(2, p.baseAddress, p.count - 1)
    }
  }
}

/// A cell the signal handler can read without taking a lock.
private final class Slot: Sendable {
  let bits = Atomic<Int>(0)
}

private let requested = Atomic<Bool>(false)
/// As many statements as an `\on` can run at once before the rest run unarmed.
private let armed: [Slot] = (0..<64).map { _ in Slot() }
