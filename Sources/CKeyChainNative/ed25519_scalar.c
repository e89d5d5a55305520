// Scalars modulo the group order L = 2^252 + c (c about 2^124.6): the reduction of the
// 512-bit challenge hash, and the check that a scalar is below L. Variable time: a verifier
// sees only public data.
#include "CKeyChainNative.h"
#include "ed25519_scalar.h"
#include <string.h>

typedef unsigned __int128 u128;

// L as four little-endian 64-bit limbs, and c = L - 2^252 (its low two limbs).
static const uint64_t order[4] = {0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL};

int kc_scalar_is_canonical(const uint8_t s[32]) {
    static const uint8_t order_bytes[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
    for (int i = 31; i >= 0; i--) {
        if (s[i] < order_bytes[i]) return 1;
        if (s[i] > order_bytes[i]) return 0;
    }
    return 0;  // s = L
}

// a < b, over n limbs
static int less(const uint64_t *a, const uint64_t *b, int n) {
    for (int i = n - 1; i >= 0; i--) {
        if (a[i] != b[i]) return a[i] < b[i];
    }
    return 0;
}

// a -= b over n limbs, given a >= b
static void subtract(uint64_t *a, const uint64_t *b, int n) {
    uint64_t borrow = 0;
    for (int i = 0; i < n; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        a[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

// Reduces x (eight limbs, below 2^512) modulo L by folding: with x = a + b 2^252 (a below
// 2^252) and 2^252 = -c (mod L), x = a - b c. Each fold keeps |x| and a sign s with the
// value s |x| (mod L); |x| shrinks from 2^512 to below 2^385, 2^258, then 2^252 < L.
static void reduce(uint64_t result[4], const uint64_t input[8]) {
    uint64_t x[8];
    memcpy(x, input, sizeof x);
    int negative = 0;
    for (;;) {
        uint64_t b[5];  // x >> 252: at most 260 bits
        for (int i = 0; i < 5; i++) {
            uint64_t low = i + 3 < 8 ? x[i + 3] >> 60 : 0;
            uint64_t high = i + 4 < 8 ? x[i + 4] << 4 : 0;
            b[i] = low | high;
        }
        if ((b[0] | b[1] | b[2] | b[3] | b[4]) == 0) break;
        uint64_t a[8] = {x[0], x[1], x[2], x[3] & 0x0fffffffffffffffULL, 0, 0, 0, 0};
        uint64_t product[8] = {0};  // b c: below 2^385
        for (int i = 0; i < 5; i++) {
            uint64_t carry = 0;
            for (int j = 0; j < 2; j++) {
                u128 t = (u128)b[i] * order[j] + product[i + j] + carry;
                product[i + j] = (uint64_t)t;
                carry = (uint64_t)(t >> 64);
            }
            product[i + 2] += carry;  // cannot overflow: the product fits in seven limbs
        }
        if (less(a, product, 8)) {
            subtract(product, a, 8);
            memcpy(x, product, sizeof x);
            negative = !negative;
        } else {
            subtract(a, product, 8);
            memcpy(x, a, sizeof x);
        }
    }
    memcpy(result, x, 4 * sizeof(uint64_t));  // below 2^252, so below L
    int zero = (result[0] | result[1] | result[2] | result[3]) == 0;
    if (negative && !zero) {
        uint64_t l[4];
        memcpy(l, order, sizeof l);
        subtract(l, result, 4);
        memcpy(result, l, sizeof l);
    }
}

void kc_ed25519_scalar_reduce(uint8_t out[32], const uint8_t in[64]) {
    uint64_t x[8], r[4];
    for (int i = 0; i < 8; i++) {
        x[i] = 0;
        for (int j = 7; j >= 0; j--) x[i] = x[i] << 8 | in[8 * i + j];
    }
    reduce(r, x);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(r[i] >> (8 * j));
}
