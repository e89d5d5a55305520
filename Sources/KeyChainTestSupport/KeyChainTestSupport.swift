// KeyChainTestSupport: helpers for tests and benchmarks: temporary directories, low-difficulty
// networks, identities, and blocks mined on the spot.
