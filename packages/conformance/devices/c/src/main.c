/*
 * ota-device-c: a OneNET OTA device in C99 and POSIX, for the conformance suite and for firmware engineers to port.
 * One upgrade, then a one-line JSON summary on stdout. Exit 0 when it upgraded or there was no task, 1 when the
 * upgrade failed or stopped, 2 for a bad command line. Options mirror the SDK's ota-device, and fall back to the
 * same OTA_* environment variables, so `ota-conformance --device-cmd ./ota-device-c` needs no placeholders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ota.h"

typedef struct {
    const char *flag, *env;
    const char **value;
} option;

static int usage(const char *problem) {
    fprintf(stderr,
            "ota-device-c: %s\n"
            "Usage: ota-device-c --base-url URL --product-id PID --access-key KEY --dev-id N --version V\n"
            "       [--type 1|2] [--manuf CODE] [--model CODE] [--fragment-size N] [--state-dir DIR]\n"
            "       [--firmware FILE] [--output FILE] [--power N] [--signal N]   (or OTA_BASE_URL, OTA_PRODUCT_ID, ...)\n",
            problem);
    return 2;
}

static const char *text(const char *value) {
    static char escaped[256];
    size_t o = 0;
    for (; *value && o + 2 < sizeof escaped; value++) {
        if (*value == '"' || *value == '\\') escaped[o++] = '\\';
        escaped[o++] = *value;
    }
    escaped[o] = '\0';
    return escaped;
}

int main(int argc, char **argv) {
    const char *base_url = NULL, *product_id = NULL, *access_key = NULL, *dev_id = NULL, *version = NULL,
               *type = "2", *manuf = "100", *model = "10001", *fragment = "4096", *state_dir = "ota-state",
               *firmware = NULL, *output = NULL, *power = NULL, *signal = NULL;
    option options[] = {
        {"--base-url", "OTA_BASE_URL", &base_url},        {"--product-id", "OTA_PRODUCT_ID", &product_id},
        {"--access-key", "OTA_ACCESS_KEY", &access_key},  {"--dev-id", "OTA_DEV_ID", &dev_id},
        {"--version", "OTA_VERSION", &version},           {"--type", "OTA_TYPE", &type},
        {"--manuf", "OTA_MANUF", &manuf},                 {"--model", "OTA_MODEL", &model},
        {"--fragment-size", "OTA_FRAGMENT_SIZE", &fragment}, {"--state-dir", "OTA_STATE_DIR", &state_dir},
        {"--firmware", "OTA_FIRMWARE", &firmware},        {"--output", "OTA_OUTPUT", &output},
        {"--power", "OTA_POWER", &power},                 {"--signal", "OTA_SIGNAL", &signal},
    };
    const size_t count = sizeof options / sizeof options[0];
    for (size_t i = 0; i < count; i++) {
        const char *from_env = getenv(options[i].env);
        if (from_env && *from_env) *options[i].value = from_env;
    }
    for (int a = 1; a < argc; a++) {
        size_t i = 0;
        while (i < count && strcmp(argv[a], options[i].flag) != 0) i++;
        if (i == count) return usage("unknown option");
        if (++a == argc) return usage("an option lacks its value");
        *options[i].value = argv[a];
    }
    if (!base_url || !product_id || !access_key || !dev_id || !version)
        return usage("--base-url, --product-id, --access-key, --dev-id and --version are required");
    ota_config config = {
        .base_url = base_url, .product_id = product_id, .access_key = access_key, .dev_id = dev_id,
        .version = version, .manuf = manuf, .model = model, .type = atoi(type) == 1 ? 1 : 2,
        .fragment_size = atol(fragment), .state_dir = state_dir,
        .firmware = firmware && *firmware ? firmware : NULL, .output = output && *output ? output : NULL,
        .power = power && *power ? atoi(power) : -1, .signal = signal && *signal ? atoi(signal) : -1,
    };
    if (config.fragment_size < 2) return usage("--fragment-size must be at least 2 (OneNET's smallest range)");
    char detail[256] = "";
    ota_outcome outcome = ota_run(&config, detail, sizeof detail);
    static const char *names[] = {"upgraded", "no-task", "failed", "stopped", "error"};
    printf("{\"outcome\":\"%s\",\"detail\":\"%s\"}\n", names[outcome], text(detail));
    return outcome == OTA_UPGRADED || outcome == OTA_NO_TASK ? 0 : 1;
}
