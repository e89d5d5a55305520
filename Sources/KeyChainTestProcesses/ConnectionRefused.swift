import Foundation

/// A TCP connection that could not be opened.
public struct ConnectionRefused: Error {
    /// The port dialled.
    public let port: Int
    /// The system's reason.
    public let reason: String
}
