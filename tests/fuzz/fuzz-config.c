/* SPDX-License-Identifier: Apache-2.0 */
/* config_load_string() on any text (as a verifier elsewhere loads it: no file checks), the JSON
 * writers on every config that loads, and a reload of what config_format() wrote; the same bytes
 * as a file (config_load() on a memfd). Oracles: a failed load returns no config and names at
 * least one error; the file loads as the text does, and not at all with a NUL byte in it; the
 * formatted config loads again and formats to the same text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "config.h"
#include "fuzz.h"

static void put_json(struct json_object **o) {
        if (*o)
                json_object_put(*o);
}

static void load_file(const uint8_t *data, size_t size, int r_text) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        char path[32];
        int fd = fuzz_memfd(data, size, path), r;

        r = config_load(path, CONFIG_SKIP_FILE_CHECKS, NULL, &c);
        close(fd);
        if (r == -ENOMEM || r_text == -ENOMEM)
                return;
        if (memchr(data, 0, size))
                FUZZ_CHECK(r == -EINVAL && c == NULL);
        else
                FUZZ_CHECK(r == r_text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(config_problems_clear) struct config_problems problems = {};
        _cleanup_(config_problems_clear) struct config_problems again_problems = {};
        _cleanup_(config_freep) struct vm_config *c = NULL, *again = NULL;
        _cleanup_(put_json) struct json_object *j = NULL, *jd = NULL, *jw = NULL;
        _cleanup_(freep) char *text = NULL, *fmt = NULL, *fmt2 = NULL, *tmpl = NULL;
        int r;

        if (size > (1 << 20))
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;

        r = config_load_string(text, "vm.json", "/nonexistent", CONFIG_SKIP_FILE_CHECKS,
                               &problems, &c);
        load_file(data, size, r);
        if (r == -ENOMEM)
                return 0;
        if (r < 0) {
                FUZZ_CHECK(c == NULL && r == -EINVAL && problems.n_errors > 0);
                return 0;
        }
        FUZZ_CHECK(c != NULL && problems.n_errors == 0);
        FUZZ_CHECK(config_to_json(c, &j) == 0);
        FUZZ_CHECK(config_to_json_decoded(c, &jd) == 0);
        FUZZ_CHECK(config_problems_to_json(&problems, true, &jw) == 0);
        FUZZ_CHECK(config_format_template(c, &tmpl) == 0);
        FUZZ_CHECK(config_format(c, &fmt) == 0);

        r = config_load_string(fmt, "vm.json", "/nonexistent", CONFIG_SKIP_FILE_CHECKS,
                               &again_problems, &again);
        if (r < 0)
                fprintf(stderr, "formatted config does not load:\n%s\n", fmt);
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(config_format(again, &fmt2) == 0);
        FUZZ_CHECK(strcmp(fmt, fmt2) == 0);
        return 0;
}
