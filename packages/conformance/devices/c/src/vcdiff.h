/*
 * Restores an image from a VCDIFF patch (RFC 3284) and the image the device runs: the default code table, no
 * secondary compression, xdelta3's Adler-32 per window (checked, so a patch made from another image is refused
 * rather than installed). Memory is one target window and its sections; the base image is read by position.
 */
#ifndef OTA_VCDIFF_H
#define OTA_VCDIFF_H

/* Why a restore failed. */
enum { VCDIFF_OK = 0, VCDIFF_WRONG_BASE = -1, VCDIFF_BAD_PATCH = -2, VCDIFF_IO = -3 };

/* Restores `patch` applied to `base` into `output`. Returns VCDIFF_OK or a reason. */
int vcdiff_restore(const char *base, const char *patch, const char *output);

#endif
