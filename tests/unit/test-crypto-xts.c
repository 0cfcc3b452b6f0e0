/* SPDX-License-Identifier: Apache-2.0 */
/* AES-256-XTS by sector (crypto-xts.h) against IEEE 1619-2007 vector 10 (XTS-AES-256, a 512-byte
 * data unit, data unit sequence number 0xff), which is dm-crypt's plain64 IV of sector 255. */
#include <errno.h>
#include <string.h>

#include "unit.h"

#include "cleanup.h"
#include "crypto-xts.h"
#include "hex.h"

static const char key_hex[] =
        "2718281828459045235360287471352662497757247093699959574966967627"
        "3141592653589793238462643383279502884197169399375105820974944592";
static const char ct_hex[] =
        "1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b"
        "5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd"
        "5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0"
        "c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca"
        "2a3e7a7d7df7b10355165c8b9a6d0a7de8b062c4500dc4cd120c0f7418dae3d0"
        "b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f"
        "93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec"
        "583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba02469a020a"
        "84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1"
        "505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae"
        "9be69a2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29"
        "a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac"
        "6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f"
        "645e8b7e9bfdef33943054ff84011493c27b3429eaedb4ed5376441a77ed4385"
        "1ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa"
        "773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151";

static void vector10(uint8_t key[CRYPTO_XTS_KEY_SIZE], uint8_t pt[512], uint8_t ct[512]) {
        assert_int_equal(hex_decode_exact(key_hex, key, CRYPTO_XTS_KEY_SIZE), 0);
        assert_int_equal(hex_decode_exact(ct_hex, ct, 512), 0);
        for (int i = 0; i < 512; i++)
                pt[i] = (uint8_t) i;
}

static void ieee1619_vector10(void **state) {
        _cleanup_(crypto_xts_freep) struct crypto_xts *enc = NULL, *dec = NULL;
        uint8_t key[CRYPTO_XTS_KEY_SIZE], pt[512], ct[512], buf[512];

        (void) state;
        vector10(key, pt, ct);
        assert_int_equal(crypto_xts_new(key, true, &enc), 0);
        assert_int_equal(crypto_xts_new(key, false, &dec), 0);
        assert_int_equal(crypto_xts_sectors(enc, 0xff, 512, pt, buf, sizeof(buf)), 0);
        assert_memory_equal(buf, ct, sizeof(ct));
        assert_int_equal(crypto_xts_sectors(dec, 0xff, 512, buf, buf, sizeof(buf)), 0);
        assert_memory_equal(buf, pt, sizeof(pt));
        /* Another sector number is another tweak. */
        assert_int_equal(crypto_xts_sectors(enc, 0xfe, 512, pt, buf, sizeof(buf)), 0);
        assert_memory_not_equal(buf, ct, sizeof(ct));
}

/* Several sectors at once: sector i gets IV first + i (plain64 counts 512-byte sectors). */
static void sectors_step(void **state) {
        _cleanup_(crypto_xts_freep) struct crypto_xts *enc = NULL;
        uint8_t key[CRYPTO_XTS_KEY_SIZE], pt[512], ct[512], in[3 * 512], out[3 * 512];

        (void) state;
        vector10(key, pt, ct);
        assert_int_equal(crypto_xts_new(key, true, &enc), 0);
        for (int s = 0; s < 3; s++)
                memcpy(in + s * 512, pt, 512);
        assert_int_equal(crypto_xts_sectors(enc, 0xfd, 512, in, out, sizeof(out)), 0);
        assert_memory_equal(out + 2 * 512, ct, 512);            /* sector 0xff */
        assert_memory_not_equal(out, out + 512, 512);
        /* 4096-byte sectors count IVs in 512-byte units too: the sector after first is +8. */
        {
                uint8_t big[2 * 4096] = { 0 }, one[4096] = { 0 };

                assert_int_equal(crypto_xts_sectors(enc, 16, 4096, big, big, sizeof(big)), 0);
                assert_int_equal(crypto_xts_sectors(enc, 24, 4096, one, one, sizeof(one)), 0);
                assert_memory_equal(big + 4096, one, 4096);
        }
}

static void refusals(void **state) {
        _cleanup_(crypto_xts_freep) struct crypto_xts *enc = NULL;
        struct crypto_xts *x = NULL;
        uint8_t key[CRYPTO_XTS_KEY_SIZE], pt[512], ct[512];

        (void) state;
        vector10(key, pt, ct);
        assert_int_equal(crypto_xts_new(key, true, &enc), 0);
        assert_int_equal(crypto_xts_sectors(enc, 0, 512, pt, ct, 500), -EINVAL);
        assert_int_equal(crypto_xts_sectors(enc, 0, 256, pt, ct, 512), -EINVAL);
        assert_int_equal(crypto_xts_sectors(enc, 0, 768, pt, ct, 768), -EINVAL);
        assert_int_equal(crypto_xts_sectors(enc, 0, 8192, pt, ct, 0), -EINVAL);
        assert_int_equal(crypto_xts_sectors(enc, 0, 512, pt, ct, 0), 0);
        /* XTS needs two different keys. */
        memcpy(key + 32, key, 32);
        assert_int_equal(crypto_xts_new(key, true, &x), -EINVAL);
        assert_null(x);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ieee1619_vector10),
                cmocka_unit_test(sectors_step),
                cmocka_unit_test(refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
