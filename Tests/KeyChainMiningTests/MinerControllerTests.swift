import KeyChainCore
import KeyChainMining
import Testing

/// The miner's controller, table-driven: each story is a run of events, each with the decision
/// it must give (nil: the miner goes on as it is).
@Suite struct MinerControllerTests {
    static let (tip, next, other) = (Hash256(sha256d: [1]), Hash256(sha256d: [2]), Hash256(sha256d: [3]))

    enum Step: Sendable, CustomStringConvertible {
        /// `refresh` at `now`, awaiting a better block or not, the policy mining or not.
        case refresh(now: UInt64, awaiting: Bool, mines: Bool = true, tip: Hash256 = MinerControllerTests.tip)
        case afterEvents(now: UInt64, awaiting: Bool, tip: Hash256 = MinerControllerTests.tip)
        case afterConnecting(tip: Hash256)
        case bodyChecked(Hash256, holdsPuts: Bool, mines: Bool)

        var description: String {
            switch self {
            case let .refresh(now, awaiting, mines, _): "refresh(now: \(now), awaiting: \(awaiting), mines: \(mines))"
            case let .afterEvents(now, awaiting, _): "afterEvents(now: \(now), awaiting: \(awaiting))"
            case let .afterConnecting(tip): "afterConnecting(tip: \(tip.short))"
            case let .bodyChecked(block, holds, mines): "bodyChecked(\(block.short), holdsPuts: \(holds), mines: \(mines))"
            }
        }
    }

    @Test(arguments: [
        // The policy decides when nothing is awaited.
        ("mines on the tip", [(Step.refresh(now: 0, awaiting: false), MinerController.Work?.some(.tip))]),
        ("idles when the policy says so", [(.refresh(now: 0, awaiting: false, mines: false), .some(.idle))]),
        // A better block's header came: idle, for at most 3 s, then back to the old tip once;
        // its body arriving resumes mining.
        ("the pause runs out after 3 s", [
            (.refresh(now: 1_000, awaiting: true), .some(.idle)),
            (.afterEvents(now: 3_999, awaiting: true), nil),
            (.afterEvents(now: 4_000, awaiting: true), .some(.tip)),
            (.afterEvents(now: 9_000, awaiting: true), nil),
            (.afterEvents(now: 9_500, awaiting: false), .some(.tip)),
        ]),
        ("a header starts the pause, the body ends it", [
            (.refresh(now: 0, awaiting: false), .some(.tip)),
            (.afterEvents(now: 10, awaiting: true), .some(.idle)),
            (.afterEvents(now: 20, awaiting: false), .some(.tip)),
            (.afterEvents(now: 30, awaiting: false), nil),
        ]),
        // Behind by several blocks: each block connected while more are awaited starts the
        // pause over; a catch-up that stalls for 3 s frees the miner until the next block.
        ("catching up keeps the miner idle past 3 s", [
            (.refresh(now: 0, awaiting: true), .some(.idle)),
            (.afterEvents(now: 2_500, awaiting: true, tip: MinerControllerTests.next), .some(.idle)),
            (.afterEvents(now: 5_000, awaiting: true, tip: MinerControllerTests.next), nil),
            (.refresh(now: 5_400, awaiting: true, tip: MinerControllerTests.other), .some(.idle)),
            (.afterEvents(now: 8_399, awaiting: true, tip: MinerControllerTests.other), nil),
            (.afterEvents(now: 8_400, awaiting: true, tip: MinerControllerTests.other), .some(.tip)),
            (.afterEvents(now: 9_000, awaiting: true, tip: MinerControllerTests.other), nil),
            (.afterEvents(now: 9_100, awaiting: true, tip: MinerControllerTests.tip), .some(.idle)),
            (.afterEvents(now: 9_200, awaiting: false, tip: MinerControllerTests.tip), .some(.tip)),
        ]),
        // Mine-ahead on a block whose body checks passed; back to the tip if it does not connect.
        ("ahead, then connected", [
            (.bodyChecked(MinerControllerTests.next, holdsPuts: true, mines: true), .some(.ahead(MinerControllerTests.next))),
            (.afterConnecting(tip: MinerControllerTests.next), nil),
        ]),
        ("ahead, then not connected", [
            (.bodyChecked(MinerControllerTests.next, holdsPuts: true, mines: true), .some(.ahead(MinerControllerTests.next))),
            (.afterConnecting(tip: MinerControllerTests.tip), .some(.tip)),
            (.afterConnecting(tip: MinerControllerTests.tip), nil),
        ]),
        ("ahead, then a peer's events leave another tip", [
            (.bodyChecked(MinerControllerTests.next, holdsPuts: true, mines: true), .some(.ahead(MinerControllerTests.next))),
            (.afterEvents(now: 0, awaiting: false, tip: MinerControllerTests.other), .some(.tip)),
        ]),
        ("no mine-ahead on an empty template or against the policy", [
            (.bodyChecked(MinerControllerTests.next, holdsPuts: false, mines: true), nil),
            (.bodyChecked(MinerControllerTests.next, holdsPuts: true, mines: false), nil),
            (.afterConnecting(tip: MinerControllerTests.tip), nil),
        ]),
    ] as [(String, [(Step, MinerController.Work?)])])
    func decisions(story: String, steps: [(Step, MinerController.Work?)]) {
        var controller = MinerController()
        for (index, (step, expected)) in steps.enumerated() {
            let decided: MinerController.Work?
            switch step {
            case let .refresh(now, awaiting, mines, tip):
                decided = controller.refresh(.init(awaitingBetterBlock: awaiting, policyMines: mines, tip: tip, now: now))
            case let .afterEvents(now, awaiting, tip):
                decided = controller.afterEvents(.init(awaitingBetterBlock: awaiting, policyMines: true, tip: tip, now: now))
            case let .afterConnecting(tip):
                decided = controller.afterConnecting(.init(awaitingBetterBlock: false, policyMines: true, tip: tip, now: 0))
            case let .bodyChecked(block, holds, mines):
                decided = controller.bodyChecked(block, templateHoldsPuts: holds, policyMines: mines)
            }
            #expect(decided == expected, "\(story), step \(index): \(step)")
        }
    }

    /// A full template stops refreshes until the next decision on the tip; a pause clears it.
    @Test func aFullTemplateWantsNoRefreshUntilTheChainMoves() {
        var controller = MinerController()
        #expect(controller.refreshWanted)
        controller.templateMade(holding: 10, waiting: 25)
        #expect(!controller.refreshWanted)
        _ = controller.refresh(.init(awaitingBetterBlock: true, policyMines: true, tip: Self.tip, now: 0))
        #expect(controller.refreshWanted)
        controller.templateMade(holding: 25, waiting: 25)
        #expect(controller.refreshWanted)
    }
}
