import Testing

@testable import OpsqlKit

/// How many statements wait by sleeping after some outlasted the polling budget.
struct ResponseWaitTests {
  /// The statements skipped (sleeping straight away) after each outlasting one, when every
  /// statement outlasts the budget.
  @Test func backoffDoublesUpTo64() {
    var backoff = ResponseWait.Backoff()
    var skipped: [Int] = []
    for _ in 0..<9 {
      backoff.outlasted()
      skipped.append(backoff.skip)
      backoff.skip = 0
    }
    #expect(skipped == [1, 2, 4, 8, 16, 32, 64, 64, 64])
  }

  @Test func anAnswerWithinTheBudgetStartsOver() {
    var backoff = ResponseWait.Backoff()
    backoff.outlasted()
    backoff.outlasted()
    #expect(backoff.skip == 2)
    backoff.answered()
    #expect(backoff.skip == 0)
    backoff.outlasted()
    #expect(backoff.skip == 1)
  }
}
