// KeyChainChain: consensus. No sockets, time passed in; one background queue, which records
// the key index's updates in its database (`KeyIndexFlusher`), and the signature checkers'
// threads (`VerificationService`).
//
// - `BlockValidator`: the rules on a header and a block body (table-tested one by one).
// - `BlockTree`: every known header with height, cumulative work and status; fork choice.
// - `KeyIndex`: key -> versions on the best chain; ownership; compare-and-set; replays. Over
//   the store's `KeyIndexDatabase` it holds only what the database has not recorded
//   (`KeyChange`, `TxidChange`); without one, everything.
// - `Mempool`: waiting puts in arrival order, with the conflict rules, and block templates.
// - `Blockchain`: the above over a `BlockStorage`: accept headers and blocks (a body may be
//   checked first, alone, so a miner can start on it before the store), reorganise to the most
//   work (undoing key versions, returning transactions to the mempool), and hand each
//   update's steps to the key index's writer. `ReadOnlyChain` is what those who must not
//   change it see.
// - `SignatureCache`: each transaction's signature is verified once, in batches, in parallel
//   per block. `VerificationService`: where a node checks signatures before the owner sees
//   them, on two classes of threads (`VerifierThreads`: `tip` at normal priority, `sync` at
//   nice +10). `CoreBudget`: how every thread pool of a node is sized against the cores.
// - `RecentBlocks`: the last blocks stored, decoded, each framed once for the wire by whoever
//   sends it first; safe from any thread, shared with the transport.
