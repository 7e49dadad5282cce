/// SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104) in Swift. libcrypto would do it too, but
/// initialising its provider costs every opsql run over 2 MB of memory and a little start-up
/// time, for a few hundred bytes hashed per statement.
public struct SHA256 {
  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
    0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
    0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f,
    0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
    0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc,
    0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
    0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116,
    0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
    0xc671_78f2,
  ]

  /// The digest of `data`.
  public static func hash(_ data: [UInt8]) -> [UInt8] {
    var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab,
      0x5be0_cd19
    )
    // The schedule and the padded tail live on the stack; whole blocks are read in place.
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
        k.withUnsafeBufferPointer { k in
          data.withUnsafeBufferPointer { input in
            let whole = input.count / 64 * 64
            var offset = 0
            while offset < whole {
              compress(&h, input.baseAddress! + offset, w, k)
              offset += 64
            }
            // The rest, 0x80, zeros and the length in bits: one block or two.
            let rest = input.count - whole
            let blocks = rest < 56 ? 1 : 2
            tail.initialize(repeating: 0)
            for i in 0..<rest { tail[i] = input[whole + i] }
            tail[rest] = 0x80
            let bits = UInt64(input.count) &* 8
            for i in 0..<8 {
              tail[blocks * 64 - 1 - i] = UInt8(truncatingIfNeeded: bits >> UInt64(i * 8))
            }
            for b in 0..<blocks { compress(&h, UnsafePointer(tail.baseAddress! + b * 64), w, k) }
          }
        }
      }
    }
    var digest = [UInt8](repeating: 0, count: 32)
    for (i, v) in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7].enumerated() {
      digest[4 * i] = UInt8(truncatingIfNeeded: v >> 24)
      digest[4 * i + 1] = UInt8(truncatingIfNeeded: v >> 16)
      digest[4 * i + 2] = UInt8(truncatingIfNeeded: v >> 8)
      digest[4 * i + 3] = UInt8(truncatingIfNeeded: v)
    }
    return digest
  }

  /// One 64-byte block into the state `h`; `w` is room for the message schedule.
  @inline(__always)
  private static func compress(
    _ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
    _ block: UnsafePointer<UInt8>, _ w: UnsafeMutableBufferPointer<UInt32>,
    _ k: UnsafeBufferPointer<UInt32>
  ) {
    for t in 0..<16 {
      let i = t * 4
      w[t] =
        UInt32(block[i]) << 24 | UInt32(block[i + 1]) << 16 | UInt32(block[i + 2]) << 8
        | UInt32(block[i + 3])
    }
    for t in 16..<64 {
      let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
      let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
      w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
    }
    var (a, b, c, d, e, f, g, hh) = h
    for t in 0..<64 {
      let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      let ch = (e & f) ^ (~e & g)
      let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
      let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      let maj = (a & b) ^ (a & c) ^ (b & c)
      (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ s0 &+ maj)
    }
    h = (
      h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh
    )
  }

  /// HMAC-SHA-256 of `data` under `key`.
  public static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
    var block = key.count > 64 ? hash(key) : key
    block += [UInt8](repeating: 0, count: 64 - block.count)
    let inner = hash(block.map { $0 ^ 0x36 } + data)
    return hash(block.map { $0 ^ 0x5c } + inner)
  }

  @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x >> n) | (x << (32 - n))
  }
}
