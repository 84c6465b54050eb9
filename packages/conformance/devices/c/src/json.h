/*
 * Just enough JSON for OneNET's answers: `{"errno":0,"error":"succ","data":{"target":"V2.0",...}}`. Keys are
 * looked up by name (every key OneNET sends is unique within its answer), values are numbers or plain strings.
 */
#ifndef OTA_JSON_H
#define OTA_JSON_H

#include <stddef.h>

/* Reads the number after "key": into *value; returns 0, or -1 when the key is missing or not a number. */
int json_int(const char *json, const char *key, long long *value);
/* Copies the string after "key": into out; returns 0, or -1 when missing, not a string or too long. */
int json_string(const char *json, const char *key, char *out, size_t size);

#endif
