import KeyChainCore
import Logging

extension SegmentBlockStore {
    /// Start-up repair, in the spirit of btcd's reconcile: trust nothing past the last intact
    /// record. Steps:
    /// 1. load the index log, cutting a torn or damaged tail;
    /// 2. drop entries whose segment data is missing;
    /// 3. verify every record of the last segment (where a crash tears writes), and every record
    ///    past the index's end in earlier ones; cut each file at its first bad record;
    /// 4. index the intact records the index did not know (a crash between data and index, or a
    ///    deleted index), linking each to its parent for height and work;
    /// 5. drop entries whose parent is gone, and rewrite the index if anything was dropped.
    func reconcile() throws(StoreError) {
        var report = Reconciliation()
        var loaded = try index.load(logger: logger)
        let numbers = existingSegments()
        let lastNumber = numbers.last ?? 0
        currentSegment = lastNumber

        // 2. Data that is not there any more.
        var sizes: [UInt32: UInt64] = [:]
        for number in numbers { sizes[number] = try segmentFile(number).size }
        let before = loaded.count
        loaded.removeAll { entry in
            guard let size = sizes[entry.location.segment] else { return true }
            return entry.location.end > size
        }
        report.droppedEntries += before - loaded.count

        // 3. Where to start scanning each segment.
        let indexedEnd = loaded.map(\.location).max()
        var found: [(header: BlockHeader, location: BlockLocation)] = []
        let known = Set(loaded.map(\.location))
        for number in numbers {
            let start: UInt64
            if number == lastNumber {
                start = 0
            } else if let end = indexedEnd, number < end.segment {
                continue
            } else if let end = indexedEnd, number == end.segment {
                start = end.end
            } else {
                start = 0
            }
            let (intact, scanned) = try scan(segment: number, from: start, report: &report)
            found += scanned.filter { !known.contains($0.location) }
            if number == lastNumber || intact < (sizes[number] ?? 0) {
                let cutBefore = loaded.count
                loaded.removeAll { $0.location.segment == number && $0.location.end > intact }
                report.droppedEntries += cutBefore - loaded.count
            }
        }

        // 4 and 5. Link everything into one tree rooted at a genesis block.
        var linked: [Hash256: BlockIndexEntry] = [:]
        var orderOut: [Hash256] = []
        var pending: [BlockIndexEntry] = loaded
        var unindexed = found
        var progress = true
        while progress {
            progress = false
            var waiting: [BlockIndexEntry] = []
            for entry in pending {
                if entry.header.previous == .zero || linked[entry.header.previous] != nil {
                    linked[entry.hash] = entry
                    orderOut.append(entry.hash)
                    progress = true
                } else {
                    waiting.append(entry)
                }
            }
            pending = waiting
            var stillUnlinked: [(header: BlockHeader, location: BlockLocation)] = []
            for item in unindexed {
                let work = (try? Target(compact: item.header.target).work) ?? .zero
                let hash = item.header.hash
                if linked[hash] != nil { continue }
                if item.header.previous == .zero {
                    linked[hash] = BlockIndexEntry(header: item.header, location: item.location, height: 0, cumulativeWork: work, status: .stored)
                } else if let parent = linked[item.header.previous] {
                    linked[hash] = BlockIndexEntry(header: item.header, location: item.location, height: parent.height + 1,
                                                   cumulativeWork: parent.cumulativeWork + work, status: .stored)
                } else {
                    stillUnlinked.append(item)
                    continue
                }
                orderOut.append(hash)
                report.reindexedBlocks += 1
                progress = true
            }
            unindexed = stillUnlinked
        }
        report.droppedEntries += pending.count
        if !pending.isEmpty || !unindexed.isEmpty {
            logger.warning("blocks whose parent is not stored were dropped", metadata: [
                "index_entries": "\(pending.count)", "unindexed_records": "\(unindexed.count)",
            ])
        }

        for hash in orderOut { if let entry = linked[hash] { remember(entry) } }
        let superseded = index.recordCount > 2 * orderOut.count + 1024
        if report.droppedEntries > 0 || report.reindexedBlocks > 0 || superseded {
            try index.rewrite(orderOut.compactMap { linked[$0] })
        }
        if report != Reconciliation() {
            logger.notice("store reconciled after an unclean shutdown", metadata: [
                "truncated_bytes": "\(report.truncatedBytes)", "reindexed_blocks": "\(report.reindexedBlocks)",
                "dropped_entries": "\(report.droppedEntries)",
            ])
        }
        reconciliation = report
    }

    /// Verifies records of one segment from `start`; cuts the file at the first bad one.
    /// Returns the end of the intact part and the records read.
    private func scan(segment number: UInt32, from start: UInt64, report: inout Reconciliation) throws(StoreError)
        -> (UInt64, [(header: BlockHeader, location: BlockLocation)])
    {
        let file = try segmentFile(number)
        let size = file.size
        guard start < size else { return (size, []) }
        let bytes = try file.read(at: start, count: Int(size - start))
        var offset = 0
        var records: [(header: BlockHeader, location: BlockLocation)] = []
        var fault: String?
        while offset < bytes.count {
            // A freed record (its block written again, compressed, elsewhere): skipped whole.
            if let freed = SegmentRecord.header(bytes, at: offset, freed: true), offset + freed.recordLength <= bytes.count {
                offset += freed.recordLength
                continue
            }
            switch SegmentRecord.decode(bytes, at: offset) {
            case let .failure(problem):
                fault = problem.rawValue
            case let .success(raw):
                guard let header = try? BlockHeader(decoding: Array(raw.prefix(BlockHeader.size))), raw.count >= BlockHeader.size else {
                    fault = "record does not start with a block header"
                    break
                }
                let length = SegmentRecord.header(bytes, at: offset)?.recordLength ?? 0
                records.append((header, BlockLocation(segment: number, offset: start + UInt64(offset), length: UInt32(length))))
                offset += length
                continue
            }
            break
        }
        let intact = start + UInt64(offset)
        if let fault {
            logger.warning("cutting a torn or corrupt segment tail", metadata: [
                "path": "\(file.path)", "offset": "\(intact)", "dropped_bytes": "\(size - intact)", "reason": "\(fault)",
            ])
            report.truncatedBytes += size - intact
            try file.truncate(to: intact)
            try file.sync()
        }
        return (intact, records)
    }
}
