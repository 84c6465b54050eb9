/*
 * The OneNET `Authorization` token (protocol §1): product-level, method md5 (HMAC-MD5), version
 * 2018-10-31. sign = base64(hmac_md5(base64decode(access_key), et "\n" method "\n" res "\n" version)).
 */
#ifndef OTA_TOKEN_H
#define OTA_TOKEN_H

#include <stddef.h>

/* Writes the header value into `out` (at most `size` bytes); returns 0, or -1 when the key is not base64. */
int token_sign(char *out, size_t size, const char *product_id, const char *access_key, long long et);

#endif
