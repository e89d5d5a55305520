import Foundation

/// Rows of an import file: CSV `key,value` with a header row, or JSON lines
/// `{"key": ..., "value": ...}`. A bad line is reported with its number and skipped.
struct ImportFile {
    struct Row {
        let line: Int
        let key: String
        let value: String
    }

    struct Problem {
        let line: Int
        let reason: String
    }

    let rows: [Row]
    let problems: [Problem]

    /// Reads the file as bytes and splits it into lines and fields without going through
    /// Swift's grapheme-aware `Character`s, which made parsing cost as much as signing.
    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        let isJSON = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") || bytes.first == UInt8(ascii: "{")
        var rows: [Row] = []
        var problems: [Problem] = []
        var start = 0
        var number = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            number += 1
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if isJSON {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    problems.append(Problem(line: number, reason: "not a JSON object"))
                    continue
                }
                guard let key = object["key"] as? String else {
                    problems.append(Problem(line: number, reason: "\"key\" is missing or not a string"))
                    continue
                }
                guard let value = object["value"].flatMap(Self.text) else {
                    problems.append(Problem(line: number, reason: "\"value\" is missing"))
                    continue
                }
                rows.append(Row(line: number, key: key, value: value))
            } else {
                if number == 1 { continue }  // the header row
                guard let fields = Self.csvFields(line), fields.count == 2 else {
                    problems.append(Problem(line: number, reason: "expected two CSV fields, key and value"))
                    continue
                }
                guard let key = String(validating: fields[0], as: UTF8.self), let value = String(validating: fields[1], as: UTF8.self) else {
                    problems.append(Problem(line: number, reason: "not valid UTF-8"))
                    continue
                }
                rows.append(Row(line: number, key: key, value: value))
            }
        }
        self.rows = rows
        self.problems = problems
    }

    /// A JSON value as the text to store: strings as they are, anything else as compact JSON.
    private static func text(_ value: Any) -> String? {
        if let string = value as? String { return string }
        if value is NSNull { return nil }
        guard JSONSerialization.isValidJSONObject([value]),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes.
    /// Nil when a quote is left open.
    static func csvFields(_ line: ArraySlice<UInt8>) -> [[UInt8]]? {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var quoted = false
        var atFieldStart = true
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if quoted {
                if byte == quote {
                    if index + 1 < line.endIndex && line[index + 1] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                atFieldStart = false
            } else if byte == comma {
                fields.append(field)
                field = []
                atFieldStart = true
            } else if byte == quote && atFieldStart {
                quoted = true
                atFieldStart = false
            } else {
                field.append(byte)
                atFieldStart = false
            }
            index += 1
        }
        if quoted { return nil }
        fields.append(field)
        return fields
    }
}
