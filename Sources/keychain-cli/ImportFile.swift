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

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let isJSON = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") || lines.first?.first == "{"
        var rows: [Row] = []
        var problems: [Problem] = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            if isJSON {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
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
                guard let fields = Self.csvFields(String(line)), fields.count == 2 else {
                    problems.append(Problem(line: number, reason: "expected two CSV fields, key and value"))
                    continue
                }
                rows.append(Row(line: number, key: fields[0], value: fields[1]))
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
    static func csvFields(_ line: String) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var index = line.startIndex
        var atFieldStart = true
        while index < line.endIndex {
            let character = line[index]
            if quoted {
                if character == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex && line[next] == "\"" {
                        field.append("\"")
                        index = next
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "," {
                fields.append(field)
                field = ""
                atFieldStart = true
                index = line.index(after: index)
                continue
            } else if character == "\"" && atFieldStart {
                quoted = true
            } else {
                field.append(character)
            }
            atFieldStart = false
            index = line.index(after: index)
        }
        if quoted { return nil }
        fields.append(field)
        return fields
    }
}
