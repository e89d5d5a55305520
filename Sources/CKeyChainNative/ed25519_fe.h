// Arithmetic modulo p = 2^255 - 19 in five 51-bit limbs, for the Ed25519 verifier.
// Multiplication, squaring and subtraction leave each limb below 2^51 + 2^13 ("carried");
// addition does not carry, and its limbs stay below 2^53 where the verifier uses it (a sum of
// carried values, or of one such sum and a carried value). Multiplication takes limbs up to
// 2^54 (its 128-bit sums stay below 2^115); subtraction takes any f up to 2^54 and a g below
// 2^53 (4p's limbs are above that).
// Variable time: verification handles only public data.
#ifndef KC_ED25519_FE_H
#define KC_ED25519_FE_H

#include <stdint.h>
#include <string.h>

typedef struct { uint64_t v[5]; } fe;

#define FE_MASK ((uint64_t)0x7ffffffffffff)

static inline void fe_carry(fe *h) {
    uint64_t c;
    c = h->v[0] >> 51; h->v[0] &= FE_MASK; h->v[1] += c;
    c = h->v[1] >> 51; h->v[1] &= FE_MASK; h->v[2] += c;
    c = h->v[2] >> 51; h->v[2] &= FE_MASK; h->v[3] += c;
    c = h->v[3] >> 51; h->v[3] &= FE_MASK; h->v[4] += c;
    c = h->v[4] >> 51; h->v[4] &= FE_MASK; h->v[0] += 19 * c;
}

static inline void fe_zero(fe *h) { memset(h, 0, sizeof *h); }
static inline void fe_one(fe *h) { fe_zero(h); h->v[0] = 1; }

// Not carried (see the bounds above).
static inline void fe_add(fe *h, const fe *f, const fe *g) {
    for (int i = 0; i < 5; i++) h->v[i] = f->v[i] + g->v[i];
}

// f + 4p - g: no limb underflows while g's limbs are below 2^53 - 76.
static inline void fe_sub(fe *h, const fe *f, const fe *g) {
    h->v[0] = f->v[0] + 0x1fffffffffffb4 - g->v[0];
    for (int i = 1; i < 5; i++) h->v[i] = f->v[i] + 0x1ffffffffffffc - g->v[i];
    fe_carry(h);
}

static inline void fe_neg(fe *h, const fe *f) {
    fe zero;
    fe_zero(&zero);
    fe_sub(h, &zero, f);
}

static inline void fe_mul(fe *h, const fe *f, const fe *g) {
    typedef unsigned __int128 u128;
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
    u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
    u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
    u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
    u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
    r1 += (uint64_t)(r0 >> 51); uint64_t h0 = (uint64_t)r0 & FE_MASK;
    r2 += (uint64_t)(r1 >> 51); uint64_t h1 = (uint64_t)r1 & FE_MASK;
    r3 += (uint64_t)(r2 >> 51); uint64_t h2 = (uint64_t)r2 & FE_MASK;
    r4 += (uint64_t)(r3 >> 51); uint64_t h3 = (uint64_t)r3 & FE_MASK;
    uint64_t c = (uint64_t)(r4 >> 51); uint64_t h4 = (uint64_t)r4 & FE_MASK;
    h0 += 19 * c;
    h1 += h0 >> 51; h0 &= FE_MASK;
    h->v[0] = h0; h->v[1] = h1; h->v[2] = h2; h->v[3] = h3; h->v[4] = h4;
}

static inline void fe_sq(fe *h, const fe *f) {
    typedef unsigned __int128 u128;
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3, f3_19 = 19 * f3, f4_19 = 19 * f4;
    u128 r0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
    u128 r1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
    u128 r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
    u128 r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
    u128 r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
    r1 += (uint64_t)(r0 >> 51); uint64_t h0 = (uint64_t)r0 & FE_MASK;
    r2 += (uint64_t)(r1 >> 51); uint64_t h1 = (uint64_t)r1 & FE_MASK;
    r3 += (uint64_t)(r2 >> 51); uint64_t h2 = (uint64_t)r2 & FE_MASK;
    r4 += (uint64_t)(r3 >> 51); uint64_t h3 = (uint64_t)r3 & FE_MASK;
    uint64_t c = (uint64_t)(r4 >> 51); uint64_t h4 = (uint64_t)r4 & FE_MASK;
    h0 += 19 * c;
    h1 += h0 >> 51; h0 &= FE_MASK;
    h->v[0] = h0; h->v[1] = h1; h->v[2] = h2; h->v[3] = h3; h->v[4] = h4;
}

// f^(2^n)
static inline void fe_sq_times(fe *h, const fe *f, int n) {
    fe_sq(h, f);
    for (int i = 1; i < n; i++) fe_sq(h, h);
}

// 32 little-endian bytes; bit 255 is ignored (it carries the sign of x in a point encoding).
static inline void fe_frombytes(fe *h, const uint8_t s[32]) {
    uint64_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = 0;
        for (int j = 7; j >= 0; j--) w[i] = w[i] << 8 | s[8 * i + j];
    }
    h->v[0] = w[0] & FE_MASK;
    h->v[1] = (w[0] >> 51 | w[1] << 13) & FE_MASK;
    h->v[2] = (w[1] >> 38 | w[2] << 26) & FE_MASK;
    h->v[3] = (w[2] >> 25 | w[3] << 39) & FE_MASK;
    h->v[4] = (w[3] >> 12) & FE_MASK;
}

// The unique representative below p, as 32 little-endian bytes.
static inline void fe_tobytes(uint8_t s[32], const fe *f) {
    fe h = *f;
    fe_carry(&h);
    fe_carry(&h);
    // Now every limb is below 2^51, except limb 0 possibly by less than 19: settle it.
    while (h.v[0] > FE_MASK) fe_carry(&h);
    // p = (2^51 - 19, 2^51 - 1, 2^51 - 1, 2^51 - 1, 2^51 - 1); the value is below 2^255 < 2p.
    if (h.v[4] == FE_MASK && h.v[3] == FE_MASK && h.v[2] == FE_MASK && h.v[1] == FE_MASK && h.v[0] >= FE_MASK - 18) {
        h.v[0] -= FE_MASK - 18;
        h.v[1] = h.v[2] = h.v[3] = h.v[4] = 0;
    }
    uint64_t w[4];
    w[0] = h.v[0] | h.v[1] << 51;
    w[1] = h.v[1] >> 13 | h.v[2] << 38;
    w[2] = h.v[2] >> 26 | h.v[3] << 25;
    w[3] = h.v[3] >> 39 | h.v[4] << 12;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) s[8 * i + j] = (uint8_t)(w[i] >> (8 * j));
}

static inline int fe_isnegative(const fe *f) {
    uint8_t s[32];
    fe_tobytes(s, f);
    return s[0] & 1;
}

static inline int fe_iszero(const fe *f) {
    uint8_t s[32];
    fe_tobytes(s, f);
    uint8_t any = 0;
    for (int i = 0; i < 32; i++) any |= s[i];
    return any == 0;
}

// z^(2^250 - 1), and z^11 in `z11`: the chain both powers below share.
static inline void fe_pow2_250_1(fe *out, fe *z11, const fe *z) {
    fe t0, t1, t2, t3;
    fe_sq(&t0, z);                 // 2
    fe_sq_times(&t1, &t0, 2);      // 8
    fe_mul(&t1, z, &t1);           // 9
    fe_mul(z11, &t0, &t1);         // 11
    fe_sq(&t2, z11);               // 22
    fe_mul(&t1, &t1, &t2);         // 2^5 - 1
    fe_sq_times(&t2, &t1, 5);
    fe_mul(&t1, &t2, &t1);         // 2^10 - 1
    fe_sq_times(&t2, &t1, 10);
    fe_mul(&t2, &t2, &t1);         // 2^20 - 1
    fe_sq_times(&t3, &t2, 20);
    fe_mul(&t2, &t3, &t2);         // 2^40 - 1
    fe_sq_times(&t2, &t2, 10);
    fe_mul(&t1, &t2, &t1);         // 2^50 - 1
    fe_sq_times(&t2, &t1, 50);
    fe_mul(&t2, &t2, &t1);         // 2^100 - 1
    fe_sq_times(&t3, &t2, 100);
    fe_mul(&t2, &t3, &t2);         // 2^200 - 1
    fe_sq_times(&t2, &t2, 50);
    fe_mul(out, &t2, &t1);         // 2^250 - 1
}

// z^(p-2) = z^(2^255 - 21) = 1/z
static inline void fe_invert(fe *out, const fe *z) {
    fe t, z11;
    fe_pow2_250_1(&t, &z11, z);
    fe_sq_times(&t, &t, 5);        // 2^255 - 2^5
    fe_mul(out, &t, &z11);         // 2^255 - 21
}

// z^((p-5)/8) = z^(2^252 - 3), for square roots
static inline void fe_pow22523(fe *out, const fe *z) {
    fe t, z11;
    fe_pow2_250_1(&t, &z11, z);
    fe_sq_times(&t, &t, 2);        // 2^252 - 4
    fe_mul(out, &t, z);            // 2^252 - 3
}

#endif
