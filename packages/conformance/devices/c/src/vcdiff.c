#include "vcdiff.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NOOP, ADD, RUN, COPY };
enum { NEAR_SLOTS = 4, SAME_SLOTS = 3 };
#define VCD_SOURCE 0x01
#define VCD_TARGET 0x02
#define VCD_ADLER32 0x04
/* The largest window this device restores; the platform writes 1 MiB windows, xdelta3 at most 8 MiB. */
#define MAX_WINDOW (8u << 20)

typedef struct {
    uint8_t type, size, mode;
} instruction;

static instruction table[256][2];

/* The default code table, built as RFC 3284 §5.6 describes it. */
static void build_table(void) {
    int code = 0;
    table[code++][0] = (instruction){RUN, 0, 0};
    for (int size = 0; size <= 17; size++) table[code++][0] = (instruction){ADD, (uint8_t)size, 0};
    for (int mode = 0; mode <= 8; mode++) {
        table[code++][0] = (instruction){COPY, 0, (uint8_t)mode};
        for (int size = 4; size <= 18; size++) table[code++][0] = (instruction){COPY, (uint8_t)size, (uint8_t)mode};
    }
    for (int mode = 0; mode <= 5; mode++)
        for (int add = 1; add <= 4; add++)
            for (int copy = 4; copy <= 6; copy++) {
                table[code][0] = (instruction){ADD, (uint8_t)add, 0};
                table[code++][1] = (instruction){COPY, (uint8_t)copy, (uint8_t)mode};
            }
    for (int mode = 6; mode <= 8; mode++)
        for (int add = 1; add <= 4; add++) {
            table[code][0] = (instruction){ADD, (uint8_t)add, 0};
            table[code++][1] = (instruction){COPY, 4, (uint8_t)mode};
        }
    for (int mode = 0; mode <= 8; mode++) {
        table[code][0] = (instruction){COPY, 4, (uint8_t)mode};
        table[code++][1] = (instruction){ADD, 1, 0};
    }
}

static int read_byte(FILE *f, uint32_t *out) {
    int c = fgetc(f);
    if (c == EOF) return -1;
    *out = (uint32_t)c;
    return 0;
}

/* VCDIFF integers: base 128, most significant digit first, high bit set on all but the last. */
static int read_varint(FILE *f, uint32_t *out) {
    uint64_t value = 0;
    for (int i = 0; i < 5; i++) {
        int c = fgetc(f);
        if (c == EOF) return -1;
        value = value << 7 | (uint64_t)(c & 0x7f);
        if (!(c & 0x80)) {
            if (value > UINT32_MAX) return -1;
            *out = (uint32_t)value;
            return 0;
        }
    }
    return -1;
}

static int varint_at(const uint8_t *bytes, uint32_t length, uint32_t *at, uint32_t *out) {
    uint64_t value = 0;
    for (int i = 0; i < 5 && *at < length; i++) {
        uint8_t c = bytes[(*at)++];
        value = value << 7 | (c & 0x7f);
        if (!(c & 0x80)) {
            if (value > UINT32_MAX) return -1;
            *out = (uint32_t)value;
            return 0;
        }
    }
    return -1;
}

static uint32_t adler32(const uint8_t *bytes, uint32_t length) {
    uint32_t a = 1, b = 0;
    for (uint32_t i = 0; i < length; i++) {
        a = (a + bytes[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

static int read_exact(FILE *f, uint8_t *into, uint32_t length) {
    return length == 0 || fread(into, 1, length, f) == length ? 0 : -1;
}

/* Decodes one window into `target`. */
static int decode_window(FILE *patch, int base, off_t base_size, uint32_t indicator, int out) {
    uint32_t segment_length = 0, segment_position = 0, skip, target_length, delta, data_length, inst_length,
             addr_length, checksum = 0;
    if (indicator & VCD_TARGET) return VCDIFF_BAD_PATCH;
    if (indicator & VCD_SOURCE) {
        if (read_varint(patch, &segment_length) || read_varint(patch, &segment_position)) return VCDIFF_BAD_PATCH;
        if ((off_t)segment_position + segment_length > base_size) return VCDIFF_WRONG_BASE;
    }
    if (read_varint(patch, &skip) || read_varint(patch, &target_length) || read_byte(patch, &delta) || delta != 0 ||
        read_varint(patch, &data_length) || read_varint(patch, &inst_length) || read_varint(patch, &addr_length))
        return VCDIFF_BAD_PATCH;
    if (target_length > MAX_WINDOW || data_length > MAX_WINDOW || inst_length > MAX_WINDOW ||
        addr_length > MAX_WINDOW)
        return VCDIFF_BAD_PATCH;
    if (indicator & VCD_ADLER32) {
        for (int i = 0; i < 4; i++) {
            uint32_t b;
            if (read_byte(patch, &b)) return VCDIFF_BAD_PATCH;
            checksum = checksum << 8 | b;
        }
    }
    int result = VCDIFF_BAD_PATCH;
    uint8_t *target = malloc(target_length + 1), *data = malloc(data_length + 1), *inst = malloc(inst_length + 1),
            *addr = malloc(addr_length + 1);
    if (!target || !data || !inst || !addr) goto done;
    if (read_exact(patch, data, data_length) || read_exact(patch, inst, inst_length) ||
        read_exact(patch, addr, addr_length))
        goto done;

    uint32_t near[NEAR_SLOTS] = {0}, same[SAME_SLOTS * 256] = {0}, next_near = 0;
    uint32_t t = 0, d = 0, i = 0, a = 0;
    while (i < inst_length) {
        const instruction *pair = table[inst[i++]];
        for (int half = 0; half < 2; half++) {
            instruction in = pair[half];
            if (in.type == NOOP) continue;
            uint32_t size = in.size;
            if (size == 0 && varint_at(inst, inst_length, &i, &size)) goto done;
            if (size > target_length - t) goto done;
            if (in.type == ADD) {
                if (size > data_length - d) goto done;
                memcpy(target + t, data + d, size);
                d += size;
            } else if (in.type == RUN) {
                if (d >= data_length) goto done;
                memset(target + t, data[d++], size);
            } else {
                uint32_t here = segment_length + t, address;
                if (in.mode < 2 + NEAR_SLOTS) { /* SELF, HERE and NEAR carry an integer */
                    if (varint_at(addr, addr_length, &a, &address)) goto done;
                    if (in.mode == 1) address = here - address;
                    else if (in.mode >= 2) address += near[in.mode - 2];
                } else {
                    if (a >= addr_length) goto done;
                    address = same[(in.mode - 2 - NEAR_SLOTS) * 256 + addr[a++]];
                }
                if (address >= here) goto done;
                near[next_near] = address;
                next_near = (next_near + 1) % NEAR_SLOTS;
                same[address % (SAME_SLOTS * 256)] = address;
                uint32_t written = 0;
                if (address < segment_length) {
                    /* From the base image; a copy may run on from the base into the window it is writing. */
                    written = size < segment_length - address ? size : segment_length - address;
                    if (pread(base, target + t, written, (off_t)segment_position + address) != (ssize_t)written) {
                        result = VCDIFF_WRONG_BASE;
                        goto done;
                    }
                }
                for (uint32_t k = written; k < size; k++) target[t + k] = target[address - segment_length + k];
            }
            t += size;
        }
    }
    if (t != target_length) goto done;
    if ((indicator & VCD_ADLER32) && adler32(target, target_length) != checksum) {
        result = VCDIFF_WRONG_BASE;
        goto done;
    }
    result = write(out, target, target_length) == (ssize_t)target_length ? VCDIFF_OK : VCDIFF_IO;
done:
    free(target);
    free(data);
    free(inst);
    free(addr);
    return result;
}

int vcdiff_restore(const char *base_path, const char *patch_path, const char *output_path) {
    build_table();
    int result = VCDIFF_IO;
    FILE *patch = fopen(patch_path, "rb");
    int base = open(base_path, O_RDONLY);
    int out = open(output_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct stat st;
    if (!patch || base < 0 || out < 0 || fstat(base, &st) != 0) goto done;
    uint8_t magic[4];
    uint32_t header, indicator, length;
    result = VCDIFF_BAD_PATCH;
    if (read_exact(patch, magic, 4) || memcmp(magic, "\xd6\xc3\xc4\x00", 4) != 0 || read_byte(patch, &header))
        goto done;
    if (header & 0x03) goto done; /* secondary compression or a custom code table: not this decoder's */
    if (header & 0x04) {           /* xdelta3's application header: skipped */
        if (read_varint(patch, &length) || fseek(patch, (long)length, SEEK_CUR) != 0) goto done;
    }
    while (read_byte(patch, &indicator) == 0) {
        result = decode_window(patch, base, st.st_size, indicator, out);
        if (result != VCDIFF_OK) goto done;
    }
    result = VCDIFF_OK;
done:
    if (patch) fclose(patch);
    if (base >= 0) close(base);
    if (out >= 0 && close(out) != 0 && result == VCDIFF_OK) result = VCDIFF_IO;
    return result;
}
