#include "http.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A fragment that stops arriving for this long is abandoned and retried (OTA SDK: "若超过一定时间未收到数据应当标记为重试"). */
#define STALL_SECONDS 10

int http_parse_url(const char *url, http_target *target) {
    const char *p = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    if (!p) return -1;
    size_t n = strcspn(p, ":/");
    if (n == 0 || n >= sizeof target->host) return -1;
    memcpy(target->host, p, n);
    target->host[n] = '\0';
    target->port = p[n] == ':' ? atoi(p + n + 1) : 80;
    return target->port > 0 && target->port < 65536 ? 0 : -1;
}

static int connect_to(const http_target *target) {
    char port[8];
    snprintf(port, sizeof port, "%d", target->port);
    struct addrinfo hints = {0}, *found;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(target->host, port, &hints, &found) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd >= 0) {
        struct timeval stall = {STALL_SECONDS, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &stall, sizeof stall);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &stall, sizeof stall);
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = send(fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Header names compare case-insensitively (RFC 9110), values lose their leading spaces. */
static void read_header(http_response *r, const char *line) {
    const char *colon = strchr(line, ':');
    if (!colon) return;
    const char *value = colon + 1;
    while (*value == ' ' || *value == '\t') value++;
    size_t name = (size_t)(colon - line);
    if (name == 14 && strncasecmp(line, "Content-Length", name) == 0) {
        r->content_length = atoll(value);
    } else if (name == 13 && strncasecmp(line, "Content-Range", name) == 0) {
        r->has_content_range = sscanf(value, "bytes %lld-%lld/%lld", &r->range_start, &r->range_end,
                                      &r->range_total) == 3;
    } else if (name == 12 && strncasecmp(line, "Content-Type", name) == 0) {
        snprintf(r->content_type, sizeof r->content_type, "%.*s", (int)strcspn(value, "\r"), value);
    } else if (name == 17 && strncasecmp(line, "Transfer-Encoding", name) == 0) {
        r->chunked = strstr(value, "chunked") != NULL;
    }
}

/*
 * Decodes a chunked body read whole (`size hex CRLF data CRLF` ... `0 CRLF CRLF`) in place, as a service behind
 * nginx sends an answer it did not count. Returns the data's length, or -1 when the framing is broken or cut.
 */
static long dechunk(char *body, size_t length) {
    size_t in = 0, out = 0;
    for (;;) {
        char *end;
        unsigned long size = strtoul(body + in, &end, 16);
        char *line_end = strstr(body + in, "\r\n");
        if (end == body + in || !line_end) return -1;
        in = (size_t)(line_end - body) + 2; /* past the size line (and any chunk extension) */
        if (size == 0) return (long)out;
        if (in + size + 2 > length || body[in + size] != '\r' || body[in + size + 1] != '\n') return -1;
        memmove(body + out, body + in, size);
        out += size;
        in += size + 2;
    }
}

int http_request(const http_target *target, const char *method, const char *path, const char *headers,
                 const char *body, http_response *r) {
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    r->fd = connect_to(target);
    if (r->fd < 0) return -1;
    char request[1536];
    int n = snprintf(request, sizeof request, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n%s", method,
                     path, target->host, target->port, headers ? headers : "");
    if (body) n += snprintf(request + n, sizeof request - (size_t)n, "Content-Length: %zu\r\n", strlen(body));
    n += snprintf(request + n, sizeof request - (size_t)n, "\r\n%s", body ? body : "");
    if (n >= (int)sizeof request) goto fail;
#ifdef OTA_LF_ONLY
    /* A hand-rolled client's mistake: the request line and headers each ended by "\n" alone. */
    {
        char *blank = strstr(request, "\r\n\r\n");
        size_t head = blank ? (size_t)(blank - request) + 4 : (size_t)n, kept = 0;
        for (size_t i = 0; i < head; i++)
            if (request[i] != '\r') request[kept++] = request[i];
        memmove(request + kept, request + head, (size_t)n - head);
        n = (int)(kept + ((size_t)n - head));
    }
#endif
    if (send_all(r->fd, request, (size_t)n) != 0) goto fail;

    size_t got = 0;
    char *end = NULL;
    while (!end) {
        if (got == sizeof r->head - 1) goto fail; /* headers larger than this client takes */
        ssize_t k = recv(r->fd, r->head + got, sizeof r->head - 1 - got, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) goto fail;
        got += (size_t)k;
        r->head[got] = '\0';
        end = strstr((char *)r->head, "\r\n\r\n");
    }
    if (sscanf((char *)r->head, "HTTP/1.%*d %d", &r->status) != 1) goto fail;
    for (char *line = strstr((char *)r->head, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        char *eol = strstr(line, "\r\n");
        *eol = '\0';
        read_header(r, line);
        *eol = '\r';
    }
    r->pending_at = (size_t)(end + 4 - (char *)r->head);
    r->pending_end = got;
    r->body_left = r->content_length;
    return 0;
fail:
    http_close(r);
    return -1;
}

long http_read(http_response *r, void *buffer, size_t size) {
    if (r->body_left == 0) return 0;
    if (r->body_left > 0 && (long long)size > r->body_left) size = (size_t)r->body_left;
    long n;
    if (r->pending_at < r->pending_end) {
        n = (long)(r->pending_end - r->pending_at);
        if ((size_t)n > size) n = (long)size;
        memcpy(buffer, r->head + r->pending_at, (size_t)n);
        r->pending_at += (size_t)n;
    } else {
        do n = recv(r->fd, buffer, size, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) return -1;
        if (n == 0) return r->body_left > 0 ? -1 : 0; /* closed before the announced length: broken */
    }
    if (r->body_left > 0) r->body_left -= n;
    return n;
}

void http_close(http_response *r) {
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
}

int http_json(const http_target *target, const char *method, const char *path, const char *authorization,
              const char *body, char *out, size_t size) {
    char headers[512];
    snprintf(headers, sizeof headers, "Content-Type: application/json\r\nAuthorization: %s\r\n", authorization);
    http_response r;
    if (http_request(target, method, path, headers, body, &r) != 0) return -1;
    size_t got = 0;
    long n = 0;
    while (got + 1 < size && (n = http_read(&r, out + got, size - 1 - got)) > 0) got += (size_t)n;
    out[got] = '\0';
    int complete = r.body_left == 0 || (r.content_length < 0 && n == 0);
#ifdef OTA_LENGTH_ONLY
    /* A client that reads an answer by its Content-Length alone: without one it has no answer. */
    if (r.content_length < 0) complete = 0;
#endif
    if (complete && r.chunked) {
        long length = dechunk(out, got);
        complete = length >= 0;
        if (complete) out[length] = '\0';
    }
    http_close(&r);
    return complete ? r.status : -1;
}
