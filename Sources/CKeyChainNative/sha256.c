// SHA-256 front end: CPU dispatch, padding, SHA-256d, and the portable PoW loop.
#include "CKeyChainNative.h"
#include "sha256_internal.h"
#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

static int detect_sha_extensions(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
#else
    return 0;
#endif
}

static int has_sha_extensions;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static void detect(void) { has_sha_extensions = detect_sha_extensions(); }

int kc_cpu_has_sha_extensions(void) {
    pthread_once(&detect_once, detect);
    return has_sha_extensions;
}

// The proof-of-work loop may be asked for SHA-NI on a CPU without it (a miner's setting) and
// runs the portable code there; the hash functions below refuse instead (see the header).
static kc_sha_impl resolve(kc_sha_impl impl) {
    if (impl == KC_SHA_AUTO) return kc_cpu_has_sha_extensions() ? KC_SHA_HARDWARE : KC_SHA_PORTABLE;
    if (impl == KC_SHA_HARDWARE && !kc_cpu_has_sha_extensions()) return KC_SHA_PORTABLE;
    return impl;
}

static void compress(kc_sha_impl impl, uint32_t state[8], const uint8_t *data, size_t blocks) {
    if (impl == KC_SHA_HARDWARE) kc_sha256_compress_shani(state, data, blocks);
    else kc_sha256_compress_portable(state, data, blocks);
}

static void sha256_with(kc_sha_impl impl, const uint8_t *data, size_t len, uint8_t out[32]) {
    uint32_t state[8];
    memcpy(state, kc_sha256_iv, sizeof state);
    size_t full = len / 64;
    if (full) compress(impl, state, data, full);
    uint8_t last[128];
    size_t rest = len - full * 64;
    memset(last, 0, sizeof last);
    if (rest) memcpy(last, data + full * 64, rest);
    last[rest] = 0x80;
    size_t tail_blocks = rest + 9 <= 64 ? 1 : 2;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) last[tail_blocks * 64 - 1 - i] = (uint8_t)(bits >> (8 * i));
    compress(impl, state, last, tail_blocks);
    for (int i = 0; i < 8; i++) kc_store_be32(out + 4 * i, state[i]);
}

void kc_sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    sha256_with(resolve(KC_SHA_AUTO), data, len, out);
}

int kc_sha256_with(kc_sha_impl impl, const uint8_t *data, size_t len, uint8_t out[32]) {
    if (impl == KC_SHA_HARDWARE && !kc_cpu_has_sha_extensions()) return -1;
    sha256_with(resolve(impl), data, len, out);
    return 0;
}

int kc_sha256d_with(kc_sha_impl impl, const uint8_t *data, size_t len, uint8_t out[32]) {
    if (impl == KC_SHA_HARDWARE && !kc_cpu_has_sha_extensions()) return -1;
    kc_sha_impl r = resolve(impl);
    uint8_t first[32];
    sha256_with(r, data, len, first);
    sha256_with(r, first, 32, out);
    return 0;
}

void kc_sha256d(const uint8_t *data, size_t len, uint8_t out[32]) {
    kc_sha256d_with(KC_SHA_AUTO, data, len, out);
}

void kc_pow_job_init(kc_pow_job *job, const uint8_t header[88], const uint8_t target[32]) {
    memcpy(job->midstate, kc_sha256_iv, sizeof job->midstate);
    kc_sha256_compress_portable(job->midstate, header, 1);
    uint8_t block[64];
    memset(block, 0, sizeof block);
    memcpy(block, header + 64, 24);
    memset(block + 16, 0, 8);              // the nonce words are filled per attempt
    block[24] = 0x80;
    uint64_t bits = 88 * 8;
    for (int i = 0; i < 8; i++) block[63 - i] = (uint8_t)(bits >> (8 * i));
    for (int i = 0; i < 16; i++) job->tail[i] = kc_load_be32(block + 4 * i);
    memcpy(job->target, target, 32);
    uint64_t high = 0;
    for (int i = 0; i < 8; i++) high = (high << 8) | target[i];
    job->target_high = high;
}

static void pow_hash_portable(const kc_pow_job *job, uint64_t nonce, uint8_t out[32]) {
    uint32_t w[16], state[8];
    memcpy(w, job->tail, sizeof w);
    w[4] = kc_bswap32((uint32_t)nonce);
    w[5] = kc_bswap32((uint32_t)(nonce >> 32));
    memcpy(state, job->midstate, sizeof state);
    kc_sha256_compress_words_portable(state, w);
    for (int i = 0; i < 8; i++) w[i] = state[i];
    w[8] = 0x80000000u;
    for (int i = 9; i < 15; i++) w[i] = 0;
    w[15] = 256;
    memcpy(state, kc_sha256_iv, sizeof state);
    kc_sha256_compress_words_portable(state, w);
    for (int i = 0; i < 8; i++) kc_store_be32(out + 4 * i, state[i]);
}

void kc_pow_hash(kc_sha_impl impl, const kc_pow_job *job, uint64_t nonce, uint8_t out[32]) {
    if (resolve(impl) == KC_SHA_HARDWARE) kc_pow_hash_shani(job, nonce, out);
    else pow_hash_portable(job, nonce, out);
}

static int hash_beats_target(const uint8_t hash[32], const uint8_t target[32]) {
    for (int i = 0; i < 32; i++) {
        if (hash[i] != target[i]) return hash[i] < target[i];
    }
    return 1;
}

int kc_pow_search(kc_sha_impl impl, const kc_pow_job *job, uint64_t start, uint64_t count,
                  uint64_t *found_nonce, uint8_t found_hash[32], uint64_t *hashes_done) {
    if (resolve(impl) == KC_SHA_HARDWARE)
        return kc_pow_search_shani(job, start, count, found_nonce, found_hash, hashes_done);
    for (uint64_t i = 0; i < count; i++) {
        uint8_t h[32];
        pow_hash_portable(job, start + i, h);
        if (hash_beats_target(h, job->target)) {
            *found_nonce = start + i;
            memcpy(found_hash, h, 32);
            *hashes_done = i + 1;
            return 1;
        }
    }
    *hashes_done = count;
    return 0;
}
