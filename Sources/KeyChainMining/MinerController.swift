import KeyChainCore

/// When, and on what, a node's miner works, decided from what happens to the node: events in,
/// decisions out, no chain, clock or thread of its own, so the node's owner drives it and a
/// simulated node can too.
///
/// - **The pause.** While a better block's header has come and its body has not, mining on the
///   old tip mostly makes orphans (during a busy import each cost a block of puts and a
///   reorganisation), so the miner idles, for at most `maxPause`: a peer that announces and
///   never delivers cannot stop it.
/// - **Catching up.** When the chain moves and a better block is still awaited, the node is
///   behind by more than one block and getting there: the pause starts over with each block,
///   so a node that syncs does not mine on tips it is about to leave (Bitcoin Core gives no
///   templates during initial block download). A catch-up that stalls for `maxPause` frees
///   the miner, as a single wait does.
/// - **Mine-ahead.** Once a block that extends the tip has passed its body checks, the miner
///   moves to a template on it, before it is stored and connected (which took a busy node
///   100-550 ms, while every miner that had it stood idle).
/// - **Going back.** A block mined ahead on that then fails to connect (ownership,
///   compare-and-set and replays are connecting checks) has no valid children: the miner goes
///   back to the tip in the same turn.
/// - **Refreshing.** Puts that arrive join the template at the next refresh, unless the
///   template is already full: then newer puts change nothing until a block moves the chain.
public struct MinerController: Sendable, Equatable {
    /// What the miner should work on.
    public enum Work: Sendable, Equatable {
        /// A fresh template on the tip.
        case tip
        /// A template on this block, whose body checks passed and which extends the tip.
        case ahead(Hash256)
        /// Nothing: paused, or the mining policy says there is nothing to mine for.
        case idle
    }

    /// What the decisions read of the node, at the moment of the event.
    public struct Situation: Sendable, Equatable {
        /// Whether a better block's header has come and its body not yet.
        public var awaitingBetterBlock: Bool
        /// Whether the mining policy would mine for what waits (puts, clients).
        public var policyMines: Bool
        /// The tip's hash.
        public var tip: Hash256
        /// Milliseconds, on any clock that does not go back.
        public var now: UInt64

        /// The node as it stands.
        public init(awaitingBetterBlock: Bool, policyMines: Bool, tip: Hash256, now: UInt64) {
            self.awaitingBetterBlock = awaitingBetterBlock
            self.policyMines = policyMines
            self.tip = tip
            self.now = now
        }
    }

    /// The longest wait for a better block's body before mining on the old tip again.
    public static let maxPause: UInt64 = 3_000

    /// Since when the miner waits for a better block's body, if it does.
    public private(set) var pausedSince: UInt64?
    /// Whether that wait ran out (the miner went back to the old tip).
    public private(set) var pauseSpent = false
    /// The tip when that wait began or last started over.
    public private(set) var pausedTip: Hash256?
    /// The block the miner works ahead on, before it is connected.
    public private(set) var minedAheadOn: Hash256?
    /// Whether the last template left waiting puts out for want of room.
    public private(set) var templateFull = false

    /// A controller with the miner idle and nothing awaited.
    public init() {}

    /// Decides afresh: after the chain moved, a refresh timer fired, or a wait began or ended.
    public mutating func refresh(_ situation: Situation) -> Work {
        minedAheadOn = nil
        if situation.awaitingBetterBlock {
            if pausedSince == nil || pausedTip != situation.tip {
                pausedSince = situation.now
                pausedTip = situation.tip
                pauseSpent = false
            }
            let since = pausedSince ?? situation.now
            if situation.now < since + Self.maxPause {
                templateFull = false
                return .idle
            }
            pauseSpent = true
        } else {
            pausedSince = nil
            pausedTip = nil
            pauseSpent = false
        }
        guard situation.policyMines else {
            templateFull = false
            return .idle
        }
        return .tip
    }

    /// After the node handled a peer's events: a new decision when a better block began or
    /// stopped being awaited, when the pause ran out, when the chain moved during it, or when
    /// the block mined ahead on did not become the tip; nil when the miner should go on as it is.
    public mutating func afterEvents(_ situation: Situation) -> Work? {
        let pauseRanOut = situation.awaitingBetterBlock && !pauseSpent && pausedSince.map { situation.now >= $0 + Self.maxPause } == true
        let caughtUpABlock = situation.awaitingBetterBlock && pausedSince != nil && pausedTip != situation.tip
        if situation.awaitingBetterBlock != (pausedSince != nil) || pauseRanOut || caughtUpABlock { return refresh(situation) }
        return afterConnecting(situation)
    }

    /// After the node tried to connect a block: back to the tip if the block mined ahead on
    /// did not become it; nil otherwise.
    public mutating func afterConnecting(_ situation: Situation) -> Work? {
        guard let minedAheadOn, minedAheadOn != situation.tip else { return nil }
        return refresh(situation)
    }

    /// A block that extends the tip passed its body checks: mine ahead on it if a template on
    /// it would hold puts and the policy would mine for them; nil otherwise.
    public mutating func bodyChecked(_ block: Hash256, templateHoldsPuts: Bool, policyMines: Bool) -> Work? {
        guard templateHoldsPuts, policyMines else { return nil }
        minedAheadOn = block
        return .ahead(block)
    }

    /// The miner was given a template on the tip: whether it left waiting puts out.
    public mutating func templateMade(holding count: Int, waiting: Int) {
        templateFull = count < waiting
    }

    /// Puts arrived: whether a refresh of the template is worth scheduling.
    public var refreshWanted: Bool { !templateFull }
}
