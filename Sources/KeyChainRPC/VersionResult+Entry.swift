import KeyChainAPI
import KeyChainOwner

extension VersionResult {
    /// A key's version as the API words it: the value as text in the encoding that fits it.
    init(_ entry: KeyVersionEntry) {
        let version = entry.version
        let encoding = ValueEncoding.choose(for: version.value)
        self.init(key: entry.key, version: entry.number, value: encoding.text(version.value), encoding: encoding,
                  height: version.height, block: version.blockHash.hex, txid: version.txid.hex,
                  author: version.author.hex, confirmations: entry.confirmations)
    }
}
