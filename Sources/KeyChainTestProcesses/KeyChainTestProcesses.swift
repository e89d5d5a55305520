// KeyChainTestProcesses: what the tests that run the real executables share. Every process
// is started through `Spawner` and `launch` (so a killed test run takes its children with it),
// stopped by its PID, and waited on with a deadline (`eventually`), never a sleep.
//
// - `NodeProcess`, `TrackerProcess`, `runCLI`: `keychain-node`, `keychain-tracker` and
//   `keychain-cli` as children (`Binaries` finds them beside the test bundle);
//   `NetworkNodeOptions` makes a capped mining node of a test network.
// - `RawConnection` (the Unix socket) and `TCPConnection` (127.0.0.1): bytes as a misbehaving
//   client or peer would send them, every read bounded.
// - `TCPProxy`: the one link between two nodes, which a test cuts and restores.
// - `freePort`/`freePorts`: ports below the ephemeral range, handed out in turn.
// - `runTool`: `ip`, `mount` and the like, to completion.
