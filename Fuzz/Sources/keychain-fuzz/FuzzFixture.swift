import Foundation
import KeyChainCore
import KeyChainTestSupport
import KeyChainTracker
import KeyChainWire
import Logging
import Prometheus

/// What the targets share: the test network, a tracker, a scratch directory, and how one
/// input carries several files.
enum FuzzFixture {
    /// The network every input is framed for.
    static let parameters: NetworkParameters = {
        do { return try TestNetwork.parameters() } catch { preconditionFailure("test network: \(error)") }
    }()

    /// Its frame magic.
    static let magic = Frame.magic(for: parameters.genesisHash)

    /// Every command, in a fixed order (the `message` target's first byte picks one).
    static let commands = ["version", "verack", "ping", "pong", "getheaders", "headers", "inv", "getdata", "notfound",
                           "block", "tx", "getaddr", "addr", "reject", "sendcmpct", "cmpctblock", "getblocktxn", "blocktxn",
                           "reconcile", "recondiff"]

    /// A tracker with a small table, so the fuzzer reaches its bound.
    static let tracker = TrackerServer(network: parameters, capacity: 64, registry: PrometheusCollectorRegistry(), logger: quiet)

    /// A logger that prints nothing: the targets log every rejected file.
    static let quiet: Logger = {
        var logger = Logger(label: "keychain.fuzz")
        logger.logLevel = .critical
        return logger
    }()

    /// The `store` target's data directory, one a process.
    static let storeDirectory = (NSTemporaryDirectory() as NSString).appendingPathComponent("keychain-fuzz-\(getpid())")

    /// Between the files of one `store` input.
    static let separator: [UInt8] = Array("\n--KCFZ--\n".utf8)

    /// The files of one input, in order: segment, block index, key index database.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        var index = 0
        while parts.count < 2, index + separator.count <= bytes.count {
            if bytes[index..<index + separator.count].elementsEqual(separator) {
                parts.append(Array(bytes[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(Array(bytes[start...]))
        return parts
    }
}
