import KeyChainChain
import KeyChainCore
import KeyChainWire

// Compact blocks (docs/PROTOCOL.md §9.3): a new tip travels as its header and a short id per
// put, and a peer rebuilds it from the puts it holds, asking only for those it lacks.
extension PeerProtocol {
    /// `block` for `state`: the puts the peer cannot have had time to fetch are sent whole
    /// (those admitted in the last 200 ms from anyone else, and those never announced to it),
    /// the others by short id; the peer would otherwise ask for them a round trip later.
    func compactBlock(_ block: Block, for state: PeerState, nonce: UInt64, shortIDs: [UInt64]) -> CompactBlockMessage {
        let now = clock()
        var prefilling = Set<Int>()
        for (index, transaction) in block.transactions.enumerated()
        where !knownTransactions.slots(transaction.id).contains(state.slot)
            || recentArrivals.isFresh(transaction.id, for: state.id, now: now) {
            prefilling.insert(index)
        }
        return CompactBlockMessage(block: block, nonce: nonce, shortIDs: shortIDs, prefilling: prefilling)
    }

    /// A peer's compact block: its header is taken as an announcement's, then the block is
    /// rebuilt from the mempool and checked like any block; puts still missing are asked of
    /// the peer, and a block that cannot be rebuilt is fetched whole.
    func receiveCompactBlock(_ message: CompactBlockMessage, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let hash = message.header.hash
        let (checked, assembled) = (rebuiltAhead, assembledAhead)
        (rebuiltAhead, assembledAhead) = (nil, nil)
        receiveHeaders([message.header], from: state, &actions)
        // Only a block this node lacks and could connect now: one deeper in a fork, or on a
        // parent still missing, comes by the ordinary download.
        guard peers[state.id] === state, let node = blockchain.tree.node(hash), node.status == .headerOnly,
              blockchain.tree.node(message.header.previous)?.hasData == true else { return }
        // Rebuilt and checked already, for the miner, by `checkedTipExtension`: not again.
        if let checked, checked.hash == hash { return receiveBlock(checked, from: state, &actions) }
        let assembly: CompactBlockAssembly
        if let assembled, assembled.hash == hash {
            assembly = assembled
        } else {
            do {
                assembly = try CompactBlockAssembly(message, candidates: blockchain.mempool.transactions)
            } catch {
                // Two puts share a short id: the block is fetched whole, this peer's compact
                // answer (if it was asked for one) no longer awaited.
                return fetchWhole(hash, askedOf: state)
            }
        }
        if let block = assembly.block {
            finishCompactBlock(block, from: state, &actions)
            return
        }
        // Asked of another peer already: that answer comes whole (or compact, from it).
        guard blockRequests[hash] == nil || blockRequests[hash] == state.id else { return }
        let now = clock()
        state.assembling = assembly
        state.blocksInFlight[hash] = now
        blockRequests[hash] = state.id
        stallsDue = min(stallsDue, now + state.stallTimeout)
        actions.append(.send(state.id, .getBlockTransactions(GetBlockTransactionsMessage(block: hash, indexes: assembly.missing))))
    }

    /// The block `answer` completes, if it is the answer to the compact block being rebuilt
    /// from `peer` and that block extends the tip; nil otherwise (the handling then finds out
    /// why, and bans a peer whose answer does not fit its request). Its merkle root is left to
    /// `checkedTipExtension`'s body check.
    func completedAhead(by answer: BlockTransactionsMessage, from peer: PeerID) -> Block? {
        guard var assembly = peers[peer]?.assembling, assembly.hash == answer.block, assembly.header.previous == blockchain.tip.hash,
              (try? assembly.fill(answer)) != nil else { return nil }
        return assembly.block
    }

    /// The puts a compact block lacked: the block is whole.
    func receiveBlockTransactions(_ answer: BlockTransactionsMessage, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let checked = rebuiltAhead
        (rebuiltAhead, assembledAhead) = (nil, nil)
        // An answer to nothing asked (or asked and since given up) is ignored.
        guard var assembly = state.assembling, assembly.hash == answer.block else { return }
        state.assembling = nil
        // Completed and checked already, for the miner, by `checkedTipExtension`: not again.
        if let checked, checked.hash == answer.block { return receiveBlock(checked, from: state, &actions) }
        do {
            try assembly.fill(answer)
        } catch {
            ban(state.id, "sent puts that do not answer its getblocktxn: \(error)", &actions)
            return
        }
        if let block = assembly.block { finishCompactBlock(block, from: state, &actions) }
    }

    /// A rebuilt block: checked and connected as a `block` would be, unless a short id picked
    /// the wrong put (the merkle root says so), which is nobody's fault: then it is fetched whole.
    private func finishCompactBlock(_ block: Block, from state: PeerState, _ actions: inout [ProtocolAction]) {
        guard MerkleTree.root(block.transactions.map(\.id)) == block.header.merkleRoot else { return fetchWhole(block.hash, askedOf: state) }
        receiveBlock(block, from: state, &actions)
    }

    /// Gives up rebuilding `hash` from short ids: it is fetched whole, from whoever has it.
    private func fetchWhole(_ hash: Hash256, askedOf state: PeerState) {
        wholeOnly.insert(hash)
        takeBack(hash, from: state, stalled: false)
    }

    /// Answers a `getblocktxn` for a block near the tip; a position past the block is a
    /// protocol violation, a block this node lacks or deeper than 10 is not answered.
    func serveBlockTransactions(_ request: GetBlockTransactionsMessage, to state: PeerState, _ actions: inout [ProtocolAction]) {
        guard let node = blockchain.tree.node(request.block), node.hasData,
              node.height + configuration.blockTransactionsDepth >= blockchain.height,
              let block = try? blockchain.block(request.block) else { return }
        if let last = request.indexes.last, last >= block.transactions.count {
            ban(state.id, "asked for puts past the end of block \(request.block.short)", &actions)
            return
        }
        for index in request.indexes { knownTransactions.insert(block.transactions[index].id, slot: state.slot) }
        actions.append(.send(state.id, .blockTransactions(BlockTransactionsMessage(block: request.block,
                                                                                   transactions: request.indexes.map { block.transactions[$0] }))))
    }

    /// `state` brought this node a new tip first: it is asked to push compact blocks from now
    /// on, in place of the one that did so longest ago (BIP152's choice of high-bandwidth
    /// peers). Only for a block too large to be pushed to every peer anyway: with a block a
    /// second, choosing on small blocks too cost two `sendcmpct` a node a block, a quarter of
    /// what flooding the block costs on a 10-node network.
    func broughtNewTip(_ block: Block, from state: PeerState, _ actions: inout [ProtocolAction]) {
        guard state.takesCompactBlocks, !compactBlockSources.contains(state.id),
              CompactBlockMessage.encodedSize(shortIDs: block.transactions.count) > configuration.compactBlockPushBytes else { return }
        compactBlockSources.append(state.id)
        actions.append(.send(state.id, .sendCompact(SendCompactMessage(highBandwidth: true))))
        while compactBlockSources.count > configuration.compactBlockSources {
            let dropped = compactBlockSources.removeFirst()
            if peers[dropped] != nil { actions.append(.send(dropped, .sendCompact(SendCompactMessage(highBandwidth: false)))) }
        }
    }
}
