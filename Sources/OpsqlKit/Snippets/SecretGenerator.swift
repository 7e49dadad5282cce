import COpenSSL

/// Strong secrets for `secret` params nobody supplied: 24 characters from [A-Za-z0-9] drawn
/// from libcrypto's CSPRNG (about 143 bits).
public enum SecretGenerator {
  static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

  /// `bytes` random bytes as lowercase hex (session ids).
  public static func hex(bytes: Int) -> String {
    var raw = [UInt8](repeating: 0, count: bytes)
    precondition(RAND_bytes(&raw, Int32(bytes)) == 1, "libcrypto could not provide random bytes")
    return raw.map { OpsqlKit.hex(UInt32($0), digits: 2).lowercased() }.joined()
  }

  public static func generate(length: Int = 24) -> String {
    var result: [UInt8] = []
    var pool = [UInt8](repeating: 0, count: 64)
    while result.count < length {
      // RAND_bytes returns 1 on success (OpenSSL 3); anything else means no entropy to be had.
      precondition(
        RAND_bytes(&pool, Int32(pool.count)) == 1, "libcrypto could not provide random bytes")
      // Rejection sampling keeps the characters uniform: 248 = 4 × 62.
      for b in pool where b < 248 && result.count < length {
        result.append(alphabet[Int(b) % alphabet.count])
      }
    }
    return String(decoding: result, as: UTF8.self)
  }
}
