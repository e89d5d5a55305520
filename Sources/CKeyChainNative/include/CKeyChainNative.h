#ifndef CKEYCHAIN_NATIVE_H
#define CKEYCHAIN_NATIVE_H

/// Native primitives for KeyChain: SHA-256 (SHA-NI when the CPU has it, portable C otherwise),
/// the proof-of-work nonce loop over a precomputed midstate, CRC-32C, and Ed25519 verification
/// with the SHA-512 and scalar arithmetic it needs: everything consensus decides is computed
/// here, so no system library's version changes a node's answer.
/// Everything here is pure computation with no I/O, thread-safe; only a key's verification
/// tables allocate.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which SHA-256 compression function to use.
typedef enum {
    KC_SHA_AUTO = 0,     ///< SHA-NI when the CPU has it, portable otherwise.
    KC_SHA_PORTABLE = 1, ///< Plain C, any CPU.
    KC_SHA_HARDWARE = 2  ///< x86 SHA extensions; only valid when kc_cpu_has_sha_extensions() is 1.
} kc_sha_impl;

/// 1 when this CPU has the x86 SHA extensions (and SSE4.1), else 0.
int kc_cpu_has_sha_extensions(void);

/// 1 when this CPU has the SSE4.2 CRC-32C instruction, else 0.
int kc_cpu_has_crc32c(void);

/// SHA-256 of `len` bytes.
void kc_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/// SHA-256(SHA-256(data)).
void kc_sha256d(const uint8_t *data, size_t len, uint8_t out[32]);

/// SHA-256 of `len` bytes with a chosen compression function (for tests). Returns 0, or -1
/// (writing nothing) when KC_SHA_HARDWARE is asked for on a CPU without SHA extensions.
int kc_sha256_with(kc_sha_impl impl, const uint8_t *data, size_t len, uint8_t out[32]);

/// SHA-256(SHA-256(data)) with a chosen compression function (for tests); returns as
/// kc_sha256_with.
int kc_sha256d_with(kc_sha_impl impl, const uint8_t *data, size_t len, uint8_t out[32]);

/// SHA-512 of `len` bytes (FIPS 180-4), portable C.
void kc_sha512(const uint8_t *data, size_t len, uint8_t out[64]);

/// A proof-of-work job: an 88-byte block header whose first 64 bytes are folded into a midstate.
typedef struct {
    uint32_t midstate[8];   ///< SHA-256 state after the first 64 header bytes.
    uint32_t tail[16];      ///< Second message block as big-endian words, nonce words zero.
    uint64_t target_high;   ///< The first 8 bytes of the target, big-endian.
    uint8_t target[32];     ///< The full target, big-endian (a hash wins if hash <= target).
} kc_pow_job;

/// Prepares a job from an 88-byte header (nonce in bytes 80..87, little-endian) and a target.
void kc_pow_job_init(kc_pow_job *job, const uint8_t header[88], const uint8_t target[32]);

/// Tries nonces start, start+1, ... start+count-1 (KC_SHA_HARDWARE on a CPU without SHA
/// extensions runs the portable loop). Returns 1 and sets *found_nonce and found_hash
/// when a hash <= target is found, else 0. *hashes_done is the number of nonces tried.
int kc_pow_search(kc_sha_impl impl, const kc_pow_job *job, uint64_t start, uint64_t count,
                  uint64_t *found_nonce, uint8_t found_hash[32], uint64_t *hashes_done);

/// SHA-256d of the job's header with the given nonce (for tests and checks).
void kc_pow_hash(kc_sha_impl impl, const kc_pow_job *job, uint64_t nonce, uint8_t out[32]);

/// CRC-32C (Castagnoli) of `len` bytes, continuing from `crc` (0 to start).
uint32_t kc_crc32c(uint32_t crc, const void *data, size_t len);

/// CRC-32C with the portable table code (for tests).
uint32_t kc_crc32c_portable(uint32_t crc, const void *data, size_t len);

/// Ed25519 verification by KeyChain's rule (docs/PROTOCOL.md §2), the same answer on every
/// path below: S < L; A canonical, on the curve and not one of the 14 small-order encodings;
/// R not one of them either; h = SHA-512(R | A | M) mod L; and the canonical encoding of
/// [S]B - [h]A equal to R byte for byte. libsodium 1.0.18's crypto_sign_verify_detached
/// applies the same rule; the tests hold every path to it.

/// 1 when `signature` (R | S) is `public_key`'s signature of the `len` bytes of `message`,
/// else 0: no tables, any key.
int kc_ed25519_verify(const uint8_t signature[64], const uint8_t *message, size_t len, const uint8_t public_key[32]);

/// h = SHA-512(R | A | message) mod L, 32 bytes little-endian: the scalar the key is
/// multiplied by, for kc_ed25519_verify_prehashed and kc_ed25519_verify_batch.
void kc_ed25519_challenge(uint8_t h[32], const uint8_t r[32], const uint8_t public_key[32], const uint8_t *message,
                          size_t len);

/// The 64 little-endian bytes of `in` reduced modulo L, into 32 bytes.
void kc_ed25519_scalar_reduce(uint8_t out[32], const uint8_t in[64]);

/// Precomputed tables of a key's multiples, for a key that signs many transactions.
typedef struct kc_ed25519_key kc_ed25519_key;

/// Tables for `public_key` in `*out`: returns 1. Narrow tables (`wide` 0) take about 30 KB and
/// make a verification about a quarter of an untabled one; wide ones about 480 KB, and a third
/// fewer point additions again, for the few keys that sign most. Returns 0 (and NULL) when the
/// rule refuses the key itself (not canonical, small order, not on the curve): every signature
/// by it is invalid. Returns -1 (and NULL) when memory is short: verify without tables.
/// Thread-safe; free with kc_ed25519_key_free.
int kc_ed25519_key_create(const uint8_t public_key[32], int wide, kc_ed25519_key **out);

void kc_ed25519_key_free(kc_ed25519_key *key);

/// 1 when `signature` (R | S) is valid for the key behind `key`, given its challenge h
/// (kc_ed25519_challenge); else 0. An h that is not below L is refused. Read-only on the key:
/// safe from many threads.
int kc_ed25519_verify_prehashed(const kc_ed25519_key *key, const uint8_t signature[64], const uint8_t h[32]);

/// `count` verifications at once, each with the answer it gets alone: signature i is bytes
/// 64i..64i+63 of `signatures`, its challenge h bytes 32i..32i+31 of `hs` (refused unless
/// below L). Its key is `keys[i]`'s tables when `keys` and `keys[i]` are not NULL (they must
/// be the tables of that signature's key), else the 32 bytes at 32i of `public_keys` (an
/// entry with neither is refused). `results[i]` gets 1 or 0. Sharing the inversion that
/// encodes the points makes each tabled check about a fifth cheaper.
void kc_ed25519_verify_batch(const kc_ed25519_key *const keys[], const uint8_t *public_keys, const uint8_t *signatures,
                             const uint8_t *hs, size_t count, uint8_t results[]);

#ifdef __cplusplus
}
#endif

#endif
