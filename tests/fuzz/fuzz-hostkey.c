/* SPDX-License-Identifier: Apache-2.0 */
/* The owner's side of the SSH host key report (src/hostkey.c): the agent's answer, which the
 * host can replace, through hostkey_split_answer(); the same bytes as a key blob
 * (hostkey_from_blob()) and as a .pub line (hostkey_from_pub()); and the known_hosts line of
 * every key read, for a fixed address and for an address taken from the input.
 * Oracles: a split answer is the key, SHA-256 of its blob first in the rest, and
 * hostkey_answer() of the parts gives the answer back byte for byte; a key's known_hosts line
 * reads back (hostkey_from_pub()) as the same type and blob; a line is one line whose host
 * part holds only [A-Za-z0-9.:-] and the brackets of a port. */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "crypto.h"
#include "fuzz.h"
#include "hostkey.h"

/* The line's "TYPE BASE64" part reads back as k. */
static void check_line(const char *line, const struct hostkey *k) {
        struct hostkey back = {};
        const char *sp = strchr(line, ' '), *nl = strchr(line, '\n');

        FUZZ_CHECK(sp && nl && nl[1] == '\0' && sp < nl);
        for (const char *c = line; c < sp; c++)
                FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789.:-[]", *c) != NULL);
        FUZZ_CHECK(hostkey_from_pub(sp + 1, (size_t) (nl - sp - 1), &back) == 0);
        FUZZ_CHECK(strcmp(back.type, k->type) == 0 && back.blob_size == k->blob_size &&
                   memcmp(back.blob, k->blob, k->blob_size) == 0 &&
                   memcmp(back.hash, k->hash, sizeof(k->hash)) == 0);
        hostkey_done(&back);
}

static void check_key(const struct hostkey *k, const uint8_t *data, size_t size) {
        uint8_t hash[CRYPTO_SHA256_SIZE];
        char fp[HOSTKEY_FINGERPRINT_SIZE], addr[64];
        size_t n = size < sizeof(addr) - 1 ? size : sizeof(addr) - 1;

        FUZZ_CHECK(k->blob_size > 0 && k->blob_size <= HOSTKEY_MAX_BLOB);
        FUZZ_CHECK(crypto_sha256(k->blob, k->blob_size, hash) == 0);
        FUZZ_CHECK(memcmp(hash, k->hash, sizeof(hash)) == 0);
        FUZZ_CHECK(hostkey_fingerprint(k, fp) == 0 && strncmp(fp, "SHA256:", 7) == 0 &&
                   strlen(fp) == 50);
        {
                _cleanup_(freep) char *line = NULL;

                FUZZ_CHECK(hostkey_known_hosts_line("guest.example:2222", k, &line) == 0);
                FUZZ_CHECK(strncmp(line, "[guest.example]:2222 ", 21) == 0);
                check_line(line, k);
        }
        memcpy(addr, data, n);
        addr[n] = '\0';
        {
                _cleanup_(freep) char *line = NULL;

                if (hostkey_known_hosts_line(addr, k, &line) == 0)
                        check_line(line, k);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct hostkey k = {};
        _cleanup_(freep) uint8_t *rest = NULL, *again = NULL;
        size_t rest_size, again_size;

        if (hostkey_split_answer(data, size, &k, &rest, &rest_size) == 0) {
                FUZZ_CHECK(rest_size >= CRYPTO_SHA256_SIZE + SNP_REPORT_SIZE);
                FUZZ_CHECK(memcmp(rest, k.hash, CRYPTO_SHA256_SIZE) == 0);
                FUZZ_CHECK(hostkey_answer(&k, rest + CRYPTO_SHA256_SIZE,
                                          rest + CRYPTO_SHA256_SIZE + SNP_REPORT_SIZE,
                                          rest_size - CRYPTO_SHA256_SIZE - SNP_REPORT_SIZE,
                                          &again, &again_size) == 0);
                FUZZ_CHECK(again_size == size && memcmp(again, data, size) == 0);
                check_key(&k, data, size);
                hostkey_done(&k);
        }
        if (hostkey_from_blob(data, size, &k) == 0) {
                FUZZ_CHECK(k.blob_size == size && memcmp(k.blob, data, size) == 0);
                check_key(&k, data, size);
                hostkey_done(&k);
        }
        if (hostkey_from_pub((const char *) data, size, &k) == 0) {
                check_key(&k, data, size);
                hostkey_done(&k);
        }
        return 0;
}
