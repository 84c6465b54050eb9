#include "token.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "md5.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int base64_value(char c) {
    const char *at = c ? strchr(alphabet, c) : NULL;
    return at ? (int)(at - alphabet) : -1;
}

/* Decodes standard base64 with `=` padding; returns the byte count, or -1. */
static int base64_decode(const char *text, uint8_t *out, size_t size) {
    size_t n = 0;
    uint32_t bits = 0;
    int count = 0;
    for (const char *p = text; *p && *p != '='; p++) {
        int v = base64_value(*p);
        if (v < 0) return -1;
        bits = bits << 6 | (uint32_t)v;
        count += 6;
        if (count >= 8) {
            count -= 8;
            if (n == size) return -1;
            out[n++] = (uint8_t)(bits >> count);
        }
    }
    return (int)n;
}

static void base64_encode(const uint8_t *bytes, size_t length, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < length; i += 3) {
        uint32_t chunk = (uint32_t)bytes[i] << 16;
        if (i + 1 < length) chunk |= (uint32_t)bytes[i + 1] << 8;
        if (i + 2 < length) chunk |= bytes[i + 2];
        out[o++] = alphabet[chunk >> 18 & 63];
        out[o++] = alphabet[chunk >> 12 & 63];
        out[o++] = i + 1 < length ? alphabet[chunk >> 6 & 63] : '=';
        out[o++] = i + 2 < length ? alphabet[chunk & 63] : '=';
    }
    out[o] = '\0';
}

/* HMAC (RFC 2104) over MD5: the key is hashed first when longer than a block. */
static void hmac_md5(const uint8_t *key, size_t key_length, const char *message, uint8_t mac[16]) {
    uint8_t block[64] = {0};
    if (key_length > 64) {
        md5_ctx ctx;
        md5_init(&ctx);
        md5_update(&ctx, key, key_length);
        md5_final(&ctx, block);
    } else {
        memcpy(block, key, key_length);
    }
    uint8_t pad[64];
    md5_ctx ctx;
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    md5_init(&ctx);
    md5_update(&ctx, pad, 64);
    md5_update(&ctx, message, strlen(message));
    uint8_t inner[16];
    md5_final(&ctx, inner);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    md5_init(&ctx);
    md5_update(&ctx, pad, 64);
    md5_update(&ctx, inner, 16);
    md5_final(&ctx, mac);
}

/* URL-encodes the characters OneNET's table lists (protocol §1.3): + space / ? % # & =. */
static void url_encode(const char *in, char *out, size_t size) {
    size_t o = 0;
    for (; *in && o + 4 < size; in++) {
        if (strchr("+ /?%#&=", *in)) o += (size_t)snprintf(out + o, size - o, "%%%02X", (unsigned char)*in);
        else out[o++] = *in;
    }
    out[o] = '\0';
}

int token_sign(char *out, size_t size, const char *product_id, const char *access_key, long long et) {
    uint8_t key[128];
    int key_length = base64_decode(access_key, key, sizeof key);
    if (key_length <= 0) return -1;
    char res[96];
    snprintf(res, sizeof res, "products/%s", product_id);
    char message[192];
    snprintf(message, sizeof message, "%lld\nmd5\n%s\n2018-10-31", et, res);
    uint8_t mac[16];
    hmac_md5(key, (size_t)key_length, message, mac);
    char sign[32], sign_encoded[64], res_encoded[128];
    base64_encode(mac, sizeof mac, sign);
    url_encode(sign, sign_encoded, sizeof sign_encoded);
    url_encode(res, res_encoded, sizeof res_encoded);
    int n = snprintf(out, size, "version=2018-10-31&res=%s&et=%lld&method=md5&sign=%s", res_encoded, et, sign_encoded);
    return n > 0 && (size_t)n < size ? 0 : -1;
}
