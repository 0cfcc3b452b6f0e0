/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "base64.h"
#include "cleanup.h"

/* RFC 4648 section 10 test vectors. */
static const char *const rfc[][2] = {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
};

static void rfc4648_vectors(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(rfc); i++) {
                _cleanup_(freep) char *enc = base64_encode(rfc[i][0], strlen(rfc[i][0]));
                _cleanup_(freep) uint8_t *dec = NULL;
                size_t n = 99;

                assert_string_equal(enc, rfc[i][1]);
                assert_int_equal(base64_decode(rfc[i][1], strlen(rfc[i][1]), &dec, &n), 0);
                assert_int_equal(n, strlen(rfc[i][0]));
                assert_memory_equal(dec, rfc[i][0], n);
        }
}

static void binary_alphabet(void **state) {
        static const uint8_t in[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83 };
        _cleanup_(freep) char *enc = base64_encode(in, sizeof(in));

        (void) state;
        assert_string_equal(enc, "+/+/ABCD");
}

static void rejects_noncanonical(void **state) {
        static const char *const bad[] = {
                "Zg=",          /* length not a multiple of 4 */
                "Zg",
                "Zh==",         /* unused bits set */
                "Zm9=",
                "Zm9v\n",       /* whitespace */
                "Zm 9",
                "Z===",         /* too much padding */
                "====",
                "Zg==Zm9v",     /* padding inside */
                "Zm9v_-==",     /* URL-safe alphabet */
                "Zm=v",
        };
        uint8_t *out = NULL;
        size_t n = 0;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = base64_decode(bad[i], strlen(bad[i]), &out, &n);

                if (r != -EINVAL)
                        fail_msg("'%s' decoded (r=%d)", bad[i], r);
                assert_null(out);
        }
}

static void roundtrip_lengths(void **state) {
        uint8_t in[100];

        (void) state;
        for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (uint8_t) (i * 37 + 11);
        for (size_t len = 0; len <= sizeof(in); len++) {
                _cleanup_(freep) char *enc = base64_encode(in, len);
                _cleanup_(freep) uint8_t *dec = NULL;
                size_t n;

                assert_int_equal(strlen(enc), 4 * ((len + 2) / 3));
                assert_int_equal(base64_decode(enc, strlen(enc), &dec, &n), 0);
                assert_int_equal(n, len);
                if (len)
                        assert_memory_equal(dec, in, len);
        }
}

static void write_file(const char *path, const void *data, size_t n) {
        FILE *f = fopen(path, "wb");

        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
}

/* An ID block file: the raw bytes at their exact size, else base64 (idblock's form). */
static void read_structure_forms(void **state) {
        char path[] = "/tmp/snpctl-base64-XXXXXX";
        uint8_t raw[96], big[200];
        uint8_t *data = NULL;
        size_t n = 0;
        int fd = mkstemp(path);

        (void) state;
        assert_true(fd >= 0);
        close(fd);
        for (size_t i = 0; i < sizeof(raw); i++)
                raw[i] = (uint8_t) (i * 7);
        write_file(path, raw, sizeof(raw));
        assert_int_equal(base64_read_structure(path, sizeof(raw), &data, &n), 0);
        assert_int_equal(n, 96);
        assert_memory_equal(data, raw, 96);
        free(data);
        {
                _cleanup_(freep) char *b64 = base64_encode(raw, sizeof(raw));
                _cleanup_(freep) char *line = NULL;

                assert_non_null(b64);
                assert_true(asprintf(&line, "%s\n", b64) > 0);
                write_file(path, line, strlen(line));
        }
        data = NULL;
        assert_int_equal(base64_read_structure(path, sizeof(raw), &data, &n), 0);
        assert_int_equal(n, 96);
        assert_memory_equal(data, raw, 96);
        free(data);
        write_file(path, "Zm9v", 4);        /* base64 of another size: the caller checks */
        data = NULL;
        assert_int_equal(base64_read_structure(path, sizeof(raw), &data, &n), 0);
        assert_int_equal(n, 3);
        free(data);
        write_file(path, raw, 95);          /* neither form */
        assert_int_equal(base64_read_structure(path, sizeof(raw), &data, &n), -EBADMSG);
        memset(big, 'A', sizeof(big));      /* too long for either */
        write_file(path, big, sizeof(big));
        assert_int_equal(base64_read_structure(path, sizeof(raw), &data, &n), -EBADMSG);
        unlink(path);
        assert_int_equal(base64_read_structure(path, sizeof(raw), &data, &n), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rfc4648_vectors),
                cmocka_unit_test(binary_alphabet),
                cmocka_unit_test(rejects_noncanonical),
                cmocka_unit_test(roundtrip_lengths),
                cmocka_unit_test(read_structure_forms),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
