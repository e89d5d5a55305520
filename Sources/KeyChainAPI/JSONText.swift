/// Hand-written JSON for the hottest replies: Foundation's encoder spends most of a `get`
/// reply's time on generic metadata lookups. The output is the same JSON the encoder writes.
public enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    public static func string(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscape = true
            break
        }
        if !needsEscape {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case let control where control.value < 0x20:
                    let hex = String(control.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// A request id as JSON.
    public static func id(_ id: RPCID) -> String {
        switch id {
        case let .number(value): String(value)
        case let .string(value): string(value)
        case .null: "null"
        }
    }

    /// A `get` reply.
    public static func reply(id: RPCID, version: VersionResult) -> String {
        var out = #"{"jsonrpc":"2.0","id":"#
        out += Self.id(id)
        out += #","result":"#
        append(version, to: &out)
        out += "}"
        return out
    }

    /// A `history` reply: a thousand versions through the encoder took most of its time.
    public static func reply(id: RPCID, history: HistoryResult) -> String {
        var out = #"{"jsonrpc":"2.0","id":"#
        out.reserveCapacity(64 + history.versions.count * 400)
        out += Self.id(id)
        out += #","result":{"key":"#
        out += string(history.key)
        out += #","versions":["#
        for (index, version) in history.versions.enumerated() {
            if index > 0 { out += "," }
            append(version, to: &out)
        }
        out += "]}}"
        return out
    }

    /// One version as a JSON object, in the encoder's order of fields.
    private static func append(_ version: VersionResult, to out: inout String) {
        out += #"{"key":"#
        out += string(version.key)
        out += #","version":"# + String(version.version)
        out += #","value":"# + string(version.value)
        out += #","encoding":""# + version.encoding.rawValue
        out += #"","height":"# + String(version.height)
        out += #","block":""# + version.block
        out += #"","txid":""# + version.txid
        out += #"","author":""# + version.author
        out += #"","confirmations":"# + String(version.confirmations)
        out += "}"
    }
}
