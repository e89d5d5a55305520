import ArgumentParser
import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore

/// `keychain-cli`: talks to a node over its Unix socket.
///
/// Exit codes: 0 ok, 1 error, 2 usage, 3 key not found, 4 rejected or conflict, 5 timed out.
@main
struct KeychainCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain-cli",
        abstract: "Read and write keys on a KeyChain node.",
        discussion: """
        Exit codes: 0 ok, 1 error, 2 usage, 3 key not found, 4 rejected or conflict, 5 timed out.
        The socket comes from --socket or KEYCHAIN_SOCKET (default data/node/keychain.sock); your
        identity from --identity or KEYCHAIN_IDENTITY (default ~/.keychain/identity.key), created on first use.
        """,
        subcommands: [Put.self, Get.self, History.self, Import.self, Tx.self, Status.self, Peers.self, Keys.self, IdentityCommand.self]
    )

    /// Runs the command line, with global options accepted before the subcommand as well as
    /// after it (`keychain-cli --socket PATH get KEY`, as bitcoin-cli, etcdctl and redis-cli
    /// take them), and every usage error exiting 2 as documented.
    static func main() async {
        let arguments = GlobalOptions.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(CLIExit.usage.rawValue)
        }
    }
}

/// The options every subcommand takes (`ClientOptions`), as they may stand before it.
enum GlobalOptions {
    /// Options that take a value.
    static let valued: Set<String> = ["--socket", "--identity"]
    /// Flags.
    static let flags: Set<String> = ["--json"]

    /// `arguments` with the global options found before the subcommand moved to just after
    /// it, where the parser looks for them. Anything else stays where it is.
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) || (valued.contains(name) && argument.contains("=")) {
                globals.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                globals += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !globals.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + globals + arguments[(index + 1)...]
    }
}

/// Exit codes the CLI documents.
enum CLIExit {
    static let error = ExitCode(1)
    static let usage = ExitCode(2)
    static let notFound = ExitCode(3)
    static let rejected = ExitCode(4)
    static let timedOut = ExitCode(5)

    /// The exit code for a client error.
    static func code(for error: KeyChainClientError) -> ExitCode {
        switch error.code {
        case .keyNotFound?, .transactionNotFound?, .blockNotFound?: notFound
        case .rejected?, .conflict?, .notOwner?, .evicted?, .mempoolFull?: rejected
        case .timeout?: timedOut
        default: CLIExit.error
        }
    }
}

/// Options every command takes.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The node's socket (or KEYCHAIN_SOCKET).")
    var socket: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    @Option(name: .long, help: "Your identity key file (or KEYCHAIN_IDENTITY; default ~/.keychain/identity.key).")
    var identity: String?

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["KEYCHAIN_SOCKET"] ?? "data/node/keychain.sock"
    }

    var identityPath: String {
        if let identity { return identity }
        if let path = ProcessInfo.processInfo.environment["KEYCHAIN_IDENTITY"] { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".keychain/identity.key")
    }

    /// The user's identity, created on first use.
    func loadIdentity() throws -> Identity {
        do {
            let (identity, created) = try IdentityFile.loadOrCreate(at: identityPath)
            if created { FileHandle.standardError.write(Data("created identity \(identity.publicKey.hex) in \(identityPath)\n".utf8)) }
            return identity
        } catch {
            printError(error.description)
            throw CLIExit.error
        }
    }

    func connect() async throws -> KeyChainClient {
        do { return try await KeyChainClient.connect(socketPath: socketPath) } catch {
            printError("\(error.description); is the node running? (keychain-node --dev)")
            throw CLIExit.error
        }
    }

    /// Prints `value` as JSON when --json, else `text()`.
    func emit<Value: Encodable>(_ value: Value, _ text: () -> String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print(text())
        }
    }

    /// Reports a client error (as JSON with --json) and returns the exit code to throw.
    func fail(_ error: KeyChainClientError) -> ExitCode {
        if json, case let .rpc(rpc) = error {
            emit(["error": rpc]) { "" }
        } else {
            printError(error.description)
        }
        return CLIExit.code(for: error)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("keychain-cli: \(message)\n".utf8))
}
