import Foundation

/// Where `swift build` put the executables: beside the test bundle.
public enum Binaries {
    /// The build directory holding the executables.
    public static let directory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("keychain-node").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()
    /// `keychain-node`.
    public static var node: String { directory.appendingPathComponent("keychain-node").path }
    /// `keychain-cli`.
    public static var cli: String { directory.appendingPathComponent("keychain-cli").path }
}

extension Binaries {
    /// `keychain-tracker`.
    public static var tracker: String { directory.appendingPathComponent("keychain-tracker").path }
    /// `keychain-devnet`.
    public static var devnet: String { directory.appendingPathComponent("keychain-devnet").path }
}
