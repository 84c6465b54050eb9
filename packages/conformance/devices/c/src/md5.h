/* MD5 (RFC 1321): the package checksum OneNET gives in the task, and the hash of the HMAC that signs tokens. */
#ifndef OTA_MD5_H
#define OTA_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[4];
    uint64_t length;      /* bytes hashed so far */
    uint8_t buffer[64];   /* a partial block */
} md5_ctx;

void md5_init(md5_ctx *ctx);
void md5_update(md5_ctx *ctx, const void *data, size_t size);
void md5_final(md5_ctx *ctx, uint8_t digest[16]);
/* Lower-case hex of a digest, as OneNET writes `md5`: 33 bytes with the terminator. */
void md5_hex(const uint8_t digest[16], char hex[33]);

#endif
