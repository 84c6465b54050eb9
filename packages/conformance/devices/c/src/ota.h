/*
 * A OneNET OTA device (legacy "general OTA" API, protocol §2): one upgrade, done the way OneNET's OTA SDK
 * guidance says. Written as firmware is: fixed buffers, no allocation on the download path, state in "flash".
 *
 * A variant that is no defect: OTA_HOUR_ET signs every request with et an hour after its own clock (ota.c sign).
 *
 * Deliberate defects for proving the conformance suite (build with -D...; never in a real device):
 *   OTA_NO_MD5            installs without comparing the image's md5 with the task's
 *   OTA_NO_PERSIST        keeps nothing across a power cut (store.c): the download starts over
 *   OTA_ANY_2XX           takes any 2xx body as the fragment: no Content-Range, Content-Length or error-byte check
 *   OTA_SKIP_LAST_BYTE    never asks for a one-byte tail, since OneNET's smallest range is 2 bytes: skips it
 *   OTA_ONE_BYTE_RANGE    asks for a one-byte tail as `s-s`, below OneNET's smallest range (it copes with the 200)
 *   OTA_NO_RETRY          gives up (107) at the first failed fragment instead of retrying `retry` times
 *   OTA_OMIT_MANUF_MODEL  checks for its task without manuf and model, as OneNET's own C SDK does
 *   OTA_NO_DIFF           installs a differential package as if it were the image
 *   OTA_STALE_ET          signs one token at start, valid for an hour of its clock, and never renews it
 *   OTA_TOKEN_CHECK_ONCE  checks the upgrade token before the first fragment only
 *   OTA_LF_ONLY           ends its request line and headers with "\n" alone (http.c), as hand-rolled clients do
 *   OTA_LENGTH_ONLY       reads a JSON answer by its Content-Length alone: a chunked one is no answer (http.c)
 */
#ifndef OTA_OTA_H
#define OTA_OTA_H

typedef struct {
    const char *base_url;   /* http://host:port */
    const char *product_id;
    const char *access_key; /* the product's key: product-level tokens */
    const char *dev_id;
    const char *version;    /* the version running now */
    const char *manuf, *model;
    int type;               /* 1 FOTA, 2 SOTA */
    long fragment_size;
    const char *state_dir;  /* where the download survives a power cut */
    const char *firmware;   /* the image running now: the base of a differential package */
    const char *output;     /* where the installed image goes */
    int power, signal;      /* -1: not measured */
} ota_config;

/* How the run ended, for the exit status and the one-line summary. */
typedef enum { OTA_UPGRADED, OTA_NO_TASK, OTA_FAILED, OTA_STOPPED, OTA_ERROR } ota_outcome;

ota_outcome ota_run(const ota_config *config, char *detail, unsigned detail_size);

#endif
