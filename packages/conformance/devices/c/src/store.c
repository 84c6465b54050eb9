#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char state_path[512], temp_path[512], image_path[512];

int store_open(const char *dir) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
    snprintf(state_path, sizeof state_path, "%s/state", dir);
    snprintf(temp_path, sizeof temp_path, "%s/state.tmp", dir);
    snprintf(image_path, sizeof image_path, "%s/image.part", dir);
    return 0;
}

int store_load(ota_state *s) {
#ifdef OTA_NO_PERSIST
    /* Mutant: keeps nothing across a restart, so a power cut starts the download over. */
    (void)s;
    return -1;
#else
    FILE *f = fopen(state_path, "r");
    if (!f) return -1;
    int fields = fscanf(f, "%32s %lld %23s %lld %d %d %d", s->md5, &s->size, s->target, &s->offset,
                        &s->retries_used, &s->progress, &s->download_done);
    fclose(f);
    return fields == 7 ? 0 : -1;
#endif
}

int store_save(const ota_state *s) {
    FILE *f = fopen(temp_path, "w");
    if (!f) return -1;
    fprintf(f, "%s %lld %s %lld %d %d %d\n", s->md5, s->size, s->target, s->offset, s->retries_used, s->progress,
            s->download_done);
    if (fclose(f) != 0) return -1;
    return rename(temp_path, state_path);
}

int store_write(long long offset, const void *bytes, size_t length) {
    int fd = open(image_path, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) return -1;
    const char *p = bytes;
    while (length > 0) {
        ssize_t n = pwrite(fd, p, length, (off_t)offset);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        p += n;
        offset += n;
        length -= (size_t)n;
    }
    return close(fd);
}

const char *store_image_path(void) { return image_path; }

void store_clear(void) {
    unlink(state_path);
    unlink(image_path);
}
