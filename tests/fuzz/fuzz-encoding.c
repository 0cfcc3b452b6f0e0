/* SPDX-License-Identifier: Apache-2.0 */
/* The strict text decoders on any text: base64, hex, numbers and TCB strings. Oracles where the
 * identity holds: base64 has one encoding per input, so what decodes encodes back to the same
 * text; hex decodes and encodes back to the lowercase text; a decimal number without leading
 * zeros prints back to itself; a parsed TCB formats, and its text parses back to the same TCB.
 * base64_read_structure() (ID block and auth files, on a memfd) returns an input of the raw size
 * as it is, and anything else only when it is the canonical base64 of the result followed by
 * white space. */
#include <errno.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "fuzz.h"
#include "hex.h"
#include "parse.h"
#include "report.h"
#include "snp-abi.h"

static void check_base64(const char *s, size_t len) {
        _cleanup_(freep) uint8_t *data = NULL;
        _cleanup_(freep) char *again = NULL;
        size_t n = 0;

        if (base64_decode(s, len, &data, &n) < 0)
                return;
        again = base64_encode(data, n);
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(strlen(again) == len && memcmp(again, s, len) == 0);
}

static void check_hex(const char *s, size_t len) {
        _cleanup_(freep) uint8_t *data = NULL, *exact = NULL;
        _cleanup_(freep) char *again = NULL;
        size_t n = 0;

        if (hex_decode(s, &data, &n) < 0) {
                uint8_t one[4];

                /* No size makes an undecodable string decode. */
                FUZZ_CHECK(hex_decode_exact(s, one, sizeof(one)) < 0);
                return;
        }
        FUZZ_CHECK(n * 2 == len);
        again = hex_encode(data, n);
        FUZZ_CHECK(again != NULL);
        for (size_t i = 0; i < len; i++)
                FUZZ_CHECK(again[i] == tolower((unsigned char) s[i]));
        exact = malloc(n);
        FUZZ_CHECK(exact != NULL);
        FUZZ_CHECK(hex_decode_exact(s, exact, n) == 0 && memcmp(exact, data, n) == 0);
        if (n > 1)
                FUZZ_CHECK(hex_decode_exact(s, exact, n - 1) == -ERANGE);
}

static void check_number(const char *s, size_t len) {
        bool canonical = len > 0 && len < 21 && (s[0] != '0' || len == 1);
        char buf[32];
        uint64_t u;
        unsigned v;

        for (size_t i = 0; i < len; i++)
                canonical = canonical && s[i] >= '0' && s[i] <= '9';
        if (parse_u64(s, &u) == 0) {
                snprintf(buf, sizeof(buf), "%" PRIu64, u);
                if (canonical)
                        FUZZ_CHECK(strcmp(buf, s) == 0);
        } else if (canonical) {
                /* Only a number above 2^64-1 is refused. */
                FUZZ_CHECK(len == 20 && strcmp(s, "18446744073709551615") > 0);
        }
        if (parse_uint(s, 1, 512, &v) == 0) {
                FUZZ_CHECK(v >= 1 && v <= 512);
                FUZZ_CHECK(parse_u64(s, &u) == 0 && u == v);
        }
}

static void check_tcb(const char *s) {
        struct snp_tcb tcb, again;
        char buf[128], spec[128];

        if (report_tcb_parse(s, &tcb) < 0)
                return;
        report_tcb_format(&tcb, buf, sizeof(buf));
        /* "fmc=0 bl=1 tee=0 snp=2 ucode=71" -> "fmc=0,bl=1,tee=0,snp=2,ucode=71" */
        snprintf(spec, sizeof(spec), "%s", buf);
        for (char *p = spec; *p; p++)
                if (*p == ' ')
                        *p = ',';
        FUZZ_CHECK(report_tcb_parse(spec, &again) == 0);
        FUZZ_CHECK(tcb.has_fmc == again.has_fmc && (!tcb.has_fmc || tcb.fmc == again.fmc));
        FUZZ_CHECK(tcb.bootloader == again.bootloader && tcb.tee == again.tee);
        FUZZ_CHECK(tcb.snp == again.snp && tcb.microcode == again.microcode);
}

static void check_structure(const uint8_t *data, size_t size, size_t raw_size) {
        _cleanup_(freep) uint8_t *out = NULL;
        _cleanup_(freep) char *again = NULL;
        size_t n = 0, len = size;
        char path[32];
        int fd = fuzz_memfd(data, size, path), r;

        r = base64_read_structure(path, raw_size, &out, &n);
        close(fd);
        if (r < 0)
                return;
        if (size == raw_size) {
                FUZZ_CHECK(n == size && memcmp(out, data, n) == 0);
                return;
        }
        while (len > 0 && (data[len - 1] == ' ' || data[len - 1] == '\t' ||
                           data[len - 1] == '\r' || data[len - 1] == '\n'))
                len--;
        again = base64_encode(out, n);
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(strlen(again) == len && memcmp(again, data, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) char *s = NULL;
        size_t len;

        if (size > 65536)
                return 0;
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        len = strlen(s);
        /* base64_decode() takes a length: the whole input, NULs and all. */
        check_base64((const char *) data, size);
        check_hex(s, len);
        check_number(s, len);
        check_tcb(s);
        check_structure(data, size, SNP_ID_BLOCK_SIZE);
        return 0;
}
