/* SPDX-License-Identifier: Apache-2.0 */
/* luks.c: the binding's syntax, and luks_inspect()/luks_check_device() on a LUKS2 image made
 * here with cryptsetup on a regular file (skipped without cryptsetup). tests/cli/test-disk.sh
 * covers the refusals and recomputes the binding independently. */
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "luks.h"

#define UUID "0f6e5d4c-3b2a-1908-f7e6-d5c4b3a29180"
#define HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void test_parse_format(void **state) {
        struct luks_binding b;
        char s[LUKS_BINDING_STRING_SIZE];

        (void) state;
        assert_int_equal(luks_binding_parse(UUID ":" HEX, &b), 0);
        assert_string_equal(b.uuid, UUID);
        assert_int_equal(b.hash[0], 0x00);
        assert_int_equal(b.hash[31], 0xff);
        luks_binding_format(&b, s);
        assert_string_equal(s, UUID ":" HEX);
        assert_int_equal(strlen(s) + 1, LUKS_BINDING_STRING_SIZE);
        /* Upper-case hex digits parse; the output is lower case. */
        assert_int_equal(luks_binding_parse(UUID ":00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", &b), 0);
        luks_binding_format(&b, s);
        assert_string_equal(s, UUID ":" HEX);
}

static void test_parse_bad(void **state) {
        static const char *const bad[] = {
                "", ":", UUID, UUID ":", ":" HEX, UUID HEX,
                UUID ":" HEX "0", UUID ":" HEX ":", UUID ":" HEX " ",
                "0f6e5d4c-3b2a-1908-f7e6-d5c4b3a2918:" HEX,             /* UUID one short */
                "0f6e5d4c-3b2a-1908-f7e6-d5c4b3a291800:" HEX,           /* one long */
                "0f6e5d4c_3b2a-1908-f7e6-d5c4b3a29180:" HEX,            /* no dash */
                "0f6e5d4c-3b2a-1908-f7e6-d5c4b3a2918g:" HEX,            /* not hex */
                "0f6e5d4c3b2a-1908-f7e6-d5c4b3a29180-:" HEX,            /* dash moved */
                UUID ":00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
                UUID ":00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",
                " " UUID ":" HEX,
        };
        struct luks_binding b = { .uuid = "untouched" };

        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(luks_binding_parse(bad[i], &b), -EINVAL);
                assert_string_equal(b.uuid, "untouched");
        }
}

struct image {
        char dir[64];
        char img[128];
        char hdr[128];
        bool ok;                /* cryptsetup made the image */
};

/* A 20 MiB LUKS2 image with a quick PBKDF2 keyslot, in a new folder. */
static int setup_image(void **state) {
        static struct image im;
        char cmd[512];

        snprintf(im.dir, sizeof(im.dir), "/tmp/test-luks.XXXXXX");
        if (!mkdtemp(im.dir))
                return -1;
        snprintf(im.img, sizeof(im.img), "%s/a.img", im.dir);
        snprintf(im.hdr, sizeof(im.hdr), "%s/hdr", im.dir);
        snprintf(cmd, sizeof(cmd), "PATH=$PATH:/usr/sbin:/sbin; truncate -s 20M %s && printf pw | "
                 "cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 "
                 "--pbkdf-force-iterations 1000 --key-file=- %s >/dev/null 2>&1", im.img, im.img);
        im.ok = system(cmd) == 0;
        *state = &im;
        return 0;
}

static int teardown_image(void **state) {
        struct image *im = *state;
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", im->dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void test_inspect_and_check(void **state) {
        struct image *im = *state;
        struct luks_info info, info2;
        struct luks_binding other;
        struct stat st;

        if (!im->ok)
                skip();
        assert_int_equal(luks_inspect(im->img, &info), 1);
        assert_string_equal(info.cipher, LUKS_ALLOWED_CIPHER);
        assert_int_equal(info.key_bits, 512);
        assert_int_equal(info.keyslots, 1);
        assert_int_equal(strlen(info.binding.uuid), 36);
        assert_string_equal(info.reason, "");

        /* The bound volume: the copy stays, mode 0400, and binds the same. */
        assert_int_equal(luks_check_device(im->img, &info.binding, im->hdr, &info2), 1);
        assert_int_equal(stat(im->hdr, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0400);
        assert_false(info2.not_bound);
        assert_memory_equal(&info2.binding, &info.binding, sizeof(info.binding));
        assert_int_equal(luks_inspect(im->hdr, &info2), 1);
        assert_memory_equal(&info2.binding, &info.binding, sizeof(info.binding));

        /* An existing copy is never overwritten nor removed. */
        assert_int_equal(luks_check_device(im->img, &info.binding, im->hdr, &info2), -EEXIST);
        assert_int_equal(stat(im->hdr, &st), 0);
        assert_int_equal(unlink(im->hdr), 0);

        /* Another binding: refused as not bound, the copy removed. */
        other = info.binding;
        other.hash[0] ^= 1;
        assert_int_equal(luks_check_device(im->img, &other, im->hdr, &info2), 0);
        assert_true(info2.not_bound);
        assert_non_null(strstr(info2.reason, "matches, but its volume key digest or segment differ"));
        assert_int_equal(stat(im->hdr, &st), -1);
        memcpy(other.uuid, "00000000", 8);
        assert_int_equal(luks_check_device(im->img, &other, im->hdr, &info2), 0);
        assert_true(info2.not_bound);
        assert_non_null(strstr(info2.reason, " is not 00000000-"));
        assert_int_equal(stat(im->hdr, &st), -1);

        /* Missing device: an error, not a refusal. */
        assert_int_equal(luks_check_device("/nonexistent/disk", &info.binding, im->hdr, &info2),
                         -ENOENT);
        assert_int_equal(luks_inspect("/nonexistent/disk", &info2), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_format),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test_setup_teardown(test_inspect_and_check, setup_image, teardown_image),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
