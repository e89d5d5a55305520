import KeyChainChain
import KeyChainCore
import KeyChainWire

// Which connections to take and which addresses to dial.
extension PeerProtocol {
    /// Takes a new connection, unless its host is banned or, for an inbound one, the inbound
    /// slots (all of them, or its host's share) are full.
    func accept(_ peer: PeerID, outbound: Bool, address: PeerAddress, _ actions: inout [ProtocolAction]) {
        let now = clock()
        if outbound { pendingDials[address] = nil }
        if let until = addresses.bannedUntil(address, now: now) {
            actions.append(.disconnect(peer, reason: "\(address.host) is banned for another \((until - now) / 1_000) s", ban: false))
            return
        }
        if !outbound && inboundCount >= configuration.maxInbound {
            actions.append(.disconnect(peer, reason: "all \(configuration.maxInbound) inbound slots are taken", ban: false))
            return
        }
        if !outbound && peers.values.count(where: { !$0.outbound && $0.address.host == address.host }) >= configuration.maxInboundPerHost {
            actions.append(.disconnect(peer, reason: "\(address.host) holds \(configuration.maxInboundPerHost) inbound connections already", ban: false))
            return
        }
        if let old = peers.removeValue(forKey: peer) { forget(old) }
        guard let slot = freeSlots.popLast() else {
            actions.append(.disconnect(peer, reason: "all \(KnownInventory.slotCount) peer slots are taken", ban: false))
            return
        }
        let state = PeerState(id: peer, slot: slot, outbound: outbound, address: address, now: now,
                              stallTimeout: configuration.initialStallTimeout)
        peers[peer] = state
        ordered.insert(state, at: ordered.firstIndex { $0.id > peer } ?? ordered.count)
        if outbound {
            outboundOpen += 1
            sendVersion(to: peer, &actions)
        }
    }

    /// Dials addresses from the book until `outboundPeers` connections are open or under way,
    /// and gives up on dials the transport never answered.
    func maintainConnections(_ actions: inout [ProtocolAction]) {
        let now = clock()
        for (address, dialled) in pendingDials where now >= dialled + configuration.dialTimeout {
            pendingDials[address] = nil
            addresses.failed(address, now: now)
        }
        let open = outboundCount
        guard open < configuration.outboundPeers else { return }
        var busy = Set(pendingDials.keys)
        for state in ordered {
            busy.insert(state.address)
            if let listening = state.listenAddress { busy.insert(listening) }
        }
        for address in addresses.candidates(configuration.outboundPeers - open, now: now, excluding: busy) {
            pendingDials[address] = now
            actions.append(.dial(address))
        }
    }
}
