/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "hostkey.h"
#include "le.h"

#define LABEL_LEN (sizeof(HOSTKEY_LABEL) - 1)

void hostkey_done(struct hostkey *k) {
        free(k->blob);
        *k = (struct hostkey) {};
}

static bool type_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '@' || c == '.' || c == '_' || c == '+' || c == '-';
}

int hostkey_from_blob(const uint8_t *blob, size_t size, struct hostkey *ret) {
        struct hostkey k = {};
        uint32_t n;
        int r;

        if (size < 4 || size > HOSTKEY_MAX_BLOB)
                return -EBADMSG;
        n = (uint32_t) blob[0] << 24 | (uint32_t) blob[1] << 16 | (uint32_t) blob[2] << 8 | blob[3];
        /* A type, and the key itself after it. */
        if (n == 0 || n > HOSTKEY_MAX_TYPE || n >= size - 4)
                return -EBADMSG;
        for (uint32_t i = 0; i < n; i++)
                if (!type_char((char) blob[4 + i]))
                        return -EBADMSG;
        memcpy(k.type, blob + 4, n);
        k.type[n] = '\0';
        k.blob = malloc(size);
        if (!k.blob)
                return -ENOMEM;
        memcpy(k.blob, blob, size);
        k.blob_size = size;
        r = crypto_sha256(k.blob, k.blob_size, k.hash);
        if (r < 0) {
                hostkey_done(&k);
                return r;
        }
        *ret = k;
        return 0;
}

static bool space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hostkey_from_pub(const char *text, size_t len, struct hostkey *ret) {
        _cleanup_(freep) uint8_t *blob = NULL;
        const char *p = text, *end = text + len, *t, *b;
        size_t tl, bl, blob_size;
        struct hostkey k;
        int r;

        while (p < end && space(*p))
                p++;
        while (end > p && space(end[-1]))
                end--;
        for (const char *q = p; q < end; q++)
                if (*q == '\n' || *q == '\0')
                        return -EBADMSG;        /* one key, one line */
        t = p;
        while (p < end && !space(*p))
                p++;
        tl = (size_t) (p - t);
        while (p < end && space(*p))
                p++;
        b = p;
        while (p < end && !space(*p))
                p++;
        bl = (size_t) (p - b);
        if (tl == 0 || tl > HOSTKEY_MAX_TYPE || bl == 0 || bl > 2 * HOSTKEY_MAX_BLOB)
                return -EBADMSG;
        r = base64_decode(b, bl, &blob, &blob_size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return -EBADMSG;
        r = hostkey_from_blob(blob, blob_size, &k);
        if (r < 0)
                return r;
        if (strlen(k.type) != tl || memcmp(k.type, t, tl) != 0) {
                hostkey_done(&k);
                return -EBADMSG;
        }
        *ret = k;
        return 0;
}

int hostkey_fingerprint(const struct hostkey *k, char out[HOSTKEY_FINGERPRINT_SIZE]) {
        _cleanup_(freep) char *b = base64_encode(k->hash, sizeof(k->hash));
        size_t n;

        if (!b)
                return -ENOMEM;
        n = strcspn(b, "=");            /* 43 characters for 32 bytes */
        snprintf(out, HOSTKEY_FINGERPRINT_SIZE, "SHA256:%.*s", (int) n, b);
        return 0;
}

int hostkey_report_data(const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                        const uint8_t key_hash[CRYPTO_SHA256_SIZE],
                        uint8_t out[SNP_REPORT_DATA_SIZE]) {
        uint8_t buf[LABEL_LEN + HANDSHAKE_NONCE_SIZE + CRYPTO_SHA256_SIZE];

        memcpy(buf, HOSTKEY_LABEL, LABEL_LEN);
        memcpy(buf + LABEL_LEN, nonce, HANDSHAKE_NONCE_SIZE);
        memcpy(buf + LABEL_LEN + HANDSHAKE_NONCE_SIZE, key_hash, CRYPTO_SHA256_SIZE);
        return crypto_sha512(buf, sizeof(buf), out);
}

int hostkey_answer(const struct hostkey *k, const uint8_t report[SNP_REPORT_SIZE],
                   const uint8_t *certs, size_t certs_size, uint8_t **ret, size_t *ret_size) {
        size_t n = 4 + k->blob_size + SNP_REPORT_SIZE + certs_size;
        uint8_t *a;

        if (certs_size > HANDSHAKE_MAX_CERTS || k->blob_size > HOSTKEY_MAX_BLOB)
                return -EINVAL;
        a = malloc(n);
        if (!a)
                return -ENOMEM;
        le32_put(a, (uint32_t) k->blob_size);
        memcpy(a + 4, k->blob, k->blob_size);
        memcpy(a + 4 + k->blob_size, report, SNP_REPORT_SIZE);
        if (certs_size)
                memcpy(a + 4 + k->blob_size + SNP_REPORT_SIZE, certs, certs_size);
        *ret = a;
        *ret_size = n;
        return 0;
}

int hostkey_split_answer(const uint8_t *answer, size_t size, struct hostkey *ret_key,
                         uint8_t **ret_rest, size_t *ret_size) {
        struct hostkey k;
        size_t bs, rest;
        uint8_t *out;
        int r;

        if (size < HOSTKEY_ANSWER_MIN || size > HOSTKEY_ANSWER_MAX)
                return -EBADMSG;
        bs = le32_get(answer);
        if (bs == 0 || bs > HOSTKEY_MAX_BLOB || size - 4 < bs + SNP_REPORT_SIZE)
                return -EBADMSG;
        rest = size - 4 - bs;           /* report and certificates */
        if (rest - SNP_REPORT_SIZE > HANDSHAKE_MAX_CERTS)
                return -EBADMSG;
        r = hostkey_from_blob(answer + 4, bs, &k);
        if (r < 0)
                return r;
        out = malloc(CRYPTO_SHA256_SIZE + rest);
        if (!out) {
                hostkey_done(&k);
                return -ENOMEM;
        }
        memcpy(out, k.hash, CRYPTO_SHA256_SIZE);
        memcpy(out + CRYPTO_SHA256_SIZE, answer + 4 + bs, rest);
        *ret_key = k;
        *ret_rest = out;
        *ret_size = CRYPTO_SHA256_SIZE + rest;
        return 0;
}

static bool host_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':';
}

int hostkey_known_hosts_line(const char *addr, const struct hostkey *k, char **ret) {
        _cleanup_(freep) char *b64 = NULL;
        char host[256];
        const char *h = addr, *port = NULL;
        size_t hl;
        unsigned long pn = 22;
        char *line = NULL;
        int n;

        if (addr[0] == '[') {                   /* [V6]:PORT */
                const char *e = strchr(addr, ']');

                if (!e || (e[1] != ':' && e[1] != '\0'))
                        return -EINVAL;
                h = addr + 1;
                hl = (size_t) (e - h);
                port = e[1] == ':' ? e + 2 : NULL;
        } else {
                const char *c = strchr(addr, ':');

                if (c && strchr(c + 1, ':'))    /* a bare IPv6 address */
                        c = NULL;
                hl = c ? (size_t) (c - addr) : strlen(addr);
                port = c ? c + 1 : NULL;
        }
        if (hl == 0 || hl >= sizeof(host))
                return -EINVAL;
        for (size_t i = 0; i < hl; i++)
                if (!host_char(h[i]))
                        return -EINVAL;
        memcpy(host, h, hl);
        host[hl] = '\0';
        if (port) {
                char *end;

                if (!*port || *port < '0' || *port > '9')
                        return -EINVAL;
                errno = 0;
                pn = strtoul(port, &end, 10);
                if (errno || *end || pn == 0 || pn > 65535)
                        return -EINVAL;
        }
        b64 = base64_encode(k->blob, k->blob_size);
        if (!b64)
                return -ENOMEM;
        if (pn == 22)
                n = asprintf(&line, "%s %s %s\n", host, k->type, b64);
        else
                n = asprintf(&line, "[%s]:%lu %s %s\n", host, pn, k->type, b64);
        if (n < 0)
                return -ENOMEM;
        *ret = line;
        return 0;
}
