/// The vectors the start-up check holds the verifier to, each with the rule's answer: the
/// valid RFC 8032 §7.1 signatures, the twelve cases of Chalkias, Garillot and Nikolaenko's
/// "Taming the many EdDSAs" (novifinancial/ed25519-speccheck, cases.json), one case of each
/// kind from C2SP/CCTV's ed25519vectors.json and Wycheproof's S + L case. The complete suites
/// are in Tests/KeyChainCoreTests/Vectors, with where each came from.
extension SignatureRule {
    /// One pinned case: a key, a signature, a message and the rule's answer.
    struct Vector: Sendable {
        let name: String
        let key: Bytes32
        let signature: Signature
        let message: [UInt8]
        let valid: Bool

        init(_ name: String, key: Bytes32, signature: Signature, message: [UInt8], valid: Bool) {
            (self.name, self.key, self.signature, self.message, self.valid) = (name, key, signature, message, valid)
        }

        init(_ name: String, key: String, signature: String, message: String, valid: Bool) {
            self.name = name
            self.key = Bytes32(hex: key) ?? .zero
            self.signature = Hex.decode(signature).flatMap { Signature($0) } ?? .zero
            self.message = Hex.decode(message) ?? []
            self.valid = valid
        }
    }

    static let vectors: [Vector] = [
        Vector("RFC 8032 TEST 1", key: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
               signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
               message: "", valid: true),
        Vector("RFC 8032 TEST 2", key: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
               signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
               message: "72", valid: true),
        Vector("RFC 8032 TEST 3", key: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
               signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
               message: "af82", valid: true),
        Vector("RFC 8032 TEST SHA(abc)", key: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
               signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
               message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", valid: true),
        Vector("speccheck 0", key: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
               signature: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
               message: "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", valid: false),
        Vector("speccheck 1", key: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
               signature: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
               message: "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", valid: false),
        Vector("speccheck 2", key: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
               signature: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
               message: "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", valid: false),
        Vector("speccheck 3", key: "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
               signature: "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
               message: "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", valid: true),
        Vector("speccheck 4", key: "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
               signature: "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
               message: "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", valid: false),
        Vector("speccheck 5", key: "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
               signature: "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
               message: "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", valid: false),
        Vector("speccheck 6", key: "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
               signature: "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
               message: "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", valid: false),
        Vector("speccheck 7", key: "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
               signature: "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
               message: "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", valid: false),
        Vector("speccheck 8", key: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
               signature: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
               message: "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", valid: false),
        Vector("speccheck 9", key: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
               signature: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
               message: "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", valid: false),
        Vector("speccheck 10", key: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
               signature: "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
               message: "e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", valid: false),
        Vector("speccheck 11", key: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
               signature: "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
               message: "39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", valid: false),
        Vector("CCTV 50 (low_order_component_A)", key: "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
               signature: "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350608f32d206a7c0b7efa9a59e66546e8f1f599ef843fb502c9cc3c4ae8b7c11e05",
               message: "65643235353139766563746f72732035", valid: true),
        Vector("CCTV 7 (low_order_component_A, low_order_component_R)", key: "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
               signature: "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56bbbfd00bd9c259d8d222d15e67a3d8228585050dbb9b9585be20d8fadc721da03",
               message: "65643235353139766563746f7273", valid: true),
        Vector("CCTV 305 (no flags)", key: "ef75b20e7540e3dff77404193652ba2bd13df99c1508eee1515e27ae25f28076",
               signature: "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350640657f1cb030f12543549bbabd848dc6403d354e7c99c4d0dcee9f63c9033b00",
               message: "65643235353139766563746f72732035", valid: true),
        Vector("CCTV 6 (low_order_component_A, low_order_component_R, low_order_residue)", key: "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
               signature: "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56bc02e2b9e63e385c058bf62b14b3a2b29ccefe8e38ddb536bc3f9865320a3d801",
               message: "65643235353139766563746f7273203130", valid: false),
        Vector("CCTV 16 (low_order_R, low_order_component_A, low_order_component_R, low_order_residue, non_canonical_R)", key: "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
               signature: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f1cb421dfbd92aa6c30d550bff53c81cf650ace6deb96a8ec22d2fef84dbbe20b",
               message: "65643235353139766563746f72732036", valid: false),
        Vector("CCTV 10 (low_order_A, low_order_component_A, low_order_component_R, low_order_residue, non_canonical_A)", key: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
               signature: "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56b05ba9a796274d80437afa36f1236563f2f3b0aa84cecddc3d20914615ba4fe02",
               message: "65643235353139766563746f72732034", valid: false),
        Vector("CCTV 2 (low_order_A, low_order_component_A, low_order_component_R, low_order_residue)", key: "0000000000000000000000000000000000000000000000000000000000000000",
               signature: "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56b05ba9a796274d80437afa36f1236563f2f3b0aa84cecddc3d20914615ba4fe02",
               message: "65643235353139766563746f72732037", valid: false),
        Vector("CCTV 4 (low_order_R, low_order_component_A, low_order_component_R, low_order_residue)", key: "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
               signature: "00000000000000000000000000000000000000000000000000000000000000005e176f12cfb0d4e6eb6929b19ae4c998ef05c1c2cf628a9b1fa1c21312627108",
               message: "65643235353139766563746f72732037", valid: false),
        Vector("Wycheproof 63 (S + L)", key: "7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa",
               signature: "7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab067654bce3832c2d76f8f6f5dafc08d9339d4eef676573336a5c51eb6f946b31d",
               message: "54657374", valid: false),

    ]
}
