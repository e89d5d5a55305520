import Foundation
import KeyChainAPI
import KeyChainCore

/// A node's data directory: exclusive use (an flock on `LOCK`), the network's genesis
/// parameters (`network.params`, written on first start so a restart finds the same network),
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

    /// The network this directory belongs to: read from `network.params`, or `proposed` written
    /// there on first start. A `difficultyBits` that contradicts the stored network is an error.
    public func network(proposed: NetworkParameters, requestedDifficulty: Int?) throws(NodeError) -> NetworkParameters {
        let paramsPath = file("network.params")
        if let data = FileManager.default.contents(atPath: paramsPath) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = Hex.decode(text), let stored = try? NetworkParameters(decoding: bytes) else {
                throw .networkMismatch(path: path, reason: "\(paramsPath) is damaged")
            }
            if let requestedDifficulty, requestedDifficulty != stored.difficultyBits {
                throw .networkMismatch(path: path, reason: "it was created with --difficulty \(stored.difficultyBits), not \(requestedDifficulty)")
            }
            return stored
        }
        do {
            try (Hex.encode(proposed.encoded) + "\n").write(toFile: paramsPath, atomically: true, encoding: .utf8)
        } catch {
            throw .dataDirectoryNotWritable(path: path, reason: error.localizedDescription)
        }
        return proposed
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
