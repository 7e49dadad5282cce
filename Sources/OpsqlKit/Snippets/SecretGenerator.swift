import CCrypto
import Glibc

/// Strong secrets for `secret` params nobody supplied: 24 characters from [A-Za-z0-9] drawn
/// from the kernel's CSPRNG (about 143 bits).
public enum SecretGenerator {
  static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

  /// `bytes` random bytes as lowercase hex (session ids).
  public static func hex(bytes: Int) -> String {
    let raw = random(bytes)
    return raw.map { OpsqlKit.hex(UInt32($0), digits: 2).lowercased() }.joined()
  }

  public static func generate(length: Int = 24) -> String {
    var result: [UInt8] = []
    while result.count < length {
      let pool = random(64)
      // Rejection sampling keeps the characters uniform: 248 = 4 × 62.
      for b in pool where b < 248 && result.count < length {
        result.append(alphabet[Int(b) % alphabet.count])
      }
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// `count` bytes from the kernel's CSPRNG (getrandom(2): no file to open, and it waits only
  /// until the pool is first seeded, long before opsql runs).
  static func random(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let n = bytes.withUnsafeMutableBytes {
        getrandom($0.baseAddress! + filled, count - filled, 0)
      }
      if n > 0 { filled += n } else { precondition(errno == EINTR, "getrandom failed") }
    }
    return bytes
  }
}
