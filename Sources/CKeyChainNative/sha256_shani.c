// SHA-256 with the x86 SHA extensions, and the proof-of-work loop built on it.
// The PoW loop hashes two nonces at once: sha256rnds2 has a multi-cycle latency, and two
// independent lanes keep the unit busy where one lane would wait on its own result.
#include "sha256_internal.h"
#include "CKeyChainNative.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define KC_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// The 16 round-constant quads K[4i..4i+3].
#define KQ(i) _mm_loadu_si128((const __m128i *)&kc_sha256_k[4 * (i)])

// Four rounds on (s0 = ABEF, s1 = CDGH) with message quad w and constant quad i.
#define ROUNDS4(s0, s1, w, i) do {                              \
        __m128i m_ = _mm_add_epi32((w), KQ(i));                 \
        (s1) = _mm_sha256rnds2_epu32((s1), (s0), m_);           \
        m_ = _mm_shuffle_epi32(m_, 0x0E);                       \
        (s0) = _mm_sha256rnds2_epu32((s0), (s1), m_);           \
    } while (0)

// Message schedule: quad i (i >= 4) from the four quads before it, kept in a ring of four.
#define SCHEDULE(W, i) do {                                                             \
        __m128i t_ = _mm_sha256msg1_epu32((W)[(i) & 3], (W)[((i) + 1) & 3]);             \
        t_ = _mm_add_epi32(t_, _mm_alignr_epi8((W)[((i) + 3) & 3], (W)[((i) + 2) & 3], 4)); \
        (W)[(i) & 3] = _mm_sha256msg2_epu32(t_, (W)[((i) + 3) & 3]);                    \
    } while (0)

KC_SHA_TARGET static inline void to_abef_cdgh(const uint32_t state[8], __m128i *s0, __m128i *s1) {
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i b = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);         // CDAB
    b = _mm_shuffle_epi32(b, 0x1B);             // EFGH
    *s0 = _mm_alignr_epi8(tmp, b, 8);           // ABEF
    *s1 = _mm_blend_epi16(b, tmp, 0xF0);        // CDGH
}

// Back to (A,B,C,D) and (E,F,G,H) in lane order.
KC_SHA_TARGET static inline void from_abef_cdgh(__m128i s0, __m128i s1, __m128i *abcd, __m128i *efgh) {
    __m128i tmp = _mm_shuffle_epi32(s0, 0x1B);  // FEBA
    s1 = _mm_shuffle_epi32(s1, 0xB1);           // DCHG
    *abcd = _mm_blend_epi16(tmp, s1, 0xF0);     // DCBA
    *efgh = _mm_alignr_epi8(s1, tmp, 8);        // ABEF -> HGFE
}

KC_SHA_TARGET static inline void compress_quads(__m128i *s0, __m128i *s1, __m128i W[4]) {
    __m128i a = *s0, c = *s1;
    ROUNDS4(a, c, W[0], 0);
    ROUNDS4(a, c, W[1], 1);
    ROUNDS4(a, c, W[2], 2);
    ROUNDS4(a, c, W[3], 3);
    for (int i = 4; i < 16; i++) {
        SCHEDULE(W, i);
        ROUNDS4(a, c, W[i & 3], i);
    }
    *s0 = _mm_add_epi32(*s0, a);
    *s1 = _mm_add_epi32(*s1, c);
}

// Two independent compressions, interleaved instruction by instruction.
KC_SHA_TARGET static inline void compress_quads_x2(__m128i *s0, __m128i *s1, __m128i W[4],
                                                   __m128i *t0, __m128i *t1, __m128i V[4]) {
    __m128i a = *s0, c = *s1, b = *t0, d = *t1;
    ROUNDS4(a, c, W[0], 0); ROUNDS4(b, d, V[0], 0);
    ROUNDS4(a, c, W[1], 1); ROUNDS4(b, d, V[1], 1);
    ROUNDS4(a, c, W[2], 2); ROUNDS4(b, d, V[2], 2);
    ROUNDS4(a, c, W[3], 3); ROUNDS4(b, d, V[3], 3);
    for (int i = 4; i < 16; i++) {
        SCHEDULE(W, i); SCHEDULE(V, i);
        ROUNDS4(a, c, W[i & 3], i); ROUNDS4(b, d, V[i & 3], i);
    }
    *s0 = _mm_add_epi32(*s0, a); *s1 = _mm_add_epi32(*s1, c);
    *t0 = _mm_add_epi32(*t0, b); *t1 = _mm_add_epi32(*t1, d);
}

KC_SHA_TARGET void kc_sha256_compress_shani(uint32_t state[8], const uint8_t *data, size_t blocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i s0, s1;
    to_abef_cdgh(state, &s0, &s1);
    for (size_t n = 0; n < blocks; n++, data += 64) {
        __m128i W[4];
        for (int i = 0; i < 4; i++)
            W[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), mask);
        compress_quads(&s0, &s1, W);
    }
    __m128i abcd, efgh;
    from_abef_cdgh(s0, s1, &abcd, &efgh);
    _mm_storeu_si128((__m128i *)&state[0], abcd);
    _mm_storeu_si128((__m128i *)&state[4], efgh);
}

// The first hash's second block: the header tail with this nonce's two words.
KC_SHA_TARGET static inline void first_hash_words(const kc_pow_job *job, uint64_t nonce, __m128i W[4]) {
    const uint32_t *t = job->tail;
    W[0] = _mm_set_epi32((int)t[3], (int)t[2], (int)t[1], (int)t[0]);
    W[1] = _mm_set_epi32((int)t[7], (int)t[6], (int)kc_bswap32((uint32_t)(nonce >> 32)),
                         (int)kc_bswap32((uint32_t)nonce));
    W[2] = _mm_set_epi32((int)t[11], (int)t[10], (int)t[9], (int)t[8]);
    W[3] = _mm_set_epi32((int)t[15], (int)t[14], (int)t[13], (int)t[12]);
}

// The second hash's message: the first digest, then the fixed padding of a 32-byte message.
KC_SHA_TARGET static inline void second_hash_words(__m128i s0, __m128i s1, __m128i W[4]) {
    from_abef_cdgh(s0, s1, &W[0], &W[1]);
    W[2] = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
    W[3] = _mm_set_epi32(256, 0, 0, 0);
}

static inline int beats_target(const kc_pow_job *job, uint64_t high, const uint8_t hash[32]) {
    if (high != job->target_high) return high < job->target_high;
    for (int i = 8; i < 32; i++) {
        if (hash[i] != job->target[i]) return hash[i] < job->target[i];
    }
    return 1;
}

KC_SHA_TARGET static inline void digest_bytes(__m128i s0, __m128i s1, uint8_t out[32]) {
    __m128i abcd, efgh;
    from_abef_cdgh(s0, s1, &abcd, &efgh);
    uint32_t words[8];
    _mm_storeu_si128((__m128i *)&words[0], abcd);
    _mm_storeu_si128((__m128i *)&words[4], efgh);
    for (int i = 0; i < 8; i++) kc_store_be32(out + 4 * i, words[i]);
}

KC_SHA_TARGET void kc_pow_hash_shani(const void *vjob, uint64_t nonce, uint8_t out[32]) {
    const kc_pow_job *job = (const kc_pow_job *)vjob;
    __m128i mid0, mid1, iv0, iv1, W[4];
    to_abef_cdgh(job->midstate, &mid0, &mid1);
    to_abef_cdgh(kc_sha256_iv, &iv0, &iv1);
    __m128i s0 = mid0, s1 = mid1;
    first_hash_words(job, nonce, W);
    compress_quads(&s0, &s1, W);
    second_hash_words(s0, s1, W);
    s0 = iv0; s1 = iv1;
    compress_quads(&s0, &s1, W);
    digest_bytes(s0, s1, out);
}

KC_SHA_TARGET int kc_pow_search_shani(const void *vjob, uint64_t start, uint64_t count,
                                      uint64_t *found_nonce, uint8_t found_hash[32], uint64_t *hashes_done) {
    const kc_pow_job *job = (const kc_pow_job *)vjob;
    __m128i mid0, mid1, iv0, iv1;
    to_abef_cdgh(job->midstate, &mid0, &mid1);
    to_abef_cdgh(kc_sha256_iv, &iv0, &iv1);
    uint64_t done = 0;
    while (done < count) {
        uint64_t n = start + done;
        if (count - done >= 2) {
            __m128i W[4], V[4];
            __m128i a0 = mid0, a1 = mid1, b0 = mid0, b1 = mid1;
            first_hash_words(job, n, W);
            first_hash_words(job, n + 1, V);
            compress_quads_x2(&a0, &a1, W, &b0, &b1, V);
            second_hash_words(a0, a1, W);
            second_hash_words(b0, b1, V);
            a0 = iv0; a1 = iv1; b0 = iv0; b1 = iv1;
            compress_quads_x2(&a0, &a1, W, &b0, &b1, V);
            // ABEF: lanes 3 and 2 hold A and B, the first 8 digest bytes.
            uint64_t ha = (uint64_t)_mm_extract_epi64(a0, 1);
            uint64_t hb = (uint64_t)_mm_extract_epi64(b0, 1);
            done += 2;
            if (ha <= job->target_high) {
                uint8_t h[32];
                digest_bytes(a0, a1, h);
                if (beats_target(job, ha, h)) {
                    *found_nonce = n; for (int i = 0; i < 32; i++) found_hash[i] = h[i];
                    *hashes_done = done - 1; return 1;
                }
            }
            if (hb <= job->target_high) {
                uint8_t h[32];
                digest_bytes(b0, b1, h);
                if (beats_target(job, hb, h)) {
                    *found_nonce = n + 1; for (int i = 0; i < 32; i++) found_hash[i] = h[i];
                    *hashes_done = done; return 1;
                }
            }
        } else {
            uint8_t h[32];
            kc_pow_hash_shani(job, n, h);
            done += 1;
            uint64_t high = 0;
            for (int i = 0; i < 8; i++) high = (high << 8) | h[i];
            if (beats_target(job, high, h)) {
                *found_nonce = n; for (int i = 0; i < 32; i++) found_hash[i] = h[i];
                *hashes_done = done; return 1;
            }
        }
    }
    *hashes_done = done;
    return 0;
}

#else  // not x86_64: never called, kc_cpu_has_sha_extensions() is 0.
void kc_sha256_compress_shani(uint32_t state[8], const uint8_t *data, size_t blocks) {
    kc_sha256_compress_portable(state, data, blocks);
}
void kc_pow_hash_shani(const void *job, uint64_t nonce, uint8_t out[32]) {
    (void)job; (void)nonce; for (int i = 0; i < 32; i++) out[i] = 0;
}
int kc_pow_search_shani(const void *job, uint64_t start, uint64_t count,
                        uint64_t *found_nonce, uint8_t found_hash[32], uint64_t *hashes_done) {
    (void)job; (void)start; (void)count; (void)found_nonce; (void)found_hash;
    *hashes_done = 0; return 0;
}
#endif
