#include "ota.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "json.h"
#include "md5.h"
#include "store.h"
#include "token.h"
#include "vcdiff.h"

/* Task check answers and token check answers (protocol §2.2, §2.3). */
enum { ERRNO_OK = 0, ERRNO_NO_TASK = 11, ERRNO_EXPIRED = 12, ERRNO_SUPERSEDED = 15, ERRNO_INVALID_STATE = 17,
       ERRNO_PAUSED = 19, ERRNO_FINISHED = 20, ERRNO_CANCELED = 22 };
/* Status codes (§2.5). */
enum { DOWNLOADED = 101, LOW_BATTERY = 105, WEAK_SIGNAL = 106, DOWNLOAD_FAILED = 107, SUCCEEDED = 201,
       VERSION_MISMATCH = 204, MD5_MISMATCH = 205, UPGRADE_FAILED = 206, RETRIES_EXHAUSTED = 207 };
/* One copy buffer for the whole download path. */
#define CHUNK 4096

typedef struct {
    char target[24], token[64], md5[33];
    long long size;
    int signal, power, retry, interval, type; /* type 1 full package, 2 differential */
} task_info;

typedef struct {
    const ota_config *config;
    http_target platform;
    char authorization[256];
    ota_state state;
    char *detail;
    unsigned detail_size;
} device;

static void say(device *d, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(d->detail, d->detail_size, format, args);
    va_end(args);
    fprintf(stderr, "ota-device-c: %s\n", d->detail);
}

/*
 * The Authorization of the next request. By default one token until 2050, signed once, as OneNET's own SDK does.
 * OTA_HOUR_ET signs each request anew with et one hour after the device's clock, as firmware that keeps NTP time
 * does: it works wherever its clock follows the platform's. OTA_STALE_ET signs one such token at start and keeps it.
 */
static int sign(device *d) {
#if defined(OTA_HOUR_ET) || defined(OTA_STALE_ET)
    long long et = (long long)time(NULL) + 3600;
#else
    long long et = 2524579200LL; /* 2050-01-01 */
#endif
#ifndef OTA_HOUR_ET
    if (d->authorization[0] != '\0') return 0;
#endif
    return token_sign(d->authorization, sizeof d->authorization, d->config->product_id, d->config->access_key, et);
}

/* A southbound JSON call; returns the errno, or -1 when the network or the answer failed. */
static int call(device *d, const char *method, const char *path, const char *body, char *answer, size_t size) {
    char buffer[512];
    if (sign(d) != 0) return -1;
    if (!answer) {
        answer = buffer;
        size = sizeof buffer;
    }
    if (http_json(&d->platform, method, path, d->authorization, body, answer, size) != 200) return -1;
    long long errno_value;
    return json_int(answer, "errno", &errno_value) == 0 ? (int)errno_value : -1;
}

/* A step or status code, through /progress (it carries both, as the official SDK sends them). */
static int report(device *d, const char *token, int code) {
    char path[192], body[32];
    snprintf(path, sizeof path, "/ota/south/device/download/%s/progress?dev_id=%s", token, d->config->dev_id);
    snprintf(body, sizeof body, "{\"step\":%d}", code);
    int errno_value = call(d, "POST", path, body, NULL, 0);
    fprintf(stderr, "ota-device-c: report %d: errno %d\n", code, errno_value);
    return errno_value;
}

static int report_version(device *d, const char *version) {
    char path[96], body[96];
    snprintf(path, sizeof path, "/ota/device/version?dev_id=%s", d->config->dev_id);
    snprintf(body, sizeof body, "{\"%s\":\"%s\"}", d->config->type == 1 ? "f_version" : "s_version", version);
    return call(d, "POST", path, body, NULL, 0);
}

static int check_token(device *d, const char *token) {
    char path[160];
    snprintf(path, sizeof path, "/ota/south/download/%s/check?dev_id=%s", token, d->config->dev_id);
    return call(d, "GET", path, NULL, NULL, 0);
}

static int check_task(device *d, task_info *task) {
    char path[256], answer[512];
    const ota_config *c = d->config;
#ifdef OTA_OMIT_MANUF_MODEL
    snprintf(path, sizeof path, "/ota/south/check?type=%d&version=%s&cdn=false&dev_id=%s", c->type, c->version,
             c->dev_id);
#else
    snprintf(path, sizeof path, "/ota/south/check?dev_id=%s&manuf=%s&model=%s&type=%d&version=%s&cdn=false", c->dev_id,
             c->manuf, c->model, c->type, c->version);
#endif
    int errno_value = call(d, "GET", path, NULL, answer, sizeof answer);
    if (errno_value != ERRNO_OK) return errno_value;
    long long v[6];
    if (json_string(answer, "target", task->target, sizeof task->target) ||
        json_string(answer, "token", task->token, sizeof task->token) ||
        json_string(answer, "md5", task->md5, sizeof task->md5) || json_int(answer, "size", &v[0]) ||
        json_int(answer, "signal", &v[1]) || json_int(answer, "power", &v[2]) || json_int(answer, "retry", &v[3]) ||
        json_int(answer, "interval", &v[4]) || json_int(answer, "type", &v[5]))
        return -1;
    task->size = v[0];
    task->signal = (int)v[1];
    task->power = (int)v[2];
    task->retry = (int)v[3];
    task->interval = (int)v[4];
    task->type = (int)v[5];
    return ERRNO_OK;
}

typedef enum { FRAGMENT_OK, FRAGMENT_RETRY, FRAGMENT_ERROR_BYTE } fragment_result;

/*
 * Fetches bytes offset..end into the store. OneNET's smallest range is 2 bytes, so a one-byte tail is asked with
 * the byte before it, and a one-byte package as 0-1 (the platform clamps the end to the file). What a careful
 * device checks: the status, Content-Range against the request, Content-Length, the one-byte error body.
 */
static fragment_result fetch(device *d, const task_info *task, long long offset, long long end, long long *received,
                             int *error_code) {
#ifdef OTA_ONE_BYTE_RANGE
    long long from = offset, asked_end = end; /* mutant: a one-byte tail asked as it is */
#else
    long long from = end - offset + 1 >= 2 ? offset : (end >= 1 ? end - 1 : 0);
    long long asked_end = end > from + 1 ? end : from + 1;
#endif
    long long served_end = asked_end < task->size - 1 ? asked_end : task->size - 1;
    char path[128], headers[384];
    if (sign(d) != 0) return FRAGMENT_RETRY;
    snprintf(path, sizeof path, "/ota/south/download/%s", task->token);
    snprintf(headers, sizeof headers, "Authorization: %s\r\nRange: bytes=%lld-%lld\r\n", d->authorization, from,
             asked_end);
    http_response r;
    *received = 0;
    if (http_request(&d->platform, "GET", path, headers, NULL, &r) != 0) return FRAGMENT_RETRY;
    static unsigned char chunk[CHUNK];
    long long skip, want;
#ifdef OTA_ANY_2XX
    /* Mutant: whatever a 2xx carries is the fragment, as much as the fragment buffer holds. */
    (void)served_end;
    (void)error_code;
    if (r.status < 200 || r.status > 299) goto retry;
    skip = 0;
    want = d->config->fragment_size + 512;
#else
    if (r.status == 206) {
        if (!r.has_content_range || r.range_start != from || r.range_end != served_end || r.range_total != task->size ||
            r.content_length != served_end - from + 1) {
            fprintf(stderr, "ota-device-c: Content-Range %lld-%lld/%lld is not %lld-%lld/%lld\n", r.range_start,
                    r.range_end, r.range_total, from, served_end, task->size);
            goto retry;
        }
        skip = offset - from;
    } else if (r.status == 200 && r.content_length == task->size) {
        skip = offset; /* a 200 to a Range request is the whole file: take the part asked for */
    } else if (r.status == 200 && r.content_length < 0) {
        /* OneNET's error body: no Content-Length, one byte ("1" not found, "2" size changed, "3" invalid token). */
        unsigned char byte[2];
        long n = http_read(&r, byte, 2);
        if (n == 1) {
            *error_code = byte[0] >= '0' && byte[0] <= '9' ? byte[0] - '0' : byte[0];
            http_close(&r);
            return *error_code >= 1 && *error_code <= 3 ? FRAGMENT_ERROR_BYTE : FRAGMENT_RETRY;
        }
        goto retry;
    } else {
        goto retry;
    }
    want = end - offset + 1;
#endif
    while (*received < want) {
        long n = http_read(&r, chunk, sizeof chunk);
        if (n <= 0) break;
        long take = n;
        if (skip > 0) {
            long drop = skip < take ? (long)skip : take;
            skip -= drop;
            memmove(chunk, chunk + drop, (size_t)(take - drop));
            take -= drop;
        }
        if (take > want - *received) take = (long)(want - *received);
        if (take > 0 && store_write(offset + *received, chunk, (size_t)take) != 0) break;
        *received += take;
    }
    http_close(&r);
#ifdef OTA_ANY_2XX
    return *received > 0 ? FRAGMENT_OK : FRAGMENT_RETRY;
#else
    return *received == want ? FRAGMENT_OK : FRAGMENT_RETRY;
#endif
retry:
    http_close(&r);
    return FRAGMENT_RETRY;
}

/* Reports a failure, forgets the download and ends the run. */
static ota_outcome fail(device *d, const task_info *task, int code, const char *why) {
    int errno_value = report(d, task->token, code);
    store_clear();
    say(d, "reported %d: %s", code, why);
    return errno_value == ERRNO_FINISHED || errno_value == ERRNO_CANCELED ? OTA_STOPPED : OTA_FAILED;
}

/* 20 and 22: the task ended; stop and report no failure ("无需上报升级失败"). */
static ota_outcome ended(device *d, int errno_value) {
    store_clear();
    say(d, "the task %s (errno %d)", errno_value == ERRNO_CANCELED ? "was canceled" : "ended", errno_value);
    return OTA_STOPPED;
}

static void wait_interval(const task_info *task) { sleep(task->interval > 0 ? (unsigned)task->interval : 5); }

#ifndef OTA_NO_MD5
static int image_md5(long long size, char hex[33]) {
    FILE *f = fopen(store_image_path(), "rb");
    if (!f) return -1;
    static unsigned char chunk[CHUNK];
    md5_ctx ctx;
    md5_init(&ctx);
    long long left = size;
    while (left > 0) {
        size_t n = fread(chunk, 1, left < CHUNK ? (size_t)left : CHUNK, f);
        if (n == 0) break;
        md5_update(&ctx, chunk, n);
        left -= (long long)n;
    }
    fclose(f);
    uint8_t digest[16];
    md5_final(&ctx, digest);
    md5_hex(digest, hex);
    return 0;
}
#endif

/* Writes the image that will run next: the download itself, or the image restored from a differential package. */
static int install(device *d, const task_info *task) {
    const char *output = d->config->output;
    if (!output) return 0; /* nowhere to flash: the download was the point */
    char temporary[512];
    snprintf(temporary, sizeof temporary, "%s.tmp", output);
#ifndef OTA_NO_DIFF
    if (task->type == 2) {
        if (!d->config->firmware) return VCDIFF_WRONG_BASE;
        int result = vcdiff_restore(d->config->firmware, store_image_path(), temporary);
        if (result != VCDIFF_OK) {
            unlink(temporary);
            return result;
        }
        return rename(temporary, output) == 0 ? 0 : VCDIFF_IO;
    }
#endif
    FILE *in = fopen(store_image_path(), "rb"), *out = fopen(temporary, "wb");
    int ok = in && out;
    static unsigned char chunk[CHUNK];
    for (long long left = task->size; ok && left > 0;) {
        size_t n = fread(chunk, 1, left < CHUNK ? (size_t)left : CHUNK, in);
        ok = n > 0 && fwrite(chunk, 1, n, out) == n;
        left -= (long long)n;
    }
    if (in) fclose(in);
    if (out && fclose(out) != 0) ok = 0;
    return ok && rename(temporary, output) == 0 ? 0 : VCDIFF_IO;
}

/* Downloads the rest of the package; returns -1 when done, or the outcome that ended the run. */
static int download(device *d, const task_info *task, int *new_flow) {
    ota_state *s = &d->state;
#ifdef OTA_TOKEN_CHECK_ONCE
    int checked = 0;
#endif
#ifdef OTA_SKIP_LAST_BYTE
    while (task->size - s->offset >= 2) { /* mutant: a one-byte tail can't be asked for, so it is never fetched */
#else
    while (s->offset < task->size) {
#endif
#ifdef OTA_TOKEN_CHECK_ONCE
        int answer = checked ? ERRNO_OK : check_token(d, task->token);
        checked = 1;
#else
        int answer = check_token(d, task->token); /* before every fragment, as the official SDK does */
#endif
        if (answer == ERRNO_EXPIRED || answer == ERRNO_SUPERSEDED) {
            *new_flow = 1;
            return -1;
        }
        if (answer == ERRNO_PAUSED) {
            wait_interval(task); /* a pause uses no retry */
            continue;
        }
        if (answer == ERRNO_FINISHED || answer == ERRNO_CANCELED) return (int)ended(d, answer);
        if (answer == ERRNO_INVALID_STATE && s->download_done) return -1;
        if (answer == ERRNO_OK) {
            long long end = s->offset + d->config->fragment_size;
            end = (end < task->size ? end : task->size) - 1;
            long long received = 0;
            int error_code = 0;
            fragment_result result = fetch(d, task, s->offset, end, &received, &error_code);
            if (received > 0) {
                s->offset += received;
                store_save(s);
            }
            if (result == FRAGMENT_ERROR_BYTE) {
                char why[64];
                snprintf(why, sizeof why, "the download answered error byte %d", error_code);
                return (int)fail(d, task, DOWNLOAD_FAILED, why);
            }
            if (result == FRAGMENT_OK) {
                int step = (int)(s->offset * 100 / task->size);
                if (step < 100 && step >= s->progress + 10 && report(d, task->token, step) == ERRNO_OK) {
                    s->progress = step;
                    store_save(s);
                }
                continue;
            }
        } else if (answer >= 0) {
            say(d, "token check answered %d", answer);
            store_clear();
            return OTA_FAILED;
        }
        /* A failed fragment or token check: retry from the last good byte, `interval` seconds later. */
#ifdef OTA_NO_RETRY
        return (int)fail(d, task, DOWNLOAD_FAILED, "a fragment failed and this device does not retry");
#endif
        s->retries_used++;
        store_save(s);
        if (s->retries_used > task->retry) return (int)fail(d, task, RETRIES_EXHAUSTED, "no retries left");
        sleep((unsigned)task->interval);
    }
    return -1;
}

/* Verifies the image, reports 101, waits out a pause, installs, reports 201 and the new version. */
static ota_outcome finish(device *d, const task_info *task) {
    ota_state *s = &d->state;
#ifndef OTA_NO_MD5
    char md5[33] = "";
    if (image_md5(task->size, md5) != 0 || strcmp(md5, task->md5) != 0)
        return fail(d, task, MD5_MISMATCH, "the image's md5 is not the task's");
#endif
    if (!s->download_done) {
        int answer = report(d, task->token, DOWNLOADED);
        if (answer == ERRNO_FINISHED || answer == ERRNO_CANCELED) return ended(d, answer);
        if (answer != ERRNO_OK) {
            say(d, "101 was refused with errno %d", answer);
            return OTA_ERROR;
        }
        s->download_done = 1;
        store_save(s);
    }
    /* A task paused while downloading holds the device before it upgrades: token check says 19 until resumed. */
    int gate;
    while ((gate = check_token(d, task->token)) == ERRNO_PAUSED) wait_interval(task);
    if (gate == ERRNO_FINISHED || gate == ERRNO_CANCELED) return ended(d, gate);
    int installed = install(d, task);
    if (installed == VCDIFF_WRONG_BASE || installed == VCDIFF_BAD_PATCH)
        return fail(d, task, VERSION_MISMATCH, "the differential package does not apply to this image");
    if (installed != 0) return fail(d, task, UPGRADE_FAILED, "the image could not be written");
    int answer = report(d, task->token, SUCCEEDED);
    store_clear();
    if (answer != ERRNO_OK) {
        say(d, "201 was refused with errno %d", answer);
        return OTA_ERROR;
    }
    report_version(d, task->target); /* rebooted into the new image, it says which version it runs */
    say(d, "installed %s", task->target);
    return OTA_UPGRADED;
}

ota_outcome ota_run(const ota_config *config, char *detail, unsigned detail_size) {
    device d = {.config = config, .detail = detail, .detail_size = detail_size};
    if (http_parse_url(config->base_url, &d.platform) != 0 || sign(&d) != 0) {
        say(&d, "bad base URL or access key");
        return OTA_ERROR;
    }
    if (store_open(config->state_dir) != 0) {
        say(&d, "cannot use the state directory %s", config->state_dir);
        return OTA_ERROR;
    }
    report_version(&d, config->version);
    for (int flows = 0; flows < 5; flows++) {
        task_info task;
        int answer = check_task(&d, &task);
        if (answer == ERRNO_NO_TASK) {
            say(&d, "no task");
            return OTA_NO_TASK;
        }
        if (answer == ERRNO_PAUSED) {
            sleep(5);
            continue;
        }
        if (answer != ERRNO_OK) {
            say(&d, "task check answered %d", answer);
            return OTA_ERROR;
        }
        /* Resume what the store holds for this very package; anything else starts afresh. */
        ota_state saved;
        int same = store_load(&saved) == 0 && strcmp(saved.md5, task.md5) == 0 && saved.size == task.size &&
                   strcmp(saved.target, task.target) == 0;
        if (same) {
            d.state = saved;
        } else {
            store_clear();
            memset(&d.state, 0, sizeof d.state);
            snprintf(d.state.md5, sizeof d.state.md5, "%s", task.md5);
            snprintf(d.state.target, sizeof d.state.target, "%s", task.target);
            d.state.size = task.size;
            store_save(&d.state);
        }
        /* Thresholds are the device's to enforce ("由终端控制"): proceed only above them; 0 asks nothing. */
        if (config->power >= 0 && task.power > 0 && !(config->power > task.power))
            return fail(&d, &task, LOW_BATTERY, "the battery is not above the task's threshold");
        if (config->signal >= 0 && task.signal > 0 && !(config->signal > task.signal))
            return fail(&d, &task, WEAK_SIGNAL, "the signal is not above the task's threshold");
        int new_flow = 0;
        int stop = download(&d, &task, &new_flow);
        if (new_flow) continue;
        if (stop >= 0) return (ota_outcome)stop;
        return finish(&d, &task);
    }
    say(&d, "gave up after 5 task checks");
    return OTA_ERROR;
}
