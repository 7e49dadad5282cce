import Testing

@testable import TestSupport

/// The same query through `psql -X` and `opsql` against the test cluster must print the same
/// bytes: psql is the reference for the aligned, expanded, unaligned and CSV formats.
@Suite(.enabled(if: TestEnvironment.hasCluster, "needs the cluster of `make test`"))
struct GoldenOutputTests {
  static let queries: [String] = [
    "select 1 as a, 2 as bb",
    "select null::int as n, null::text as t, 1 as one",
    "select '日本語' as wide, 'e' || chr(769) || 'x' as combining, 'ü' as latin, 'x😀y' as emoji",
    "select 1 as \"日本\", 'ab' as \"é\"",
    """
    select 1::int2 as i2, 2::int4 as i4, 3000000000::int8 as i8, 1.5::float4 as f4,
           2.25::float8 as f8, 12345.678::numeric as num, -1::numeric as neg,
           'NaN'::numeric as nan, 123::oid as oid, '1.50'::money as cash
    """,
    "select true as t, false as f, null::bool as n",
    "select E'line1\\nline2\\nline three' as ml, 'x' as y, E'a\\tb' as tab, E'cr\\rhere' as cr",
    "select E'one\\ntwo' as a, E'x\\ny\\nz' as b, 5 as n",
    "select 1 as a where false",
    "select",
    "select from generate_series(1, 3)",
    "select g, repeat('x', g) as xs, g * 1.5 as half from generate_series(1, 7) g",
    "select 1 as \"a very long column name\", 'short' as s",
    "select chr(1) || 'ctl' as ctl, E'back\\\\slash' as bs, '' as empty",
    "select '{\"k\": [1, 2]}'::jsonb as j, array[1,2,3] as arr, '2024-01-02'::date as d",
    "select 'a,b' as comma, 'say \"hi\"' as quote, E'multi\\nline' as nl, '\\.' as dot",
    "create temp table golden(a int); insert into golden values (1), (2); update golden set a = a + 1 where a > 0 returning a",
    "select 1 as x; select 2 as y",
  ]

  enum Mode: String, CaseIterable, Sendable {
    case aligned, csv, expanded, unaligned, nullDisplay, tuplesOnly

    var psqlArguments: [String] {
      switch self {
      case .aligned: return []
      case .csv: return ["--csv"]
      case .expanded: return ["-x"]
      case .unaligned: return ["-c", "\\pset format unaligned"]
      case .nullDisplay: return ["-c", "\\pset null '(null)'"]
      case .tuplesOnly: return ["-c", "\\t on"]
      }
    }

    var opsqlArguments: [String] {
      switch self {
      case .csv: return ["--csv"]
      default: return psqlArguments
      }
    }
  }

  static let cases: [(String, Mode)] = queries.flatMap { q in Mode.allCases.map { (q, $0) } }

  @Test(arguments: cases)
  func sameBytesAsPsql(query: String, mode: Mode) {
    let reference = TestEnvironment.psql(mode.psqlArguments + ["-c", query])
    let ours = TestEnvironment.opsql(mode.opsqlArguments + ["-c", query])
    #expect(reference.status == 0, "psql failed: \(reference.stderr)")
    #expect(ours.status == 0, "opsql failed: \(ours.stderr)")
    #expect(ours.stdout == reference.stdout, "query: \(query), mode: \(mode)")
  }
}
