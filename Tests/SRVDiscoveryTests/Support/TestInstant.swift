/// A point in made-up time for driving state machines without a clock.
struct TestInstant: InstantProtocol, CustomStringConvertible {
    var offset: Duration

    static let zero = TestInstant(offset: .zero)

    static func seconds(_ value: Double) -> TestInstant {
        TestInstant(offset: .milliseconds(Int64(value * 1000)))
    }

    func advanced(by duration: Duration) -> TestInstant {
        TestInstant(offset: offset + duration)
    }

    func duration(to other: TestInstant) -> Duration {
        other.offset - offset
    }

    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool {
        lhs.offset < rhs.offset
    }

    var description: String { "t+\(offset)" }
}
