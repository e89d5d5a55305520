import CKeyChainNative
import KeyChainCore

/// The nonce search: SHA-256d of an 88-byte header over a midstate of its first 64 bytes,
/// so each attempt costs two compressions and no allocation.
public struct ProofOfWork: Sendable {
    /// Which compression function to use.
    public enum Implementation: Sendable, CaseIterable {
        /// SHA extensions when the CPU has them, else portable.
        case automatic
        /// Plain C: any CPU.
        case portable
        /// x86 SHA extensions, two nonces at a time.
        case hardware

        var native: kc_sha_impl {
            switch self {
            case .automatic: KC_SHA_AUTO
            case .portable: KC_SHA_PORTABLE
            case .hardware: KC_SHA_HARDWARE
            }
        }
    }

    /// Whether this CPU has the x86 SHA extensions.
    public static var hasHardwareSupport: Bool { kc_cpu_has_sha_extensions() == 1 }

    private var job = kc_pow_job()
    /// The compression function in use.
    public let implementation: Implementation

    /// A search over `header`'s nonces for a hash at most `target`.
    public init(header: BlockHeader, target: Target, implementation: Implementation = .automatic) {
        self.implementation = implementation
        let headerBytes = header.encoded
        let targetBytes = target.value.bytes
        headerBytes.withUnsafeBufferPointer { h in
            targetBytes.withUnsafeBufferPointer { t in
                kc_pow_job_init(&job, h.baseAddress, t.baseAddress)
            }
        }
    }

    /// The outcome of searching a range of nonces.
    public struct Outcome: Sendable {
        /// The winning nonce and its hash, if one was found.
        public var found: (nonce: UInt64, hash: Hash256)?
        /// Nonces tried.
        public var hashes: UInt64
    }

    /// Tries `count` nonces from `start`, stopping at the first that meets the target.
    public func search(from start: UInt64, count: UInt64) -> Outcome {
        var job = self.job
        var nonce: UInt64 = 0
        var done: UInt64 = 0
        var hash = [UInt8](repeating: 0, count: 32)
        let found = hash.withUnsafeMutableBufferPointer { out in
            kc_pow_search(implementation.native, &job, start, count, &nonce, out.baseAddress, &done)
        }
        guard found == 1, let raw = Bytes32(hash) else { return Outcome(found: nil, hashes: done) }
        return Outcome(found: (nonce, Hash256(raw: raw)), hashes: done)
    }

    /// The header's hash with `nonce`.
    public func hash(nonce: UInt64) -> Hash256 {
        var job = self.job
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { kc_pow_hash(implementation.native, &job, nonce, $0.baseAddress) }
        return Hash256(raw: Bytes32(out) ?? .zero)
    }
}
