import Testing

@testable import OpsqlKit

struct DiscoveryTests {
  @Test func localD1FileNamesMatchMiniflare() {
    #expect(
      Discovery.localFileName("00000000-0000-0000-0000-000000000000")
        == "9ba2b04bf514d9facfd57ed57d849e77241a7adc99d1c1545d06688b43d84248.sqlite")
    #expect(
      Discovery.localFileName("DB")
        == "e7352547963de7050bd7d94658afc4fe78b61811b7815da12d90be8e863abf4d.sqlite")
  }

  @Test func wranglerTomlGivesRemoteAndLocalTargets() throws {
    let toml = """
      name = "app"
      account_id = "acc123"  # the account

      [[d1_databases]]
      binding = "DB"
      database_name = "prod-db"
      database_id = "00000000-0000-0000-0000-000000000000"

      [[d1_databases]]
      binding = "CACHE"
      preview_database_id = "DB"

      [env.staging]
      account_id = "other"
      """
    let targets = try Discovery.wrangler(toml, path: "w/wrangler.toml", directory: "w")
    #expect(targets.map(\.name) == ["d1:DB", "d1-local:DB", "d1-local:CACHE"])
    #expect(targets[0].kind == .d1)
    #expect(targets[0].connection == "acc123/00000000-0000-0000-0000-000000000000")
    #expect(targets[0].origin == "w/wrangler.toml:4")
    #expect(
      targets[1].connection
        == "w/.wrangler/state/v3/d1/miniflare-D1DatabaseObject/9ba2b04bf514d9facfd57ed57d849e77241a7adc99d1c1545d06688b43d84248.sqlite"
    )
    #expect(
      targets[2].connection?.hasSuffix(
        "/e7352547963de7050bd7d94658afc4fe78b61811b7815da12d90be8e863abf4d.sqlite") == true)
  }

  @Test func wranglerJsoncWithCommentsAndTrailingCommas() throws {
    let jsonc = """
      {
        // the worker
        "account_id": "acc9",
        "d1_databases": [
          { "binding": "DB", "database_id": "abc", /* remote */ },
        ],
      }
      """
    let targets = try Discovery.wrangler(jsonc, path: "wrangler.jsonc", directory: ".")
    #expect(targets.map(\.name) == ["d1:DB", "d1-local:DB"])
    #expect(targets[0].connection == "acc9/abc")
  }

  @Test func serviceFileSectionsBecomeTargets() {
    let targets = Discovery.services(
      "# c\n[prod]\nhost=db1\n\n[replica]\nhost=db2\n", path: "svc.conf")
    #expect(targets.map(\.name) == ["service:prod", "service:replica"])
    #expect(targets.map(\.connection) == ["service=prod", "service=replica"])
    #expect(targets[1].origin == "svc.conf:5")
  }
}

struct JSONTests {
  @Test func parsesWhatD1Sends() throws {
    let j = try JSON.parse(
      #"{"result":[{"results":{"columns":["id","id"],"rows":[[1,"a\u00e9\ud83d\ude00"],[null,2.5e3]]},"success":true,"meta":{"duration":0.1}}],"success":true,"errors":[],"messages":[]}"#
    )
    let rows = j["result"]?.array?.first?["results"]?["rows"]?.array
    #expect(rows?.count == 2)
    #expect(rows?[0].array?[1].string == "aé😀")
    #expect(rows?[1].array?[0] == .null)
    #expect(rows?[1].array?[1].cellText == "2.5e3")
    #expect(j["success"]?.bool == true)
  }

  @Test func garbageIsAnErrorWithALine() {
    #expect(throws: JSONError.self) { try JSON.parse("<html>\n502 Bad Gateway</html>") }
    #expect(throws: JSONError.self) { try JSON.parse("{\"a\": [1, 2,]}") }
    #expect(throws: JSONError.self) { try JSON.parse(String(repeating: "[", count: 500)) }
  }
}

struct SHA256Tests {
  private func hex(_ bytes: [UInt8]) -> String {
    bytes.map {
      String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
    }.joined()
  }

  @Test func knownVectors() {
    #expect(
      hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      hex(SHA256.hash(Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      hex(SHA256.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  /// Lengths either side of where the padding needs a second block.
  @Test(arguments: [
    (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
    (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
    (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
    (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
  ])
  func paddingBoundaries(count: Int, digest: String) {
    #expect(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: count))) == digest)
  }

  @Test func hmacRFC4231() {
    #expect(
      hex(SHA256.hmac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)))
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    #expect(
      hex(
        SHA256.hmac(
          key: [UInt8](repeating: 0xaa, count: 131),
          Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
        == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
  }
}
