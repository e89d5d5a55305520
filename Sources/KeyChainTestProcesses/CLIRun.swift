import Foundation
import KeyChainTestSupport

/// Runs `keychain-cli` to completion (bounded) and returns its exit code and output.
public func runCLI(_ arguments: [String], socket: String, identity: String, seconds: Double = 120) async throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    launch(process, Binaries.cli, arguments)
    var environment = ProcessInfo.processInfo.environment
    environment["KEYCHAIN_SOCKET"] = socket
    environment["KEYCHAIN_IDENTITY"] = identity
    process.environment = environment
    let directory = try TemporaryDirectory(prefix: "keychain-cli-output")
    let outPath = directory.file("out"), errPath = directory.file("err")
    // A file that could not be made fails the `FileHandle` below, with the reason.
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try Spawner.shared.run(process)
    do {
        try await eventually("keychain-cli \(arguments.joined(separator: " "))", seconds: seconds) { !process.isRunning }
    } catch {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw error
    }
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, out.trimmingCharacters(in: .whitespacesAndNewlines), err)
}
