import Foundation

/// The stats page's small inline SVG charts, as geometry computed from plain numbers (so the
/// scaling is tested without a browser): an endpoint's requests per second as bars with its
/// p50 and p99 latency as lines, and a backend's DNS changes as markers on a time axis.
///
/// SVG drawn with presentation attributes and classes only (no `style` attributes), so the
/// page works under a `style-src 'self'` Content-Security-Policy.
struct StatsChart: Sendable, Equatable {
    static let width = 240.0
    static let height = 64.0
    static let timelineWidth = 720.0
    static let timelineHeight = 36.0

    /// Bar heights (requests per second) and line points (latency), in SVG units.
    var bars: [(x: Double, width: Double, height: Double)]
    var p50: [(x: Double, y: Double)]
    var p99: [(x: Double, y: Double)]
    /// The largest rate and p99 latency shown, for the labels.
    var peakRate: Double
    var peakLatency: Double

    static func == (lhs: StatsChart, rhs: StatsChart) -> Bool {
        lhs.bars.map { [$0.x, $0.width, $0.height] } == rhs.bars.map { [$0.x, $0.width, $0.height] }
            && lhs.p50.map { [$0.x, $0.y] } == rhs.p50.map { [$0.x, $0.y] }
            && lhs.p99.map { [$0.x, $0.y] } == rhs.p99.map { [$0.x, $0.y] }
            && lhs.peakRate == rhs.peakRate && lhs.peakLatency == rhs.peakLatency
    }

    /// The geometry of `history` (one point per interval of `interval` seconds, oldest first):
    /// bars scaled to the busiest interval, latency lines to the slowest p99; intervals
    /// without requests have no latency point.
    init(history: [ProxyStatus.HistoryPoint], interval: Double) {
        let count = max(1, history.count)
        let step = Self.width / Double(count)
        let rates = history.map { Double($0.requests) / max(interval, 0.001) }
        peakRate = rates.max() ?? 0
        peakLatency = history.compactMap(\.p99).max() ?? 0
        var bars: [(x: Double, width: Double, height: Double)] = []
        var p50: [(x: Double, y: Double)] = []
        var p99: [(x: Double, y: Double)] = []
        for (index, point) in history.enumerated() {
            let x = Double(index) * step
            if peakRate > 0 && rates[index] > 0 {
                bars.append((Self.round(x), Self.round(max(1, step - 1)), Self.round(max(1, rates[index] / peakRate * (Self.height - 4)))))
            }
            let center = Self.round(x + step / 2)
            if peakLatency > 0, let value = point.p50 { p50.append((center, Self.round(Self.height - 2 - value / peakLatency * (Self.height - 4)))) }
            if peakLatency > 0, let value = point.p99 { p99.append((center, Self.round(Self.height - 2 - value / peakLatency * (Self.height - 4)))) }
        }
        self.bars = bars
        self.p50 = p50
        self.p99 = p99
    }

    /// The x of `time` on the DNS timeline spanning `from`…`to` (Unix seconds), nil outside it.
    static func timelineX(_ time: Double, from: Double, to: Double) -> Double? {
        guard to > from, time >= from, time <= to else { return nil }
        return round((time - from) / (to - from) * timelineWidth)
    }

    /// The points of a polyline, `x,y x,y`.
    static func polyline(_ points: [(x: Double, y: Double)]) -> String {
        points.map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " ")
    }

    static func round(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
