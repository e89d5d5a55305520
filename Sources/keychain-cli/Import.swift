import ArgumentParser
import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a CSV (key,value with a header row) or JSON-lines file, then wait for confirmation.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The file.") var file: String
    @Option(name: .long, help: "Puts a request.") var batchSize = 1_000
    @Option(name: .long, help: "Batches in flight at once.") var pipeline = 3
    @Option(name: .long, help: "Seconds to wait for the last confirmations.") var timeout = 300

    struct Summary: Codable {
        var rows = 0
        var malformed: [String] = []
        var submitted = 0
        var confirmed = 0
        var rejected: [String: Int] = [:]
        var seconds = 0.0
        var putsPerSecond = 0.0
    }

    func run() async throws {
        guard batchSize >= 1, batchSize <= 10_000 else { throw ValidationError("--batch-size must be 1-10000") }
        let parsed: ImportFile
        do { parsed = try ImportFile(path: file) } catch {
            printError("cannot read \(file): \(error.localizedDescription)")
            throw CLIExit.error
        }
        for problem in parsed.problems { printError("\(file):\(problem.line): \(problem.reason); skipped") }
        let identity = try options.loadIdentity()
        let client = try await options.connect()
        defer { Task { await client.close() } }

        var summary = Summary()
        summary.rows = parsed.rows.count
        summary.malformed = parsed.problems.map { "line \($0.line): \($0.reason)" }
        let progress = Progress(total: parsed.rows.count, label: "submitted")
        let started = Date()
        var accepted: [[Hash256]] = []
        let batches = stride(from: 0, to: parsed.rows.count, by: batchSize).map { Array(parsed.rows[$0..<min($0 + batchSize, parsed.rows.count)]) }

        // Sign the next batches while earlier ones are in flight.
        try await withThrowingTaskGroup(of: (Int, [SubmitBatchResult.Entry], [ImportFile.Row], [Transaction?]).self) { group in
            var next = 0
            var results: [Int: ([SubmitBatchResult.Entry], [ImportFile.Row], [Transaction?])] = [:]
            func launch(_ index: Int) {
                let rows = batches[index]
                group.addTask {
                    let transactions: [Transaction?] = rows.map { try? Transaction.signed(key: $0.key, value: Array($0.value.utf8), by: identity) }
                    let entries = try await client.submit(batch: transactions.compactMap { $0 })
                    return (index, entries, rows, transactions)
                }
            }
            while next < min(pipeline, batches.count) { launch(next); next += 1 }
            while let (index, entries, rows, transactions) = try await group.next() {
                results[index] = (entries, rows, transactions)
                var ids: [Hash256] = []
                var entryIterator = entries.makeIterator()
                for (row, transaction) in zip(rows, transactions) {
                    guard transaction != nil else {
                        summary.rejected["key is empty or longer than 255 bytes", default: 0] += 1
                        printError("\(file):\(row.line): key is empty or longer than 255 bytes; skipped")
                        continue
                    }
                    guard let entry = entryIterator.next() else { continue }
                    if let error = entry.error {
                        summary.rejected[error.message, default: 0] += 1
                    } else if let txid = entry.txid.flatMap(Hash256.init(hex:)) {
                        ids.append(txid)
                    }
                }
                summary.submitted += ids.count
                accepted.append(ids)
                progress.advance(by: rows.count)
                if next < batches.count { launch(next); next += 1 }
            }
        }
        progress.finish()

        let waiting = Progress(total: summary.submitted, label: "confirmed")
        for ids in accepted where !ids.isEmpty {
            do {
                let (confirmed, failures) = try await client.waitAllFailures(txids: ids, depth: 1, timeout: .seconds(timeout))
                summary.confirmed += confirmed
                for status in failures { summary.rejected[status.reason ?? status.status.rawValue, default: 0] += 1 }
            } catch {
                printError("waiting for confirmations: \(error.description)")
                if error.code == .timeout { break }
            }
            waiting.advance(by: ids.count)
        }
        waiting.finish()
        summary.seconds = Date().timeIntervalSince(started)
        summary.putsPerSecond = Double(summary.confirmed) / max(summary.seconds, 0.001)
        options.emit(summary) {
            var lines = ["rows \(summary.rows), malformed \(summary.malformed.count), submitted \(summary.submitted), confirmed \(summary.confirmed) in \(String(format: "%.1f", summary.seconds)) s (\(Int(summary.putsPerSecond)) puts/s)"]
            for (reason, count) in summary.rejected.sorted(by: { $0.value > $1.value }) { lines.append("rejected \(count): \(reason)") }
            return lines.joined(separator: "\n")
        }
        if summary.confirmed < summary.submitted { throw CLIExit.timedOut }
        if !summary.rejected.isEmpty || !summary.malformed.isEmpty { throw CLIExit.rejected }
    }
}

/// A progress bar on a terminal (count, rate, ETA), or a plain line every few seconds otherwise.
final class Progress {
    private let total: Int
    private let label: String
    private var done = 0
    private let started = Date()
    private var lastPrinted = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func advance(by count: Int) {
        done += count
        let now = Date()
        guard now.timeIntervalSince(lastPrinted) >= (isTerminal ? 0.1 : 5) || done >= total else { return }
        lastPrinted = now
        draw(final: false)
    }

    func finish() { draw(final: true) }

    private func draw(final: Bool) {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let text = "\(label) \(done)/\(total)  \(Int(rate))/s  ETA \(Int(eta.rounded())) s"
        if isTerminal {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(text)\u{1B}[K\(final ? "\n" : "")".utf8))
        } else if !final || done == total {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }
}
