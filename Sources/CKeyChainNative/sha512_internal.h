#ifndef KC_SHA512_INTERNAL_H
#define KC_SHA512_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

/// A SHA-512 computation in progress (FIPS 180-4 §6.4): what the Ed25519 challenge hashes,
/// kept in this tree so that no system library decides a signature.
typedef struct {
    uint64_t state[8];
    uint8_t buffer[128];
    size_t buffered;   // bytes waiting in `buffer`, below 128
    uint64_t length;   // bytes hashed so far (messages here are far below 2^61 bytes)
} kc_sha512_context;

void kc_sha512_init(kc_sha512_context *context);
void kc_sha512_update(kc_sha512_context *context, const uint8_t *data, size_t len);
void kc_sha512_final(kc_sha512_context *context, uint8_t out[64]);
#endif
