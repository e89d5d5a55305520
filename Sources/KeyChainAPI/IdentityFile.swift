import Foundation
import KeyChainCore

/// An Ed25519 identity stored as 64 hex digits in a file of mode 0600: a node's wallet key and a
/// CLI user's identity share this format.
public enum IdentityFile {
    /// Why an identity file could not be used.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case unreadable(path: String, reason: String)
        case malformed(path: String)
        case unwritable(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): "cannot read identity file \(path): \(reason)"
            case let .malformed(path): "identity file \(path) does not hold 64 hex digits (a 32-byte Ed25519 seed)"
            case let .unwritable(path, reason): "cannot create identity file \(path): \(reason)"
            }
        }
    }

    /// Loads the identity at `path`, creating a fresh one (and its directory) if the file does
    /// not exist. Returns the identity and whether it was created.
    public static func loadOrCreate(at path: String) throws(Failure) -> (identity: Identity, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try load(at: path), false) }
        let identity = Identity()
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(descriptor) }
            let text = Array((Hex.encode(identity.seed) + "\n").utf8)
            guard write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
        return (identity, true)
    }

    /// Loads the identity at `path`.
    public static func load(at path: String) throws(Failure) -> Identity {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        guard let seed = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let identity = try? Identity(seed: seed) else { throw .malformed(path: path) }
        return identity
    }
}
