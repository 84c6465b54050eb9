#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first character of the value of "key", or NULL. */
static const char *value_of(const char *json, const char *key) {
    char quoted[48];
    if (snprintf(quoted, sizeof quoted, "\"%s\"", key) >= (int)sizeof quoted) return NULL;
    for (const char *at = strstr(json, quoted); at; at = strstr(at + 1, quoted)) {
        const char *p = at + strlen(quoted);
        while (*p == ' ') p++;
        if (*p != ':') continue; /* the name appeared as a value, not as a key */
        p++;
        while (*p == ' ') p++;
        return p;
    }
    return NULL;
}

int json_int(const char *json, const char *key, long long *value) {
    const char *p = value_of(json, key);
    if (!p) return -1;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p) return -1;
    *value = v;
    return 0;
}

int json_string(const char *json, const char *key, char *out, size_t size) {
    const char *p = value_of(json, key);
    if (!p || *p != '"') return -1;
    p++;
    size_t n = 0;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' || n + 1 >= size) return -1; /* OneNET's values have no escapes; refuse rather than guess */
        out[n++] = *p;
    }
    if (*p != '"') return -1;
    out[n] = '\0';
    return 0;
}
