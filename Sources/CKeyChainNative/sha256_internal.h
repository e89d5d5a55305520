#ifndef KC_SHA256_INTERNAL_H
#define KC_SHA256_INTERNAL_H
#include <stdint.h>
#include <stddef.h>

extern const uint32_t kc_sha256_k[64];
extern const uint32_t kc_sha256_iv[8];

/// One compression of `blocks` 64-byte blocks, plain C.
void kc_sha256_compress_portable(uint32_t state[8], const uint8_t *data, size_t blocks);
/// One compression of `blocks` 64-byte blocks with SHA-NI. Only call when the CPU has it.
void kc_sha256_compress_shani(uint32_t state[8], const uint8_t *data, size_t blocks);
/// Compression of one block given as 16 big-endian message words, plain C.
void kc_sha256_compress_words_portable(uint32_t state[8], const uint32_t w[16]);

int kc_pow_search_shani(const void *job, uint64_t start, uint64_t count,
                        uint64_t *found_nonce, uint8_t found_hash[32], uint64_t *hashes_done);
void kc_pow_hash_shani(const void *job, uint64_t nonce, uint8_t out[32]);

static inline uint32_t kc_load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline void kc_store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t kc_bswap32(uint32_t v) { return __builtin_bswap32(v); }
#endif
