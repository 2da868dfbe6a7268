// The resource limits a script runs under.

/// Bounds on what a script may consume. Memory is capped for the whole state; the
/// instruction budget and wall-clock limit apply to each top-level call into the script
/// (loading it, one objective call, one sampler call, …), including any Lua the call
/// reaches through Hone functions.
public struct ScriptLimits: Equatable, Sendable {
    /// Bytes the state may hold at once (nil: no cap).
    public var memoryBytes: Int?
    /// Lua VM instructions per call (nil: no limit). Time spent inside Hone's own
    /// functions (training a network) is not Lua instructions and does not count.
    public var instructionsPerCall: Int?
    /// Wall-clock seconds per call (nil: no limit). Checked whenever Lua code runs, so it
    /// catches runaway Lua; Hone's long-running functions check it themselves.
    public var secondsPerCall: Double?

    public init(memoryBytes: Int? = 256 << 20, instructionsPerCall: Int? = 2_000_000_000, secondsPerCall: Double? = nil) {
        self.memoryBytes = memoryBytes
        self.instructionsPerCall = instructionsPerCall
        self.secondsPerCall = secondsPerCall
    }

    /// No limits at all; for trusted code and benchmarks.
    public static let unlimited = ScriptLimits(memoryBytes: nil, instructionsPerCall: nil, secondsPerCall: nil)
}
