#ifndef COPENSSL_BASELINE_H
#define COPENSSL_BASELINE_H
#include <stdint.h>

/// The reference proof-of-work loop: a midstate of the first 64 header bytes, then per nonce
/// OpenSSL's SHA256_Transform on the last block and once more on the 32-byte digest.
/// Returns a value derived from every hash so the loop cannot be optimised away.
uint32_t kc_baseline_openssl_pow(const uint8_t header[88], uint64_t start, uint64_t count);

#endif
