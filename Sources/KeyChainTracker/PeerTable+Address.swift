import Foundation

extension PeerTable {
    /// Why an announcement cannot be recorded under any address.
    public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
        case unspecified(String)
        case loopbackFromElsewhere(advertised: String, source: String)
        case empty

        public var description: String {
            switch self {
            case let .unspecified(host): "\(host) is not an address a peer can dial; advertise one with --advertise"
            case let .loopbackFromElsewhere(advertised, source):
                "the announcement came from \(source), so \(advertised) would name the tracker's own machine; advertise a reachable address"
            case .empty: "the announcement names no host and came from none"
            }
        }
    }

    /// The host a peer is recorded under: the one it advertises, else the one its announcement
    /// came from (a node listening on 0.0.0.0 knows no better). An unspecified address is never
    /// recorded, and a loopback one only when the announcement came from loopback too.
    public static func host(advertised: String?, source: String) -> Result<String, AddressError> {
        let advertised = advertised?.trimmingCharacters(in: .whitespaces) ?? ""
        if !advertised.isEmpty {
            if isUnspecified(advertised) { return .failure(.unspecified(advertised)) }
            if isLoopback(advertised) && !isLoopback(source) {
                return .failure(.loopbackFromElsewhere(advertised: advertised, source: source))
            }
            return .success(advertised)
        }
        if source.isEmpty { return .failure(.empty) }
        if isUnspecified(source) { return .failure(.unspecified(source)) }
        return .success(source)
    }

    static func isUnspecified(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" || host == "[::]" }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
