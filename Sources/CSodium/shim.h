// The part of libsodium's API that KeyChain's tests, fuzz targets and benchmarks use as the
// oracle for the project's own Ed25519 verifier, declared here so the build needs only the
// runtime library (Debian's libsodium23, soname libsodium.so.23), not libsodium-dev's headers.
// These are libsodium's own prototypes; the ABI of soname 23 has been stable since 1.0.12.
// The soname pins no verification rule (1.0.15 is soname 23 too and checks differently), so
// the oracle checks the version it loaded (KeyChainTestSupport's Libsodium).
#ifndef KEYCHAIN_CSODIUM_SHIM_H
#define KEYCHAIN_CSODIUM_SHIM_H

#include <stddef.h>
#include <stdint.h>

int sodium_init(void);
const char *sodium_version_string(void);
void randombytes_buf(void *buf, size_t size);

typedef struct crypto_hash_sha512_state {
    uint64_t state[8];
    uint64_t count[2];
    uint8_t buf[128];
} crypto_hash_sha512_state;
int crypto_hash_sha512(unsigned char *out, const unsigned char *in, unsigned long long inlen);
int crypto_hash_sha512_init(crypto_hash_sha512_state *state);
int crypto_hash_sha512_update(crypto_hash_sha512_state *state, const unsigned char *in, unsigned long long inlen);
int crypto_hash_sha512_final(crypto_hash_sha512_state *state, unsigned char *out);

int crypto_sign_keypair(unsigned char *pk, unsigned char *sk);
int crypto_sign_detached(unsigned char *sig, unsigned long long *siglen_p, const unsigned char *m,
                         unsigned long long mlen, const unsigned char *sk);
int crypto_sign_verify_detached(const unsigned char *sig, const unsigned char *m, unsigned long long mlen,
                                const unsigned char *pk);

int crypto_core_ed25519_add(unsigned char *r, const unsigned char *p, const unsigned char *q);
void crypto_core_ed25519_scalar_random(unsigned char *r);
void crypto_core_ed25519_scalar_reduce(unsigned char *r, const unsigned char *s);
void crypto_core_ed25519_scalar_mul(unsigned char *z, const unsigned char *x, const unsigned char *y);
void crypto_core_ed25519_scalar_add(unsigned char *z, const unsigned char *x, const unsigned char *y);
void crypto_core_ed25519_scalar_sub(unsigned char *z, const unsigned char *x, const unsigned char *y);
void crypto_core_ed25519_scalar_negate(unsigned char *neg, const unsigned char *s);
int crypto_scalarmult_ed25519_base_noclamp(unsigned char *q, const unsigned char *n);

#endif
