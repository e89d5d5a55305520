// KeyChainStore: a node's blocks on disk.
//
// - Segments: append-only files `blocks/NNNNNNNNN.seg` of `SegmentRecord`s
//   `magic | length | raw length | zlib(block) | CRC-32C`, rotated at a size limit, each
//   file a `DataFile` (reads at offsets, appends, explicit fsync; `Zlib` compresses).
// - `BlockIndexFile`: an append-only log of `BlockIndexEntry` (hash -> location, height,
//   cumulative work, status), each written after the block data it points to.
// - `SegmentBlockStore`: both together, with start-up reconciliation: a torn or corrupt tail
//   is cut and logged, never served; a missing or damaged index is rebuilt from the segments.
// - `CheckpointFile`: an atomically replaced blob (the key index checkpoint).
// - `MemoryBlockStore`: the same `BlockStorage` protocol in memory, for the simulator and tests.
