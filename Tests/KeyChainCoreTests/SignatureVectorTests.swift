@testable import KeyChainCore
import KeyChainTestSupport
import Testing

/// The rule of docs/PROTOCOL.md §2 against the four public suites (RFC 8032 §7.1, speccheck,
/// CCTV, Wycheproof), each case's answer pinned in Vectors/expected.json: every verification
/// path and libsodium 1.0.18 must give exactly those answers.
@Suite struct SignatureVectorTests {
    let suites: SignatureVectorSuites

    init() throws { suites = try SignatureVectorSuites.load() }

    /// The suites are whole, and the pinned answers are the ones the rule's description says:
    /// every RFC 8032 signature valid, speccheck's case 3 alone accepted, Wycheproof's own
    /// verdicts, and of CCTV only the cases whose torsion cancels.
    @Test func theSuitesAreWholeAndTheirAnswersAsDocumented() {
        #expect(suites.rfc8032.count == 5 && suites.rfc8032.allSatisfy(\.valid))
        #expect(suites.speccheck.count == 12)
        #expect(suites.speccheck.indices.filter { suites.speccheck[$0].valid } == [3])
        #expect(suites.cctv.count == 914)
        #expect(suites.cctv.filter(\.valid).count == 43)
        #expect(suites.cctv.filter { $0.valid && ($0.name.contains("low_order_residue") || $0.name.contains("non_canonical")) }.isEmpty)
        #expect(suites.wycheproof.count == 151)
        #expect(suites.wycheproof.filter(\.valid).count == 88)
    }

    @Test(arguments: VerifierPath.allCases)
    func everyPathGivesThePinnedAnswers(_ path: VerifierPath) {
        for (suite, cases) in suites.all {
            let answers = path.verify(cases.map { ($0.key, $0.signature, $0.message) })
            for (item, answer) in zip(cases, answers) where answer != item.valid {
                Issue.record("\(suite), \(path.rawValue): \(item.name) is \(answer ? "accepted" : "refused"), pinned \(item.valid)")
            }
        }
    }

    /// The oracle itself: libsodium 1.0.18 gives the pinned answers (another version may not,
    /// and then it is no oracle for this rule).
    @Test func libsodiumGivesThePinnedAnswers() throws {
        try #require(Libsodium.isPinnedVersion, "libsodium \(Libsodium.version) is loaded; the rule was pinned against \(Libsodium.pinnedVersion)")
        for (suite, cases) in suites.all {
            for item in cases where Libsodium.verify(signature: item.signature, message: item.message, key: item.key) != item.valid {
                Issue.record("\(suite): libsodium answers \(item.name) the other way")
            }
        }
    }

    /// What docs/PROTOCOL.md warns a re-implementer of: cases that OpenSSL, BoringSSL,
    /// CryptoKit, Go and Python's `cryptography` accept, and this rule refuses.
    @Test func theRuleRefusesWhatCommonLibrariesAccept() {
        for index in [0, 1, 2, 11] {
            #expect(!VerifierPath.untabled.verify(signature: suites.speccheck[index].signature, message: suites.speccheck[index].message,
                                                  key: suites.speccheck[index].key), "speccheck \(index)")
        }
        #expect(suites.wycheproof.filter { $0.name.contains("replaced by s + ") }.count == 8)  // s + L, 2L, 4L, 8L, two keys
        #expect(suites.wycheproof.filter { $0.name.contains("replaced by s + ") }.allSatisfy { !$0.valid })
    }

    /// RFC 8032's secret keys give its public keys and, signing deterministically, its
    /// signatures: the vectors were copied whole.
    @Test func rfc8032SecretKeysGiveTheirPublicKeysAndSignatures() throws {
        for item in suites.rfc8032 {
            let seed = try #require(suites.rfc8032SecretKeys[String(item.name.dropFirst("RFC 8032 ".count))])
            let identity = try Identity(seed: seed)
            #expect(identity.publicKey.raw.bytes == item.key, "\(item.name)")
            #expect(identity.sign(item.message).bytes == item.signature, "\(item.name)")
        }
    }

    /// The vectors compiled into the binary for its start-up check are cases of these suites,
    /// with the same answers.
    @Test func theStartUpVectorsAreCasesOfTheSuites() {
        let everything = suites.all.flatMap(\.cases)
        #expect(SignatureRule.vectors.count >= 20)
        for vector in SignatureRule.vectors {
            let match = everything.first {
                $0.key == vector.key.bytes && $0.signature == vector.signature.bytes && $0.message == vector.message
            }
            #expect(match?.valid == vector.valid, "\(vector.name): \(match.map { "\($0.name) is pinned \($0.valid)" } ?? "in no suite")")
        }
        #expect(SignatureRule.vectors.contains { $0.valid } && SignatureRule.vectors.contains { !$0.valid })
    }

    /// The start-up check passes on this build, on every path, batch included.
    @Test func theStartUpCheckPasses() throws {
        try SignatureRule.check()
        #expect(SignatureRule.batchAnswers(SignatureRule.vectors) == SignatureRule.vectors.map(\.valid))
    }

    /// A build that answered any vector the other way would be caught, on the path that
    /// disagrees: here every vector's pinned answer is turned around in turn, as a verifier
    /// that disagreed on it would see it.
    @Test func theStartUpCheckCatchesADisagreement() {
        for vector in SignatureRule.vectors.prefix(6) + SignatureRule.vectors.suffix(4) {
            let turned = SignatureRule.Vector(vector.name, key: vector.key, signature: vector.signature, message: vector.message, valid: !vector.valid)
            #expect(throws: SignatureRuleError.disagreement(vector: vector.name, path: SignatureRule.Path.untabled.rawValue, expected: !vector.valid)) {
                try SignatureRule.check(SignatureRule.vectors.filter { $0.name != vector.name } + [turned])
            }
        }
        let error = SignatureRuleError.disagreement(vector: "speccheck 0", path: "wide tables", expected: false)
        #expect(error.description.contains("accepts pinned vector \"speccheck 0\" wide tables"))
    }
}
