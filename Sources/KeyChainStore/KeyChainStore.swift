// KeyChainStore: a node's blocks and key index on disk.
//
// - Segments: append-only files `blocks/NNNNNNNNN.seg` of `SegmentRecord`s
//   `magic | length | raw length | zlib(block) | CRC-32C`, rotated at a size limit, each
//   file a `DataFile` (reads at offsets, appends, explicit fsync; `Zlib` compresses).
// - `BlockIndexFile`: an append-only log of `BlockIndexEntry` (hash -> location, height,
//   cumulative work, status), each written after the block data it points to.
// - `SegmentBlockStore`: both together, with start-up reconciliation: a torn or corrupt tail
//   is cut and logged, never served; a missing or damaged index is rebuilt from the segments.
// - `KeyIndexDatabase`: the key index on disk, in SQLite (`keyindex.sqlite`, WAL mode) through
//   a thin layer of its own (`SQLiteConnection`, `SQLiteStatement`): one writer records each
//   chain update (`KeyIndexStep`s) in one transaction (`KeyIndexWriter`); readers on any
//   thread read one snapshot each (`KeyIndexReader`).
// - `MemoryBlockStore`: the same `BlockStorage` protocol in memory, for the simulator and tests.
