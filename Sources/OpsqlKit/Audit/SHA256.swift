import CCrypto

/// SHA-256 (libcrypto's) and HMAC-SHA-256 (RFC 2104) on top of it.
public enum SHA256 {
  /// The digest of `data`.
  public static func hash(_ data: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    data.withUnsafeBytes { input in
      digest.withUnsafeMutableBufferPointer {
        opsql_sha256(input.baseAddress, input.count, $0.baseAddress)
      }
    }
    return digest
  }

  /// HMAC-SHA-256 of `data` under `key`.
  public static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
    var block = key.count > 64 ? hash(key) : key
    block += [UInt8](repeating: 0, count: 64 - block.count)
    let inner = hash(block.map { $0 ^ 0x36 } + data)
    return hash(block.map { $0 ^ 0x5c } + inner)
  }
}
