// KeyChainTracker: the tracker of one network (docs/ARCHITECTURE.md §7, PROTOCOL.md §10), and the client
// a node talks to it with.
//
// - `PeerTable`: the live peers: added or refreshed by an announcement, removed by a `stopped`
//   one or 1.5 announce intervals after the last, bounded in size; answers a random sample.
//   Pure logic on a given clock.
// - `PeerTable+Address`: which host a peer is recorded under: the address it advertises, else
//   the one its announcement came from; never an unspecified address, and a loopback one only
//   when the announcement really came from this machine.
// - `Announcement`, `AnnounceReply`, `NetworkDescription`: the API's JSON documents, checked
//   as they are decoded (a description's parameters must hash to its genesis).
// - `TrackerState`: the state directory: the network created on first start, refused if a
//   later start's flags contradict it.
// - `TrackerServer` and `TrackerHTTPHandler`: the HTTP/1 API on SwiftNIO, bounded in body
//   size and in the time a request may take; `TrackerMetrics`.
// - `TrackerClient`: `GET /network`, `POST /announce`, `GET /peers` from a node, bounded in
//   time and answer size, each failure a `TrackerClientError` naming the tracker.
