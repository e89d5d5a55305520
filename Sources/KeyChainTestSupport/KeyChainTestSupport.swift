// KeyChainTestSupport: helpers for tests and benchmarks: temporary directories, low-difficulty
// networks, identities, blocks mined on the spot, and `Libsodium`, the oracle the project's
// own Ed25519 verifier is held to.
