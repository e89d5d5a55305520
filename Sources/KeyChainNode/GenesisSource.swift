import Foundation
import KeyChainCore
import KeyChainTracker
import Logging

/// Where a node that follows no network yet learns the genesis parameters of the one it joins:
/// a `--genesis` file, else the first of its trackers that answers `GET /network`.
public enum GenesisSource {
    /// How long to keep asking trackers before giving up.
    public static let trackerPatience: Duration = .seconds(60)

    /// The parameters in `path`: the JSON a tracker's `GET /network` answers, or the hex line
    /// of a node's `network.params`.
    public static func read(_ path: String) throws(NodeError) -> NetworkParameters {
        guard let data = FileManager.default.contents(atPath: path) else { throw .genesis("cannot read \(path)") }
        if let description = try? JSONDecoder().decode(NetworkDescription.self, from: data) {
            do { return try description.network() } catch { throw .genesis("\(path): \(error)") }
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), let network = try? NetworkParameters(decoding: bytes) else {
            throw .genesis("\(path) is neither a tracker's network description (JSON) nor a network.params file")
        }
        return network
    }

    /// The network of the first tracker to answer, asking each in turn with capped exponential
    /// backoff (1 s doubling to 16 s) for up to `patience`. Trackers that disagree are refused.
    public static func fetch(from trackers: [String], patience: Duration = trackerPatience, logger: Logger) async throws(NodeError) -> NetworkParameters {
        let clients = trackers.compactMap { text in HostAndPort.split(text).map { TrackerClient(host: $0.host, port: $0.port) } }
        let deadline = ContinuousClock.now + patience
        var delay = Duration.seconds(1)
        var failures: [String] = []
        while true {
            failures = []
            for client in clients {
                do {
                    let network = try await client.network().network()
                    logger.info("network from tracker", metadata: ["tracker": "\(client.address)", "network": "\(network.name)",
                                                                   "genesis": "\(network.genesisHash.hex)"])
                    return network
                } catch {
                    failures.append("\(error)")
                }
            }
            guard ContinuousClock.now + delay < deadline else { break }
            logger.warning("no tracker answered; retrying", metadata: ["in": "\(delay)", "errors": "\(failures.joined(separator: "; "))"])
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(16))
        }
        throw .genesis("no tracker answered within \(patience): \(failures.joined(separator: "; "))")
    }
}
