// Ed25519 verification by the project's one rule (docs/PROTOCOL.md §2): S below L; A
// canonical, on the curve and not of small order; R not of small order (both by encoding,
// sign bit ignored); h = SHA-512(R | A | M) mod L; and the canonical encoding of [S]B - [h]A
// equal to R byte for byte (cofactorless). Every signature a node checks is decided here,
// by one of two ways of computing the same point: a key seen often has tables of its
// multiples (radix 16, or radix 256 for the few keys that sign most), so its check costs a
// quarter of a full one or less; any other key gets a width-5 NAF over eight odd multiples
// built on the spot. [S]B always comes from the base point's radix-256 table. A batch shares
// only the inversion that encodes the points; each signature is compared with its own R, so
// no combined equation can accept what the single check refuses. Tests hold every path to
// the pinned vector suites and to libsodium 1.0.18, whose rule this is.
#include "ed25519_fe.h"
#include "include/CKeyChainNative.h"
#include "ed25519_scalar.h"
#include "sha512_internal.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct { fe X, Y, Z, T; } ge_p3;     // x = X/Z, y = Y/Z, xy = T/Z
typedef struct { fe X, Y, Z, T; } ge_p1p1;   // x = X/Z, y = Y/T
typedef struct { fe X, Y, Z; } ge_p2;
typedef struct { fe YplusX, YminusX, Z, T2d; } ge_cached;
typedef struct { fe ypx, ymx, xy2d; } ge_precomp;  // affine: y + x, y - x, 2dxy

struct kc_ed25519_key {
    int width;                 // 8 (radix-16 digits, 30 KB) or 128 (radix-256 digits, 480 KB)
    ge_precomp table[];        // table[k * width + j] = (j + 1) * 256^k * (-A), k < 32
};

static fe fe_d, fe_d2, fe_sqrtm1;
// The base point's rows are 128 wide (signed radix-256 digits, 32 additions for [s]B); a
// key's stay 8 wide (30 KB a key, radix-16 digits). 480 KB, built once.
static ge_precomp base_rows[32][128];
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static const uint8_t d_bytes[32] = {
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52};
static const uint8_t sqrtm1_bytes[32] = {
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
    0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b};
// The base point: y = 4/5, x even.
static const uint8_t base_bytes[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};
// The y values (sign bit aside) whose encodings are refused as of small order: 0, 1, the two
// order-8 values, p - 1, and the non-canonical p and p + 1. With either sign bit, 14 encodings.
static const uint8_t small_order[7][32] = {
    {0},
    {1},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
};

// MARK: - Encodings and scalars

static int has_small_order(const uint8_t s[32]) {
    for (int i = 0; i < 7; i++) {
        if (memcmp(s, small_order[i], 31) == 0 && (s[31] & 0x7f) == small_order[i][31]) return 1;
    }
    return 0;
}

// y < p (the sign bit aside)
static int is_canonical_point(const uint8_t s[32]) {
    if ((s[31] & 0x7f) != 0x7f) return 1;
    for (int i = 30; i > 0; i--) if (s[i] != 0xff) return 1;
    return s[0] < 0xed;
}

// The scalar as 64 signed digits in [-8, 8]: a = sum e[i] 16^i. Needs a < 2^255.
static void recode(int8_t e[64], const uint8_t a[32]) {
    for (int i = 0; i < 32; i++) {
        e[2 * i] = a[i] & 15;
        e[2 * i + 1] = (a[i] >> 4) & 15;
    }
    int8_t carry = 0;
    for (int i = 0; i < 63; i++) {
        e[i] += carry;
        carry = (int8_t)((e[i] + 8) >> 4);
        e[i] -= (int8_t)(carry * 16);
    }
    e[63] += carry;
}

// Signed radix-256 digits of a scalar below L: e[i] in [-128, 127], sum e[i] 256^i = a.
static void recode256(int8_t e[32], const uint8_t a[32]) {
    int carry = 0;
    for (int i = 0; i < 32; i++) {
        int v = a[i] + carry;
        carry = (v + 128) >> 8;
        e[i] = (int8_t)(v - carry * 256);
    }
}

// MARK: - Points

static void p3_identity(ge_p3 *h) {
    fe_zero(&h->X); fe_one(&h->Y); fe_one(&h->Z); fe_zero(&h->T);
}

static void p1p1_to_p3(ge_p3 *r, const ge_p1p1 *p) {
    fe_mul(&r->X, &p->X, &p->T);
    fe_mul(&r->Y, &p->Y, &p->Z);
    fe_mul(&r->Z, &p->Z, &p->T);
    fe_mul(&r->T, &p->X, &p->Y);
}

static void p1p1_to_p2(ge_p2 *r, const ge_p1p1 *p) {
    fe_mul(&r->X, &p->X, &p->T);
    fe_mul(&r->Y, &p->Y, &p->Z);
    fe_mul(&r->Z, &p->Z, &p->T);
}

static void p2_dbl(ge_p1p1 *r, const ge_p2 *p) {
    fe xx, yy, zz2, a, aa;
    fe_sq(&xx, &p->X);
    fe_sq(&yy, &p->Y);
    fe_sq(&zz2, &p->Z);
    fe_add(&zz2, &zz2, &zz2);
    fe_add(&a, &p->X, &p->Y);
    fe_sq(&aa, &a);
    fe_add(&r->Y, &yy, &xx);
    fe_sub(&r->Z, &yy, &xx);
    fe_sub(&r->X, &aa, &r->Y);
    fe_sub(&r->T, &zz2, &r->Z);
}

static void p3_dbl(ge_p1p1 *r, const ge_p3 *p) {
    ge_p2 q = {p->X, p->Y, p->Z};
    p2_dbl(r, &q);
}

static void p3_to_cached(ge_cached *r, const ge_p3 *p) {
    fe_add(&r->YplusX, &p->Y, &p->X);
    fe_sub(&r->YminusX, &p->Y, &p->X);
    r->Z = p->Z;
    fe_mul(&r->T2d, &p->T, &fe_d2);
}

// The last step of both additions below: from a = (Y+X)(y+x), b = (Y-X)(y-x), c = 2d T t and
// d = 2 Z z (the second point's roles swapped and c negated when subtracting).
static void finish_addition(ge_p1p1 *r, const fe *a, const fe *b, const fe *c, const fe *d, int negate) {
    fe_sub(&r->X, a, b);
    fe_add(&r->Y, a, b);
    if (negate) {
        fe_sub(&r->Z, d, c);
        fe_add(&r->T, d, c);
    } else {
        fe_add(&r->Z, d, c);
        fe_sub(&r->T, d, c);
    }
}

// p + q, or p - q when `negate`
static void add_cached(ge_p1p1 *r, const ge_p3 *p, const ge_cached *q, int negate) {
    fe a, b, c, zz, d, t;
    fe_add(&t, &p->Y, &p->X);
    fe_mul(&a, &t, negate ? &q->YminusX : &q->YplusX);
    fe_sub(&t, &p->Y, &p->X);
    fe_mul(&b, &t, negate ? &q->YplusX : &q->YminusX);
    fe_mul(&c, &q->T2d, &p->T);
    fe_mul(&zz, &p->Z, &q->Z);
    fe_add(&d, &zz, &zz);
    finish_addition(r, &a, &b, &c, &d, negate);
}

// p + q, or p - q when `negate`
static void add_precomp(ge_p1p1 *r, const ge_p3 *p, const ge_precomp *q, int negate) {
    fe a, b, c, d, t;
    fe_add(&t, &p->Y, &p->X);
    fe_mul(&a, &t, negate ? &q->ymx : &q->ypx);
    fe_sub(&t, &p->Y, &p->X);
    fe_mul(&b, &t, negate ? &q->ypx : &q->ymx);
    fe_mul(&c, &q->xy2d, &p->T);
    fe_add(&d, &p->Z, &p->Z);
    finish_addition(r, &a, &b, &c, &d, negate);
}

// Decodes a point; with `negate`, returns its negation. 0 on success, -1 off the curve.
static int p3_frombytes(ge_p3 *h, const uint8_t s[32], int negate) {
    fe u, v, v3, vxx, check;
    fe_frombytes(&h->Y, s);
    fe_one(&h->Z);
    fe_sq(&u, &h->Y);
    fe_mul(&v, &u, &fe_d);
    fe_sub(&u, &u, &h->Z);          // u = y^2 - 1
    fe_add(&v, &v, &h->Z);          // v = d y^2 + 1
    fe_sq(&v3, &v);
    fe_mul(&v3, &v3, &v);           // v^3
    fe_sq(&h->X, &v3);
    fe_mul(&h->X, &h->X, &v);
    fe_mul(&h->X, &h->X, &u);       // u v^7
    fe_pow22523(&h->X, &h->X);
    fe_mul(&h->X, &h->X, &v3);
    fe_mul(&h->X, &h->X, &u);       // u v^3 (u v^7)^((p-5)/8)
    fe_sq(&vxx, &h->X);
    fe_mul(&vxx, &vxx, &v);
    fe_sub(&check, &vxx, &u);
    if (!fe_iszero(&check)) {
        fe_add(&check, &vxx, &u);
        if (!fe_iszero(&check)) return -1;
        fe_mul(&h->X, &h->X, &fe_sqrtm1);
    }
    int sign = s[31] >> 7;
    if ((fe_isnegative(&h->X) == sign) == (negate != 0)) fe_neg(&h->X, &h->X);
    fe_mul(&h->T, &h->X, &h->Y);
    return 0;
}

// table[k * width + j] = (j + 1) * 256^k * P for k < 32 and j < width, in affine form. The
// points are made `rows_at_once` rows at a time in `points` and `prefix` (room for that many
// rows each), and each group costs one inversion (Montgomery's trick).
static void build_rows(ge_precomp *table, int width, const ge_p3 *point, int rows_at_once, ge_p3 *points, fe *prefix) {
    ge_p3 q = *point;
    ge_p1p1 t;
    ge_cached cached;
    for (int first = 0; first < 32; first += rows_at_once) {
        int count = rows_at_once * width;
        for (int k = 0; k < rows_at_once; k++) {
            points[width * k] = q;
            p3_to_cached(&cached, &q);
            for (int j = 1; j < width; j++) {
                add_cached(&t, &points[width * k + j - 1], &cached, 0);
                p1p1_to_p3(&points[width * k + j], &t);
            }
            for (int i = 0; i < 8; i++) {
                p3_dbl(&t, &q);
                p1p1_to_p3(&q, &t);
            }
        }
        prefix[0] = points[0].Z;
        for (int i = 1; i < count; i++) fe_mul(&prefix[i], &prefix[i - 1], &points[i].Z);
        fe inverse;
        fe_invert(&inverse, &prefix[count - 1]);
        for (int i = count - 1; i >= 0; i--) {
            fe zinv, x, y, xy;
            if (i > 0) {
                fe_mul(&zinv, &inverse, &prefix[i - 1]);
                fe_mul(&inverse, &inverse, &points[i].Z);
            } else {
                zinv = inverse;
            }
            fe_mul(&x, &points[i].X, &zinv);
            fe_mul(&y, &points[i].Y, &zinv);
            ge_precomp *entry = &table[first * width + i];
            fe_add(&entry->ypx, &y, &x);
            fe_sub(&entry->ymx, &y, &x);
            fe_mul(&xy, &x, &y);
            fe_mul(&entry->xy2d, &xy, &fe_d2);
        }
    }
}

// Builds the constants and the base point's table, a row at a time on the stack (an
// inversion a row, 32 in all, once a process), so nothing here can fail.
static void setup(void) {
    fe_frombytes(&fe_d, d_bytes);
    fe_add(&fe_d2, &fe_d, &fe_d);
    fe_frombytes(&fe_sqrtm1, sqrtm1_bytes);
    ge_p3 base;
    p3_frombytes(&base, base_bytes, 0);  // on the curve: a constant
    ge_p3 points[128];
    fe prefix[128];
    build_rows(&base_rows[0][0], 128, &base, 1, points, prefix);
}

// MARK: - Scalar multiplication

// acc += digit * (the row's point), row[j] holding (j + 1) times it, |digit| <= the width.
static void add_digit(ge_p3 *acc, const ge_precomp *row, int8_t digit) {
    if (digit == 0) return;
    ge_p1p1 t;
    add_precomp(&t, acc, &row[(digit > 0 ? digit : -digit) - 1], digit < 0);
    p1p1_to_p3(acc, &t);
}

// h (below L) in width-5 non-adjacent form: naf[i] is 0 or odd in [-15, 15], h = sum naf[i]
// 2^i, and a nonzero digit is followed by at least four zeros, so about one position in six
// costs an addition. Returns the number of digits (at most 254).
static int width5_naf(int8_t naf[256], const uint8_t h[32]) {
    uint64_t k[5] = {0};
    for (int i = 0; i < 4; i++)
        for (int j = 7; j >= 0; j--) k[i] = k[i] << 8 | h[8 * i + j];
    memset(naf, 0, 256);
    int length = 0;
    while ((k[0] | k[1] | k[2] | k[3] | k[4]) != 0 && length < 256) {
        if (k[0] & 1) {
            int digit = (int)(k[0] & 31);
            if (digit > 15) digit -= 32;
            naf[length] = (int8_t)digit;
            // k -= digit, which clears the low five bits
            if (digit > 0) {
                uint64_t borrow = (uint64_t)digit;
                for (int i = 0; i < 5 && borrow; i++) {
                    uint64_t before = k[i];
                    k[i] -= borrow;
                    borrow = before < borrow;
                }
            } else {
                uint64_t carry = (uint64_t)(-digit);
                for (int i = 0; i < 5 && carry; i++) {
                    k[i] += carry;
                    carry = k[i] < carry;
                }
            }
        }
        for (int i = 0; i < 4; i++) k[i] = k[i] >> 1 | k[i + 1] << 63;
        k[4] >>= 1;
        length++;
    }
    return length;
}

// [h]P + [s]B for a point P with no tables: eight odd multiples of P made here (one doubling,
// seven additions), h by its width-5 NAF (about 253 doublings and 42 additions), then s by
// the base point's radix-256 rows (32 mixed additions, no doublings).
static void multiply_untabled(ge_p3 *out, const ge_p3 *point, const uint8_t h[32], const int8_t es[32]) {
    ge_cached multiples[8];  // (2i + 1) P
    ge_p1p1 t;
    ge_p3 twice, current = *point;
    ge_cached twice_cached;
    p3_dbl(&t, point);
    p1p1_to_p3(&twice, &t);
    p3_to_cached(&twice_cached, &twice);
    p3_to_cached(&multiples[0], point);
    for (int i = 1; i < 8; i++) {
        add_cached(&t, &current, &twice_cached, 0);
        p1p1_to_p3(&current, &t);
        p3_to_cached(&multiples[i], &current);
    }
    int8_t naf[256];
    int length = width5_naf(naf, h);
    ge_p3 acc;
    p3_identity(&acc);
    if (length > 0) {
        // The top digit is nonzero: start from its multiple, then double and add downwards,
        // staying in the cheaper projective form between additions.
        int8_t top = naf[length - 1];
        ge_p3 start;
        p3_identity(&start);
        add_cached(&t, &start, &multiples[(top > 0 ? top : -top) / 2], top < 0);
        ge_p2 p2;
        p1p1_to_p2(&p2, &t);
        p1p1_to_p3(&acc, &t);
        for (int i = length - 2; i >= 0; i--) {
            p2_dbl(&t, &p2);
            int8_t digit = naf[i];
            if (digit != 0) {
                p1p1_to_p3(&acc, &t);
                add_cached(&t, &acc, &multiples[(digit > 0 ? digit : -digit) / 2], digit < 0);
            }
            if (i > 0) p1p1_to_p2(&p2, &t);
            else p1p1_to_p3(&acc, &t);
        }
    }
    for (int k = 0; k < 32; k++) add_digit(&acc, base_rows[k], es[k]);
    *out = acc;
}

// [h]A' + [s]B from A's tables (A' = -A): radix 256 (64 additions in all) for wide tables;
// for narrow ones, h's radix-16 digits (odd ones, times 16, then even ones): 96 additions
// and 4 doublings.
static void multiply_tabled(ge_p3 *out, const kc_ed25519_key *key, const uint8_t h[32], const int8_t es[32]) {
    ge_p3 acc;
    p3_identity(&acc);
    if (key->width == 128) {
        int8_t eh[32];
        recode256(eh, h);
        for (int k = 0; k < 32; k++) add_digit(&acc, key->table + 128 * k, eh[k]);
    } else {
        int8_t eh[64];
        recode(eh, h);
        for (int i = 1; i < 64; i += 2) add_digit(&acc, key->table + 8 * (i / 2), eh[i]);
        ge_p1p1 t;
        ge_p2 p2 = {acc.X, acc.Y, acc.Z};
        for (int i = 0; i < 3; i++) {
            p2_dbl(&t, &p2);
            p1p1_to_p2(&p2, &t);
        }
        p2_dbl(&t, &p2);
        p1p1_to_p3(&acc, &t);
        for (int i = 0; i < 64; i += 2) add_digit(&acc, key->table + 8 * (i / 2), eh[i]);
    }
    for (int k = 0; k < 32; k++) add_digit(&acc, base_rows[k], es[k]);
    *out = acc;
}

// A key's encoding passes the rule's checks on keys alone: canonical, not of small order.
static int acceptable_key(const uint8_t public_key[32]) {
    return is_canonical_point(public_key) && !has_small_order(public_key);
}

// [s]B - [h]A in projective form, or 0 when the encodings alone refuse the signature (S or h
// not below L, R of small order, A unacceptable or off the curve). `key` may be NULL: then A
// is decoded from `public_key`.
static int signed_point(ge_p2 *out, const kc_ed25519_key *key, const uint8_t *public_key, const uint8_t signature[64],
                        const uint8_t h[32]) {
    const uint8_t *r = signature, *s = signature + 32;
    if (!kc_scalar_is_canonical(s) || !kc_scalar_is_canonical(h) || has_small_order(r)) return 0;
    int8_t es[32];
    recode256(es, s);
    ge_p3 point;
    if (key != NULL) {
        multiply_tabled(&point, key, h, es);
    } else {
        ge_p3 negated;
        if (public_key == NULL || !acceptable_key(public_key) || p3_frombytes(&negated, public_key, 1) != 0) return 0;
        multiply_untabled(&point, &negated, h, es);
    }
    out->X = point.X;
    out->Y = point.Y;
    out->Z = point.Z;
    return 1;
}

// The canonical encoding of (X/Z, Y/Z), given 1/Z.
static void p2_tobytes_with(uint8_t s[32], const ge_p2 *p, const fe *zinv) {
    fe x, y;
    fe_mul(&x, &p->X, zinv);
    fe_mul(&y, &p->Y, zinv);
    fe_tobytes(s, &y);
    s[31] ^= (uint8_t)(fe_isnegative(&x) << 7);
}

// Whether the point encodes to R, inverting its Z on its own.
static int encodes_to(const ge_p2 *point, const uint8_t r[32]) {
    if (fe_iszero(&point->Z)) return 0;
    fe zinv;
    fe_invert(&zinv, &point->Z);
    uint8_t check[32];
    p2_tobytes_with(check, point, &zinv);
    return memcmp(check, r, 32) == 0;
}

// MARK: - Public

int kc_ed25519_key_create(const uint8_t public_key[32], int wide, kc_ed25519_key **out) {
    *out = NULL;
    pthread_once(&setup_once, setup);
    if (!acceptable_key(public_key)) return 0;
    ge_p3 negated;
    if (p3_frombytes(&negated, public_key, 1) != 0) return 0;
    int width = wide ? 128 : 8;
    kc_ed25519_key *key = malloc(sizeof *key + sizeof(ge_precomp) * 32 * (size_t)width);
    ge_p3 *points = malloc(sizeof(ge_p3) * 32 * (size_t)width);
    fe *prefix = malloc(sizeof(fe) * 32 * (size_t)width);
    if (key == NULL || points == NULL || prefix == NULL) {
        free(key);
        free(points);
        free(prefix);
        return -1;
    }
    key->width = width;
    build_rows(key->table, width, &negated, 32, points, prefix);
    free(points);
    free(prefix);
    *out = key;
    return 1;
}

void kc_ed25519_key_free(kc_ed25519_key *key) { free(key); }

void kc_ed25519_challenge(uint8_t h[32], const uint8_t r[32], const uint8_t public_key[32], const uint8_t *message,
                          size_t len) {
    kc_sha512_context context;
    uint8_t digest[64];
    kc_sha512_init(&context);
    kc_sha512_update(&context, r, 32);
    kc_sha512_update(&context, public_key, 32);
    kc_sha512_update(&context, message, len);
    kc_sha512_final(&context, digest);
    kc_ed25519_scalar_reduce(h, digest);
}

int kc_ed25519_verify(const uint8_t signature[64], const uint8_t *message, size_t len, const uint8_t public_key[32]) {
    uint8_t h[32], result;
    kc_ed25519_challenge(h, signature, public_key, message, len);
    kc_ed25519_verify_batch(NULL, public_key, signature, h, 1, &result);
    return result;
}

int kc_ed25519_verify_prehashed(const kc_ed25519_key *key, const uint8_t signature[64], const uint8_t h[32]) {
    uint8_t result;
    kc_ed25519_verify_batch(&key, NULL, signature, h, 1, &result);
    return result;
}

// Each signature's point is computed alone and must encode to its R byte for byte, exactly as
// one at a time; the batch shares only the inversions that turn the points into encodings
// (Montgomery's trick: one inversion and three multiplications each instead of an inversion
// each, which is about a fifth of a tabled verification).
void kc_ed25519_verify_batch(const kc_ed25519_key *const keys[], const uint8_t *public_keys, const uint8_t *signatures,
                             const uint8_t *hs, size_t count, uint8_t results[]) {
    pthread_once(&setup_once, setup);
    enum { chunk = 32 };
    ge_p2 points[chunk];
    fe prefix[chunk];
    for (size_t start = 0; start < count; start += chunk) {
        size_t n = count - start < chunk ? count - start : chunk;
        fe running;
        fe_one(&running);
        for (size_t i = 0; i < n; i++) {
            size_t index = start + i;
            const kc_ed25519_key *key = keys != NULL ? keys[index] : NULL;
            const uint8_t *public_key = public_keys != NULL ? public_keys + 32 * index : NULL;
            results[index] = (uint8_t)signed_point(&points[i], key, public_key, signatures + 64 * index, hs + 32 * index);
            if (results[index]) fe_mul(&running, &running, &points[i].Z);
            prefix[i] = running;  // the product of the Zs of the points so far
        }
        fe inverse;
        fe_invert(&inverse, &running);
        if (fe_iszero(&inverse)) {
            // Z is never 0 for a point computed by the complete addition law, so neither is the
            // product; were one ever 0, each point is encoded on its own instead.
            for (size_t i = 0; i < n; i++) {
                if (results[start + i]) results[start + i] = (uint8_t)encodes_to(&points[i], signatures + 64 * (start + i));
            }
            continue;
        }
        for (size_t i = n; i-- > 0;) {
            if (!results[start + i]) continue;
            fe zinv;
            if (i > 0) {
                fe_mul(&zinv, &inverse, &prefix[i - 1]);  // 1/Z_i
            } else {
                zinv = inverse;
            }
            fe_mul(&inverse, &inverse, &points[i].Z);     // 1/(Z_0 ... Z_{i-1})
            uint8_t check[32];
            p2_tobytes_with(check, &points[i], &zinv);
            results[start + i] = memcmp(check, signatures + 64 * (start + i), 32) == 0;
        }
    }
}
