import Foundation
import KeyChainAPI  // for `IdentityFile` alone, the key file format the CLI shares
import KeyChainCore

/// A node's data directory: exclusive use (an flock on `LOCK`), the network's genesis
/// parameters (`network.params`, pinned on first start so a restart follows the same network),
/// and the wallet key (`wallet.key`, mode 0600).
public final class NodeDataDirectory: @unchecked Sendable {
    /// The directory.
    public let path: String
    private let lockDescriptor: Int32

    /// Creates the directory if needed and takes its lock.
    public init(path: String) throws(NodeError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .dataDirectoryNotWritable(path: path, reason: error.localizedDescription)
        }
        guard access(path, W_OK) == 0 else {
            throw .dataDirectoryNotWritable(path: path, reason: String(cString: strerror(errno)))
        }
        let lockPath = (path as NSString).appendingPathComponent("LOCK")
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .dataDirectoryNotWritable(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .dataDirectoryInUse(path: path)
        }
        lockDescriptor = descriptor
    }

    deinit {
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
    }

    /// A file in the directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The network pinned in `network.params` on first start, if there is one.
    public func storedNetwork() throws(NodeError) -> NetworkParameters? {
        let paramsPath = file("network.params")
        guard let data = FileManager.default.contents(atPath: paramsPath) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), let stored = try? NetworkParameters(decoding: bytes) else {
            throw .networkMismatch(path: path, reason: "\(paramsPath) is damaged")
        }
        return stored
    }

    /// Joins `network`: pins it in `network.params` on first start; after that it must be the
    /// pinned one, and the error names both.
    public func network(joining network: NetworkParameters) throws(NodeError) -> NetworkParameters {
        if let stored = try storedNetwork() {
            guard stored == network else {
                throw .networkMismatch(path: path, reason: "it follows network \"\(stored.name)\" (genesis \(stored.genesisHash.hex)), "
                    + "not \"\(network.name)\" (genesis \(network.genesisHash.hex)); use another --data-dir to join that one")
            }
            return stored
        }
        do {
            try (Hex.encode(network.encoded) + "\n").write(toFile: file("network.params"), atomically: true, encoding: .utf8)
        } catch {
            throw .dataDirectoryNotWritable(path: path, reason: error.localizedDescription)
        }
        return network
    }

    /// The wallet key, created on first start.
    public func wallet() throws(NodeError) -> Identity {
        do {
            return try IdentityFile.loadOrCreate(at: file("wallet.key")).identity
        } catch {
            throw .wallet(error.description)
        }
    }
}
