import Foundation

/// Points `process` at `executable`, through util-linux's `setpriv --pdeathsig KILL` where the
/// machine has it: a test runner killed mid-run (a CI timeout) then takes its nodes with it,
/// and no test leaves a process behind. `setpriv` execs the executable, so the PID is its.
public func launch(_ process: Process, _ executable: String, _ arguments: [String]) {
    let setpriv = "/usr/bin/setpriv"
    if FileManager.default.isExecutableFile(atPath: setpriv) {
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = ["--pdeathsig", "KILL", "--", executable] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    }
}

/// Starts `command` (through `launch`) with its output appended to the file at `log`.
public func start(_ process: Process, _ command: [String], log path: String) throws {
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    launch(process, command[0], Array(command.dropFirst()))
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    log.seekToEndOfFile()
    process.standardOutput = log
    process.standardError = log
    try Spawner.shared.run(process)
}
