import KeyChainCore
import KeyChainWire
import Testing

@testable import KeyChainTransport

/// How one read's worth of a peer's messages becomes the owner's turns: together while they
/// are small, inventory lists cut so that no turn names more than its budget of entries, the
/// order and every entry kept.
@Suite struct PeerTurnTests {
    static func items(_ count: Int, from first: Int = 0) -> [InventoryItem] {
        (first ..< first + count).map { InventoryItem(.transaction, Hash256(sha256d: Array("\($0)".utf8))) }
    }

    /// What each turn holds: a command and its inventory entries per message.
    static func shape(_ turns: [[Message]]) -> [[String]] {
        turns.map { turn in turn.map { "\($0.command) \($0.turnEntries)" } }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let messages: [Message]
        let budget: Int
        let turns: [[String]]
        var testDescription: String { name }
    }

    static let ping = Message.ping(PingMessage(nonce: 7))
    static let cases: [Case] = [
        Case(name: "small messages share one turn", messages: [ping, .inv(InvMessage(items(3))), ping],
             budget: 4, turns: [["ping 0", "inv 3", "ping 0"]]),
        Case(name: "other messages cost nothing: a read of relayed puts stays one turn", messages: Array(repeating: ping, count: 300),
             budget: 4, turns: [Array(repeating: "ping 0", count: 300)]),
        Case(name: "an inv that does not fit starts the next turn", messages: [.inv(InvMessage(items(3))), ping, .inv(InvMessage(items(2))), ping],
             budget: 4, turns: [["inv 3", "ping 0"], ["inv 2", "ping 0"]]),
        Case(name: "an inv over the budget is cut into parts", messages: [.inv(InvMessage(items(10)))],
             budget: 4, turns: [["inv 4"], ["inv 4"], ["inv 2"]]),
        Case(name: "getdata and notfound are cut too", messages: [.getData(GetDataMessage(items(5))), .notFound(NotFoundMessage(items(5)))],
             budget: 4, turns: [["getdata 4"], ["getdata 1"], ["notfound 4"], ["notfound 1"]]),
        Case(name: "exactly the budget is one turn", messages: [.inv(InvMessage(items(4)))],
             budget: 4, turns: [["inv 4"]]),
        Case(name: "nothing in, no turn", messages: [], budget: 4, turns: []),
    ]

    @Test(arguments: cases) func turnsOfARead(_ test: Case) {
        #expect(Self.shape(test.messages.turns(of: test.budget)) == test.turns)
    }

    /// The parts of a cut list, read in order, are the list.
    @Test func cuttingKeepsEveryEntryInOrder() {
        let all = Self.items(1_000)
        let turns = [Message.inv(InvMessage(all))].turns(of: Message.entriesPerTurn)
        let rejoined = turns.flatMap { $0 }.flatMap { message -> [InventoryItem] in
            if case let .inv(inv) = message { inv.inventory.items } else { [] }
        }
        #expect(rejoined == all)
        #expect(turns.allSatisfy { $0.reduce(0) { $0 + $1.turnEntries } <= Message.entriesPerTurn })
    }
}
