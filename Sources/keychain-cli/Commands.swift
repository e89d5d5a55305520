import ArgumentParser
import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore

struct Put: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a new version of a key, signed with your identity.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The key (1-255 bytes of UTF-8).") var key: String
    @Argument(help: "The value (text; use --base64 for bytes).") var value: String
    @Option(name: .long, help: "Confirmations to wait for; 0 returns at once with the txid.") var wait: UInt32 = 1
    @Option(name: .long, help: "Compare-and-set: succeed only if the key has exactly N versions.") var ifVersion: UInt64?
    @Flag(name: .long, help: "The value is base64.") var base64 = false
    @Option(name: .long, help: "Seconds to wait for the confirmations.") var timeout: Int = 60

    func run() async throws {
        guard let bytes = (base64 ? ValueEncoding.base64 : .utf8).bytes(value) else {
            throw ValidationError("the value is not valid base64")
        }
        let identity = try options.loadIdentity()
        let client = try await options.connect()
        defer { Task { await client.close() } }
        let receipt: PutReceipt
        do {
            receipt = try await client.put(key: key, value: bytes, expectedVersion: ifVersion, signer: .identity(identity),
                                           confirmations: max(wait, 1), timeout: .seconds(timeout))
        } catch {
            throw options.fail(error)
        }
        guard wait > 0 else {
            options.emit(TxStatusResult(txid: receipt.txid.hex, status: .pending)) { receipt.txid.hex }
            return
        }
        switch await receipt.outcome {
        case let .confirmed(depth, height, block):
            options.emit(TxStatusResult(txid: receipt.txid.hex, status: .confirmed, depth: depth, height: height, block: block.hex)) {
                "\(receipt.txid.hex) confirmed at height \(height) (depth \(depth))"
            }
        case let .rejected(reason), let .conflict(reason), let .evicted(reason):
            printError(reason)
            throw CLIExit.rejected
        case .timedOut:
            printError("\(receipt.txid.hex) not confirmed within \(timeout) s; check later with: keychain-cli tx \(receipt.txid.hex)")
            throw CLIExit.timedOut
        case let .failed(reason):
            printError(reason)
            throw CLIExit.error
        }
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a key's latest value.")
    @OptionGroup var options: ClientOptions
    @Argument var key: String

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        do {
            guard let version = try await client.retrieve(key) else {
                printError("key '\(key)' has no versions")
                throw CLIExit.notFound
            }
            options.emit(version) { version.value }
        } catch let error as KeyChainClientError {
            throw options.fail(error)
        }
    }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print every version of a key, oldest first.")
    @OptionGroup var options: ClientOptions
    @Argument var key: String

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        let versions: [VersionResult]
        do { versions = try await client.retrieveAll(key) } catch { throw options.fail(error) }
        guard !versions.isEmpty else {
            printError("key '\(key)' has no versions")
            throw CLIExit.notFound
        }
        options.emit(HistoryResult(key: key, versions: versions)) {
            versions.map { "v\($0.version)  height \($0.height)  \($0.confirmations) conf  txid \($0.txid.prefix(16))  author \($0.author.prefix(16))  \($0.value)" }
                .joined(separator: "\n")
        }
    }
}

struct Tx: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a transaction's status.")
    @OptionGroup var options: ClientOptions
    @Argument var txid: String

    func run() async throws {
        guard let hash = Hash256(hex: txid) else { throw ValidationError("a txid is 64 hex digits") }
        let client = try await options.connect()
        defer { Task { await client.close() } }
        do {
            let status = try await client.transaction(hash)
            options.emit(status) {
                switch status.status {
                case .confirmed: "confirmed at height \(status.height ?? 0), depth \(status.depth ?? 0), block \(status.block ?? "")"
                case .pending: "pending"
                case .rejected, .evicted: "\(status.status.rawValue): \(status.reason ?? "")"
                }
            }
        } catch { throw options.fail(error) }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the node's state.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        do {
            let status = try await client.status()
            options.emit(status) {
                """
                network   \(status.network) (\(status.genesis.prefix(16)), \(Self.difficulty(status)))
                height    \(status.height)  tip \(status.tip.prefix(16))
                peers     \(status.peers)\(Self.sync(status))
                mempool   \(status.mempool) puts
                keys      \(status.keys)
                mining    \(status.mining ? String(format: "yes, %.0f hashes/s", status.hashRate) : "no")
                wallet    \(status.wallet)\(status.storageFault.map { "\nstorage   FAILING: \($0); new puts are refused" } ?? "")
                """
            }
        } catch { throw options.fail(error) }
    }
}

extension Status {
    /// "20 bits" on a fixed network; "21.37 bits now (started at 20, ASERT half-life 30 blocks)"
    /// on a retargeting one.
    static func difficulty(_ status: StatusResult) -> String {
        guard let halfLife = status.halfLifeIntervals, let now = status.nextDifficultyBits else { return "\(status.difficultyBits) bits" }
        return String(format: "%.2f bits now (started at %d, ASERT half-life %d blocks)", now, status.difficultyBits, Int(halfLife))
    }

    /// ", syncing 120/400 (30%)" while a peer knows a longer chain, else "".
    static func sync(_ status: StatusResult) -> String {
        guard let best = status.bestKnownHeight, best > status.height else { return status.peers > 0 ? ", in sync" : "" }
        return ", syncing \(status.height)/\(best) (\(Int(Double(status.height) * 100 / Double(max(best, 1))))%)"
    }
}

struct Peers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the node's peer connections and banned hosts.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        do {
            let result = try await client.peers()
            options.emit(result) {
                var lines = [String(format: "%-22@ %-8@ %8@ %7@ %10@ %10@  %@", "ADDRESS" as NSString, "DIR" as NSString, "HEIGHT" as NSString,
                                    "PING" as NSString, "IN" as NSString, "OUT" as NSString, "STATE" as NSString)]
                for peer in result.peers {
                    let ping = peer.pingMs.map { "\($0) ms" } ?? "-"
                    let state = peer.ready ? "ready \(peer.connectedSeconds) s" : "handshaking"
                    lines.append(String(format: "%-22@ %-8@ %8u %7@ %10@ %10@  %@", peer.address as NSString, peer.direction as NSString,
                                        peer.height, ping as NSString, Self.bytes(peer.bytesIn) as NSString,
                                        Self.bytes(peer.bytesOut) as NSString, state as NSString))
                }
                if result.peers.isEmpty { lines.append("(no connections)") }
                for ban in result.banned { lines.append("banned \(ban.host) for another \(ban.remainingSeconds) s") }
                return lines.joined(separator: "\n")
            }
        } catch { throw options.fail(error) }
    }

    static func bytes(_ count: UInt64) -> String {
        count < 10_000 ? "\(count) B" : count < 10_000_000 ? "\(count / 1_000) kB" : "\(count / 1_000_000) MB"
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List keys by prefix.")
    @OptionGroup var options: ClientOptions
    @Argument var prefix: String = ""
    @Option(name: .long, help: "Keys a page.") var limit = 100
    @Option(name: .long, help: "Start after this key (the previous page's last).") var after: String?

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        do {
            let page = try await client.keys(prefix: prefix, after: after, limit: limit)
            options.emit(page) {
                (page.keys + (page.next.map { ["(more: --after '\($0)')"] } ?? [])).joined(separator: "\n")
            }
        } catch { throw options.fail(error) }
    }
}

struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "identity", abstract: "Show your identity's public key (creating it if needed).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let identity = try options.loadIdentity()
        options.emit(["publicKey": identity.publicKey.hex, "path": options.identityPath]) { identity.publicKey.hex }
    }
}
