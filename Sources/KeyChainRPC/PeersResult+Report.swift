import KeyChainAPI
import KeyChainOwner

extension PeersResult {
    /// The connections and bans as `peers` reports them.
    init(_ report: PeerReport) {
        self.init(
            peers: report.connections.map { connection in
                let peer = connection.summary
                return Peer(address: peer.address.description, listening: peer.listenAddress?.description,
                            direction: peer.outbound ? "outbound" : "inbound", ready: peer.ready, height: peer.bestHeight,
                            pingMs: peer.pingMilliseconds, bytesIn: connection.bytesIn, bytesOut: connection.bytesOut,
                            connectedSeconds: connection.connectedSeconds)
            },
            banned: report.bans.map { Ban(host: $0.host, remainingSeconds: $0.remainingSeconds) })
    }
}
