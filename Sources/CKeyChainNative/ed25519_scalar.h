#ifndef KC_ED25519_SCALAR_H
#define KC_ED25519_SCALAR_H
#include <stdint.h>

/// 1 when the 32 little-endian bytes are below L, the group order; else 0.
int kc_scalar_is_canonical(const uint8_t s[32]);
#endif
