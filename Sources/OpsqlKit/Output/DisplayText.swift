/// How psql shows a value in its aligned formats: `\n` splits it into lines, `\r` becomes `\r`,
/// a tab becomes spaces up to the next multiple of 8, other control characters become `\xNN`
/// (`\uNNNN` beyond ASCII), and each character takes its terminal width (0 for combining marks,
/// 2 for East Asian wide and full-width characters and emoji).
enum DisplayText {
  /// True when `bytes` is printable ASCII only: one line whose width is its length.
  @inline(__always)
  static func isPlain(_ bytes: UnsafeRawBufferPointer) -> Bool {
    for c in bytes where c < 0x20 || c >= 0x7F { return false }
    return true
  }

  /// The lines of `bytes` as psql would print them, each with its display width.
  static func lines(_ bytes: UnsafeRawBufferPointer) -> [(text: [UInt8], width: Int)] {
    var result: [(text: [UInt8], width: Int)] = []
    var line: [UInt8] = []
    var width = 0
    var k = 0
    let n = bytes.count
    while k < n {
      let c = bytes[k]
      if c < 0x80 {
        k += 1
        switch c {
        case 0x0A:
          result.append((line, width))
          line = []
          width = 0
        case 0x0D:
          line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
          width += 2
        case 0x09:
          repeat {
            line.append(0x20)
            width += 1
          } while width % 8 != 0
        case 0..<0x20, 0x7F:
          line.append(contentsOf: Array("\\x\(hex(UInt32(c), digits: 2))".utf8))
          width += 4
        default:
          line.append(c)
          width += 1
        }
        continue
      }
      let (scalar, length) = decodeUTF8(bytes, at: k)
      let w = scalar.map(scalarWidth) ?? 1
      if w < 0, let s = scalar {
        line.append(contentsOf: Array("\\u\(hex(s.value, digits: 4))".utf8))
        width += 6
      } else {
        line.append(contentsOf: bytes[k..<(k + length)])
        width += max(w, 0)
      }
      k += length
    }
    result.append((line, width))
    return result
  }

  /// The widest line's width and the number of lines, without building them.
  static func measure(_ bytes: UnsafeRawBufferPointer) -> (width: Int, lines: Int) {
    if isPlain(bytes) { return (bytes.count, 1) }
    let ls = lines(bytes)
    return (ls.reduce(0) { max($0, $1.width) }, ls.count)
  }

  /// Display width of a string in psql's terms (for headers and labels).
  static func width(of text: String) -> Int {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { measure(UnsafeRawBufferPointer($0)).width }
  }

  /// psql's ucs_wcwidth: -1 for control characters, 0 for combining marks, 2 for wide ones.
  static func scalarWidth(_ s: Unicode.Scalar) -> Int {
    let v = s.value
    if v == 0 { return 0 }
    if v < 0x20 || (v >= 0x7F && v < 0xA0) { return -1 }
    switch s.properties.generalCategory {
    case .nonspacingMark, .enclosingMark: return 0
    default: break
    }
    return isWide(v) ? 2 : 1
  }

  /// East Asian Wide (W) and Fullwidth (F) ranges of Unicode's EastAsianWidth.txt, merged.
  private static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
    0x23F3...0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F,
    0x2693...0x2693, 0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5,
    0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5,
    0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728,
    0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
    0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
    0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
    0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
    0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
    0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A,
    0x1F200...0x1F251, 0x1F260...0x1F265, 0x1F300...0x1F320, 0x1F32D...0x1F335,
    0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3,
    0x1F3E0...0x1F3F0, 0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440,
    0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567,
    0x1F57A...0x1F57A, 0x1F595...0x1F596, 0x1F5A4...0x1F5A4, 0x1F5FB...0x1F64F,
    0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7,
    0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F93A,
    0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD,
    0x30000...0x3FFFD,
  ]

  static func isWide(_ v: UInt32) -> Bool {
    if v < 0x1100 { return false }
    var lo = 0
    var hi = wideRanges.count - 1
    while lo <= hi {
      let mid = (lo + hi) / 2
      let r = wideRanges[mid]
      if v < r.lowerBound {
        hi = mid - 1
      } else if v > r.upperBound {
        lo = mid + 1
      } else {
        return true
      }
    }
    return false
  }

  /// Decodes one UTF-8 sequence; invalid bytes count as one byte of width 1.
  static func decodeUTF8(_ b: UnsafeRawBufferPointer, at k: Int) -> (Unicode.Scalar?, Int) {
    let c = b[k]
    let length: Int
    var value: UInt32
    if c & 0xE0 == 0xC0 {
      length = 2
      value = UInt32(c & 0x1F)
    } else if c & 0xF0 == 0xE0 {
      length = 3
      value = UInt32(c & 0x0F)
    } else if c & 0xF8 == 0xF0 {
      length = 4
      value = UInt32(c & 0x07)
    } else {
      return (nil, 1)
    }
    guard k + length <= b.count else { return (nil, 1) }
    for n in 1..<length {
      let cc = b[k + n]
      guard cc & 0xC0 == 0x80 else { return (nil, 1) }
      value = value << 6 | UInt32(cc & 0x3F)
    }
    return (Unicode.Scalar(value), length)
  }
}

func hex(_ v: UInt32, digits: Int) -> String {
  let s = String(v, radix: 16, uppercase: true)
  return String(repeating: "0", count: max(0, digits - s.count)) + s
}
