import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A node's side of the tracker's API: one HTTP/1 request a connection, bounded in time and in
/// the size of the answer, every failure a `TrackerClientError` that says which tracker and why.
public struct TrackerClient: Sendable {
    /// The tracker, as `HOST:PORT`.
    public let address: String
    private let host: String
    private let port: Int
    /// The longest a request may take, connection included.
    public var timeout: TimeAmount = .seconds(5)
    /// The largest answer read (a thousand peers is about 100 KB).
    public static let maxResponseBytes = 1 << 20

    /// A client of the tracker at `host:port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
        address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `GET /network`: the network the tracker serves, checked.
    public func network() async throws(TrackerClientError) -> NetworkDescription {
        try await request(.GET, "/network", body: nil)
    }

    /// `POST /announce`.
    public func announce(_ announcement: Announcement) async throws(TrackerClientError) -> AnnounceReply {
        let body: Data
        do { body = try JSONEncoder().encode(announcement) } catch { throw .unreadable(address, "\(error)") }
        return try await request(.POST, "/announce", body: Array(body))
    }

    /// `GET /peers?n=`.
    public func peers(_ count: Int) async throws(TrackerClientError) -> AnnounceReply {
        try await request(.GET, "/peers?n=\(count)", body: nil)
    }

    private func request<Answer: Decodable>(_ method: HTTPMethod, _ uri: String, body: [UInt8]?) async throws(TrackerClientError) -> Answer {
        let (status, bytes): (UInt, [UInt8])
        do {
            (status, bytes) = try await exchange(method, uri, body: body)
        } catch let error as TrackerClientError {
            throw error
        } catch let error as NIOConnectionError {
            throw .unreachable(address, error.connectionErrors.first.map { "\($0.error)" } ?? "cannot connect")
        } catch {
            throw .unreachable(address, "\(error)")
        }
        guard status == 200 else {
            let reason = (try? JSONDecoder().decode([String: String].self, from: Data(bytes)))?["error"]
                ?? String(decoding: bytes.prefix(200), as: UTF8.self)
            throw .refused(address, status: status, reason: reason)
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes))
        } catch {
            throw .unreadable(address, "the answer to \(method) \(uri) is not what the tracker API says: \(error)")
        }
    }

    private func exchange(_ method: HTTPMethod, _ uri: String, body: [UInt8]?) async throws -> (UInt, [UInt8]) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHTTPClientHandlers() }
            }
            .connect(host: host, port: port).get()
        let promise = channel.eventLoop.makePromise(of: (UInt, [UInt8]).self)
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, limit: Self.maxResponseBytes))
            }.get()
        } catch {
            promise.fail(error)
            throw error
        }
        let timeout = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(TrackerClientError.unreachable(address, "no answer within \(self.timeout.nanoseconds / 1_000_000_000) s"))
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: address)
        headers.add(name: "Connection", value: "close")
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
        }
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer { channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }
}

/// Gathers one response, or fails the promise if the connection ends first or the answer is
/// too large.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromise<(UInt, [UInt8])>
    private let limit: Int
    private var status: UInt = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<(UInt, [UInt8])>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head): status = head.status.code
        case var .body(chunk):
            guard body.count + chunk.readableBytes <= limit else {
                promise.fail(TrackerClientError.unreadable("", "the answer is over \(limit) bytes"))
                return context.close(promise: nil)
            }
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end: promise.succeed((status, body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(TrackerClientError.unreachable("", "the connection closed before the answer was complete"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

/// Why a tracker request failed.
public enum TrackerClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No connection, no answer in time, or the connection ended early.
    case unreachable(String, String)
    /// The tracker answered with an error status.
    case refused(String, status: UInt, reason: String)
    /// The answer is not the tracker API's.
    case unreadable(String, String)

    public var description: String {
        switch self {
        case let .unreachable(address, reason): "tracker \(address) is unreachable: \(reason)"
        case let .refused(address, status, reason): "tracker \(address) answered \(status): \(reason)"
        case let .unreadable(address, reason): "tracker \(address) answered garbage: \(reason)"
        }
    }
}
