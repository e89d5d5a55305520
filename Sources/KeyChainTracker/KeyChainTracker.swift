// KeyChainTracker: the tracker's membership logic, kept free of sockets so it can be tested
// on a hand-moved clock (DESIGN.md §7).
//
// - `Announcement`: what a node says of itself when it announces.
// - `PeerTable`: the live peers: added or refreshed by an announcement, removed by a `stopped`
//   one or 1.5 announce intervals after the last, bounded in size; answers a random sample.
// - `PeerTable+Address`: which host a peer is recorded under: the address it advertises, else
//   the one its announcement came from; never an unspecified address, and a loopback one only
//   when the announcement really came from this machine.
//
// The HTTP server and `keychain-tracker` (issue 9) are built on these.
