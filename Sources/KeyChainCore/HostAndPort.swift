/// `HOST:PORT` as the command lines take it.
public enum HostAndPort {
    /// The host (brackets of an IPv6 literal removed; empty means 127.0.0.1) and port of
    /// `text`, or nil if it is not of that form.
    public static func split(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
