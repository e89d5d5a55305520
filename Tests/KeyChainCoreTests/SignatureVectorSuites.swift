import Foundation
import KeyChainCore

/// The four public Ed25519 vector suites in Vectors/ (where each came from: Vectors/README.md),
/// read from the source tree, with the rule's pinned answers from Vectors/expected.json.
struct SignatureVectorSuites {
    /// One case of a suite: what it is called, its key, signature and message, and the rule's
    /// answer.
    struct Case: Sendable {
        let name: String
        let key: [UInt8]
        let signature: [UInt8]
        let message: [UInt8]
        let valid: Bool
    }

    /// Why the suites could not be read.
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    let rfc8032: [Case]
    let speccheck: [Case]
    let cctv: [Case]
    let wycheproof: [Case]
    /// The RFC 8032 cases' secret keys, by case name.
    let rfc8032SecretKeys: [String: [UInt8]]

    var all: [(suite: String, cases: [Case])] {
        [("RFC 8032", rfc8032), ("speccheck", speccheck), ("CCTV", cctv), ("Wycheproof", wycheproof)]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    static func load() throws -> SignatureVectorSuites {
        func json(_ name: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)))
        }
        func hex(_ value: Any?, _ what: String) throws -> [UInt8] {
            guard let text = value as? String, let bytes = Hex.decode(text) else { throw LoadError(description: "\(what) is not hex") }
            return bytes
        }
        guard let expected = try json("expected.json") as? [String: Any],
              let rfcAnswers = expected["rfc8032"] as? [Bool], let speccheckAnswers = expected["speccheck"] as? [Bool],
              let cctvAccepted = expected["cctvAccepted"] as? [Int], let wycheproofAccepted = expected["wycheproofAccepted"] as? [Int]
        else { throw LoadError(description: "expected.json lacks a suite's answers") }

        guard let rfcFile = try json("rfc8032.json") as? [String: Any], let rfcCases = rfcFile["cases"] as? [[String: Any]],
              rfcCases.count == rfcAnswers.count else { throw LoadError(description: "rfc8032.json does not match expected.json") }
        var secrets: [String: [UInt8]] = [:]
        let rfc = try rfcCases.enumerated().map { index, item in
            let name = item["name"] as? String ?? "case \(index)"
            secrets[name] = try hex(item["secret_key"], name)
            return Case(name: "RFC 8032 \(name)", key: try hex(item["public_key"], name), signature: try hex(item["signature"], name),
                        message: try hex(item["message"], name), valid: rfcAnswers[index])
        }

        guard let speccheckCases = try json("speccheck-cases.json") as? [[String: Any]], speccheckCases.count == speccheckAnswers.count
        else { throw LoadError(description: "speccheck-cases.json does not match expected.json") }
        let speccheck = try speccheckCases.enumerated().map { index, item in
            Case(name: "speccheck \(index)", key: try hex(item["pub_key"], "speccheck \(index)"),
                 signature: try hex(item["signature"], "speccheck \(index)"), message: try hex(item["message"], "speccheck \(index)"),
                 valid: speccheckAnswers[index])
        }

        guard let cctvCases = try json("cctv-ed25519vectors.json") as? [[String: Any]] else {
            throw LoadError(description: "cctv-ed25519vectors.json is not a list")
        }
        let accepted = Set(cctvAccepted)
        let cctv = try cctvCases.map { item in
            guard let number = item["number"] as? Int, let message = item["msg"] as? String else { throw LoadError(description: "a CCTV case lacks its number") }
            let flags = (item["flags"] as? [String] ?? []).joined(separator: ", ")
            return Case(name: "CCTV \(number) (\(flags.isEmpty ? "no flags" : flags))", key: try hex(item["key"], "CCTV \(number)"),
                        signature: try hex(item["sig"], "CCTV \(number)"), message: Array(message.utf8), valid: accepted.contains(number))
        }

        guard let wycheproofFile = try json("wycheproof-ed25519_test.json") as? [String: Any],
              let groups = wycheproofFile["testGroups"] as? [[String: Any]] else {
            throw LoadError(description: "wycheproof-ed25519_test.json has no test groups")
        }
        let wycheproofValid = Set(wycheproofAccepted)
        var wycheproof: [Case] = []
        for group in groups {
            let key = try hex((group["publicKey"] as? [String: Any])?["pk"], "a Wycheproof key")
            for test in group["tests"] as? [[String: Any]] ?? [] {
                guard let id = test["tcId"] as? Int else { throw LoadError(description: "a Wycheproof test lacks its tcId") }
                let comment = test["comment"] as? String ?? ""
                wycheproof.append(Case(name: "Wycheproof \(id) (\(comment))", key: key, signature: try hex(test["sig"], "Wycheproof \(id)"),
                                       message: try hex(test["msg"], "Wycheproof \(id)"), valid: wycheproofValid.contains(id)))
            }
        }
        return SignatureVectorSuites(rfc8032: rfc, speccheck: speccheck, cctv: cctv, wycheproof: wycheproof, rfc8032SecretKeys: secrets)
    }
}
