import Foundation

/// Waits until `condition` holds, polling, or throws after `seconds`. A `ProcessFailure`
/// thrown by the condition (a process that died) ends the wait at once; other errors (a
/// socket not yet listening) count as "not yet".
public func eventually(_ what: String, seconds: Double = 90, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        do {
            if try await condition() { return }
        } catch let failure as ProcessFailure {
            throw failure
        } catch {}
        try await Task.sleep(for: .milliseconds(20))
    }
    // Once more at the deadline: a test process whose threads were all busy (every suite
    // starts at once) may wake past it to a condition that has long held.
    if (try? await condition()) == true { return }
    throw ProcessFailure(description: "timed out after \(seconds) s waiting for \(what)")
}
