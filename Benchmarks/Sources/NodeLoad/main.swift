// Load generator for the node's client API: N connections, each sending `get` requests one at
// a time (no pipelining, like redis-benchmark's default) over its own Unix socket connection,
// reading each reply line. Prints ops/s and latency percentiles as JSON. With `--history KEY`,
// each request is instead `history` of that one key (a reply can be many kilobytes).
//
//   NodeLoad --socket PATH --connections 50 --requests 200000 --keys 100000 --key-bytes 32
//   NodeLoad --socket PATH --requests 200 --history hist/one-key
import Foundation

struct Options {
    var socket = "data/node/keychain.sock"
    var connections = 1
    var requests = 100_000
    var keys = 100_000
    var keyBytes = 32
    var history: String?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--socket": socket = value
            case "--connections": connections = Int(value) ?? connections
            case "--requests": requests = Int(value) ?? requests
            case "--keys": keys = Int(value) ?? keys
            case "--key-bytes": keyBytes = Int(value) ?? keyBytes
            case "--history": history = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

let options = Options(CommandLine.arguments)

func connectSocket(_ path: String) -> Int32 {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    if result != 0 { FileHandle.standardError.write(Data("cannot connect to \(path)\n".utf8)); exit(1) }
    return descriptor
}

final class Worker: @unchecked Sendable {
    let descriptor: Int32
    let count: Int
    let seed: Int
    var latencies: [UInt64] = []
    var errors = 0

    init(count: Int, seed: Int) {
        descriptor = connectSocket(options.socket)
        self.count = count
        self.seed = seed
        latencies.reserveCapacity(count)
    }

    /// Request lines built before the clock starts, as redis-benchmark builds its commands:
    /// the generator must measure the server, not its own string handling.
    static let lines: [[UInt8]] = {
        if let key = options.history {
            return [Array(#"{"jsonrpc":"2.0","id":1,"method":"history","params":{"key":"\#(key)"}}"#.utf8) + [10]]
        }
        var generator = SystemRandomNumberGenerator()
        return (0..<4096).map { request in
            let index = Int.random(in: 0..<options.keys, using: &generator)
            let digits = String(index)
            let key = ("load/" + String(repeating: "0", count: max(0, options.keyBytes - 5 - digits.count)) + digits).prefix(options.keyBytes)
            return Array(#"{"jsonrpc":"2.0","id":\#(request),"method":"get","params":{"key":"\#(key)"}}"#.utf8) + [10]
        }
    }()
    static let resultMarker = Array(#""result""#.utf8)

    func run() {
        var buffer = [UInt8](repeating: 0, count: 1 << 22)
        let lines = Self.lines
        for request in 0..<count {
            let line = lines[(request &+ seed &* 977) % lines.count]
            let start = DispatchTime.now().uptimeNanoseconds
            _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            var received = 0
            var done = false
            while !done {
                let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + received, $0.count - received) }
                if n <= 0 { errors += 1; return }
                for position in received..<(received + n) where buffer[position] == 10 { done = true }
                received += n
                if received == buffer.count { received = 0 }
            }
            latencies.append(DispatchTime.now().uptimeNanoseconds - start)
            // A success reply names "result" in its first bytes; anything else is an error.
            let head = buffer[0..<min(received, 64)]
            if !head.indices.contains(where: { head[$0...].starts(with: Self.resultMarker) }) { errors += 1 }
        }
    }
}

_ = Worker.lines
let perWorker = options.requests / options.connections
let workers = (0..<options.connections).map { Worker(count: perWorker, seed: $0) }
let group = DispatchGroup()
let started = DispatchTime.now().uptimeNanoseconds
for worker in workers {
    group.enter()
    let thread = Thread { worker.run(); group.leave() }
    thread.stackSize = 1 << 20
    thread.start()
}
group.wait()
let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
let all = workers.flatMap(\.latencies).sorted()
func percentile(_ p: Double) -> Double { all.isEmpty ? 0 : Double(all[min(all.count - 1, Int(Double(all.count) * p))]) / 1000 }
let report: [String: Any] = [
    "connections": options.connections, "requests": all.count, "errors": workers.reduce(0) { $0 + $1.errors },
    "seconds": elapsed, "opsPerSecond": Double(all.count) / elapsed,
    "p50us": percentile(0.50), "p99us": percentile(0.99),
]
let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
