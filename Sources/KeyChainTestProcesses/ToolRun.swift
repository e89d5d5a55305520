import Foundation

/// Runs a system tool (`ip`, `mount`) to completion; its output, or a failure carrying it.
@discardableResult
public func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw ProcessFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(output)")
    }
    return output
}

/// `GET path` on the tracker at `port`.
public func httpGet(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
    try await TCPConnection(port: port).http("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
}
