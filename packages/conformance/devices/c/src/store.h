/*
 * What survives a power cut: the download's state and the image so far, in a directory (the flash of a board).
 * The bytes are written before the state that counts them, and the state is replaced atomically (write, then
 * rename), so after a cut the device never trusts bytes it does not have.
 */
#ifndef OTA_STORE_H
#define OTA_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char md5[33];
    long long size;
    char target[24];
    long long offset;   /* bytes of the image on disk */
    int retries_used;   /* fragment retries, across restarts */
    int progress;       /* last progress step reported */
    int download_done;  /* 101 accepted */
} ota_state;

/* Sets where the store lives; creates the directory. Returns 0 or -1. */
int store_open(const char *dir);
/* Loads the saved state; returns 0, or -1 when there is none (or it is torn). */
int store_load(ota_state *state);
int store_save(const ota_state *state);
/* Writes bytes of the image at `offset`. */
int store_write(long long offset, const void *bytes, size_t length);
/* The image file, for reading back (md5, install, restore). */
const char *store_image_path(void);
/* Forgets the download: state and image. */
void store_clear(void);

#endif
