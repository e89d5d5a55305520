/// A request line read without Foundation's JSONDecoder, for the hot read path: a flat
/// object whose `params` is an object of strings, integers, booleans and nulls. Anything
/// else (escapes, nesting, floats, duplicate keys, malformed input) makes `parse` return nil
/// and the caller falls back to the full decoder, which also words the error messages.
public struct FlatRequest: Sendable, Equatable {
    /// A params value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
    }

    /// The "jsonrpc" member.
    public var jsonrpc: String?
    /// The "id" member (absent: nil).
    public var id: RPCID?
    /// The "method" member.
    public var method: String
    /// The "params" members.
    public var params: [String: Value]

    /// A request from its parts.
    public init(jsonrpc: String?, id: RPCID?, method: String, params: [String: Value]) {
        self.jsonrpc = jsonrpc
        self.id = id
        self.method = method
        self.params = params
    }

    /// Parses `bytes`, or returns nil when the line needs the full decoder.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> FlatRequest? {
        var scanner = Scanner(bytes: bytes)
        return scanner.request()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func string() -> String? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        mutating func scalar() -> Value? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default: return integer().map(Value.integer)
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        mutating func integer() -> Int64? {
            let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            var value: Int64 = 0
            var digits = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if overflow1 || overflow2 { return nil }
                value = sum
                digits += 1
                index += 1
            }
            // A fraction or exponent: not an integer, leave it to the full decoder.
            if digits == 0 || (index < bytes.count && (bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e"))) { return nil }
            return negative ? -value : value
        }

        mutating func members(_ body: (inout Scanner, String) -> Bool) -> Bool {
            guard expect(UInt8(ascii: "{")) else { return false }
            if expect(UInt8(ascii: "}")) { return true }
            while true {
                guard let key = string(), expect(UInt8(ascii: ":")), body(&self, key) else { return false }
                if expect(UInt8(ascii: "}")) { return true }
                guard expect(UInt8(ascii: ",")) else { return false }
            }
        }

        mutating func request() -> FlatRequest? {
            var jsonrpc: String?, id: RPCID?, method: String?, params: [String: Value]?
            var seen = Set<String>()
            let ok = members { scanner, key in
                guard seen.insert(key).inserted else { return false }
                switch key {
                case "jsonrpc":
                    guard let text = scanner.string() else { return false }
                    jsonrpc = text
                case "id":
                    switch scanner.scalar() {
                    case let .integer(number)?: id = .number(number)
                    case let .string(text)?: id = .string(text)
                    case .null?: id = .null
                    default: return false
                    }
                case "method":
                    guard let text = scanner.string() else { return false }
                    method = text
                case "params":
                    var values: [String: Value] = [:]
                    let parsed = scanner.members { inner, name in
                        guard values[name] == nil, let value = inner.scalar() else { return false }
                        values[name] = value
                        return true
                    }
                    guard parsed else { return false }
                    params = values
                default:
                    return false
                }
                return true
            }
            skipSpace()
            guard ok, index == bytes.count, let method else { return nil }
            return FlatRequest(jsonrpc: jsonrpc, id: id, method: method, params: params ?? [:])
        }
    }
}
