#include "COpenSSLBaseline.h"
#include <openssl/sha.h>
#include <string.h>

uint32_t kc_baseline_openssl_pow(const uint8_t header[88], uint64_t start, uint64_t count) {
    SHA256_CTX midstate, iv;
    SHA256_Init(&midstate);
    SHA256_Transform(&midstate, header);
    SHA256_Init(&iv);
    uint8_t tail[64] = {0}, second[64] = {0};
    memcpy(tail, header + 64, 24);
    tail[24] = 0x80;
    tail[62] = 0x02; tail[63] = 0xC0;           // 704 bits
    second[32] = 0x80;
    second[62] = 0x01; second[63] = 0x00;       // 256 bits
    uint32_t sink = 0;
    for (uint64_t n = start; n < start + count; n++) {
        memcpy(tail + 16, &n, 8);
        SHA256_CTX first = midstate;
        SHA256_Transform(&first, tail);
        for (int i = 0; i < 8; i++) {
            uint32_t v = first.h[i];
            second[4 * i] = (uint8_t)(v >> 24); second[4 * i + 1] = (uint8_t)(v >> 16);
            second[4 * i + 2] = (uint8_t)(v >> 8); second[4 * i + 3] = (uint8_t)v;
        }
        SHA256_CTX outer = iv;
        SHA256_Transform(&outer, second);
        sink += outer.h[0];
    }
    return sink;
}
