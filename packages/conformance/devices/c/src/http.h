/*
 * A small HTTP/1.1 client for one request per TCP connection, as OneNET's own SDK does it: fixed buffers, a
 * header block of at most 1 KiB, the body read by the caller in pieces so a fragment goes straight to storage.
 */
#ifndef OTA_HTTP_H
#define OTA_HTTP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char host[64];
    int port;
} http_target;

typedef struct {
    int status;
    long long content_length; /* -1 when the answer has none */
    int has_content_range;
    long long range_start, range_end, range_total;
    char content_type[64];
    int chunked; /* Transfer-Encoding: chunked (a JSON answer without Content-Length) */
    int fd;
    long long body_left; /* bytes of the body still to read; -1: read until the server closes */
    uint8_t head[1024];  /* the header block, then the first body bytes that came with it */
    size_t pending_at, pending_end;
} http_response;

/* Parses `http://host[:port]`; returns 0 or -1. */
int http_parse_url(const char *url, http_target *target);

/*
 * Sends a request (`headers`: extra lines, each ending in \r\n) and reads the status line and headers. Returns 0
 * with the body left to `http_read`, or -1 when the connection failed or the answer is not HTTP.
 */
int http_request(const http_target *target, const char *method, const char *path, const char *headers,
                 const char *body, http_response *response);
/* Reads up to `size` body bytes; 0 at the end of the body, -1 when the connection broke or stalled. */
long http_read(http_response *response, void *buffer, size_t size);
void http_close(http_response *response);

/*
 * A whole JSON exchange: the answer body, NUL-terminated, into `out` (OneNET's official client reads answers
 * into 512 bytes; so does this). Returns the HTTP status, or -1.
 */
int http_json(const http_target *target, const char *method, const char *path, const char *authorization,
              const char *body, char *out, size_t size);

#endif
