import Foundation

/// Errors from the process helpers, with what a person needs to debug a failed test.
public struct ProcessFailure: Error, CustomStringConvertible {
    /// What failed, with the log or output that shows why.
    public let description: String

    /// A failure saying `description`.
    public init(description: String) { self.description = description }
}
