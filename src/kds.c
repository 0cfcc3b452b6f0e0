/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "attest.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "http.h"
#include "kds.h"
#include "log.h"
#include "report.h"

#define KDS_CRL_ABSENT_TTL 3600       /* seconds a 404 for a CRL is believed */
#define KDS_MAX_TRIES 8                 /* requests per item, retries on 429/503 included */

struct kds {
        char *url;                      /* without a trailing slash */
        char *dir;
        bool offline;
        unsigned timeout_s, max_wait_s;
        unsigned requests;
        kds_get_fn *get;                /* NULL: http_get() */
        void *get_ctx;
        char **absent;                  /* URLs answered 404 in this run: not asked again */
        size_t n_absent;
};

void kds_free(struct kds *k) {
        if (!k)
                return;
        for (size_t i = 0; i < k->n_absent; i++)
                free(k->absent[i]);
        free(k->absent);
        free(k->url);
        free(k->dir);
        free(k);
}

unsigned kds_requests(const struct kds *k) {
        return k->requests;
}

static int default_cache_dir(char **ret) {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

        /* XDG Base Directory spec: a relative XDG_CACHE_HOME is invalid and ignored. */
        if (xdg && xdg[0] == '/')
                return asprintf(ret, "%s/snpctl/kds", xdg) < 0 ? -ENOMEM : 0;
        if (home && home[0] == '/')
                return asprintf(ret, "%s/.cache/snpctl/kds", home) < 0 ? -ENOMEM : 0;
        return -EINVAL;
}

int kds_new(const struct kds_options *o, struct kds **ret) {
        _cleanup_(kds_freep) struct kds *k = calloc(1, sizeof(*k));
        const char *url = o->url ? o->url : KDS_DEFAULT_URL;
        size_t n = strlen(url);
        int r;

        if (!k)
                return -ENOMEM;
        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
                return -EINVAL;
        while (n > 0 && url[n - 1] == '/')
                n--;
        k->url = strndup(url, n);
        if (!k->url)
                return -ENOMEM;
        if (o->cache_dir) {
                k->dir = strdup(o->cache_dir);
                if (!k->dir)
                        return -ENOMEM;
        } else {
                r = default_cache_dir(&k->dir);
                if (r < 0)
                        return r;
        }
        k->offline = o->offline;
        k->timeout_s = o->timeout_s ? o->timeout_s : KDS_DEFAULT_TIMEOUT;
        k->max_wait_s = o->max_wait_s;
        k->get = o->get;
        k->get_ctx = o->get_ctx;
        *ret = TAKE(k);
        return 0;
}

/* mkdir -p of path's folders and path itself, private to the user. */
static int mkdir_p(const char *path) {
        _cleanup_(freep) char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; ; s++) {
                bool end = *s == '\0';

                if (*s != '/' && !end)
                        continue;
                *s = '\0';
                if (mkdir(p, 0700) < 0 && errno != EEXIST)
                        return -errno;
                if (end)
                        break;
                *s = '/';
        }
        return 0;
}

int kds_vcek_path(enum snp_generation product, const uint8_t chip_id[64], uint64_t reported_tcb,
                  char **ret) {
        struct snp_tcb t;
        char hwid[2 * 64 + 1];
        int n;

        if (product != SNP_GEN_MILAN && product != SNP_GEN_GENOA && product != SNP_GEN_TURIN)
                return -EINVAL;
        if (snp_tcb_decode(reported_tcb, product, &t) < 0)
                return -EINVAL;
        /* Turin's hwID is CHIP_ID's first 8 bytes; the full 64 give 404 (AMDESE/AMDSEV#285). */
        hex_encode_buf(chip_id, product == SNP_GEN_TURIN ? 8 : 64, hwid);
        if (product == SNP_GEN_TURIN)
                n = asprintf(ret, "/vcek/v1/%s/%s?fmcSPL=%02u&blSPL=%02u&teeSPL=%02u&snpSPL=%02u"
                             "&ucodeSPL=%02u", report_generation_name(product), hwid, t.fmc,
                             t.bootloader, t.tee, t.snp, t.microcode);
        else
                n = asprintf(ret, "/vcek/v1/%s/%s?blSPL=%02u&teeSPL=%02u&snpSPL=%02u"
                             "&ucodeSPL=%02u", report_generation_name(product), hwid,
                             t.bootloader, t.tee, t.snp, t.microcode);
        return n < 0 ? -ENOMEM : 0;
}

static bool was_absent(const struct kds *k, const char *url) {
        for (size_t i = 0; i < k->n_absent; i++)
                if (strcmp(k->absent[i], url) == 0)
                        return true;
        return false;
}

static void note_absent(struct kds *k, const char *url) {
        char **na = realloc(k->absent, (k->n_absent + 1) * sizeof(*na));
        char *copy = strdup(url);

        if (!na || !copy) {
                free(copy);
                if (na)
                        k->absent = na;
                return;         /* only a second request is lost */
        }
        k->absent = na;
        k->absent[k->n_absent++] = copy;
}

/* A wait before retry n: the server's Retry-After when it gave one, else 1, 2, 4... s; plus up to
 * a quarter of that at random, so a fleet of verifiers told the same second spreads out. */
static unsigned retry_delay_ms(long retry_after, unsigned n) {
        unsigned base = retry_after >= 0 ? (unsigned) retry_after * 1000u : 1000u << (n < 6 ? n : 6);
        uint16_t rnd = 0;

        if (crypto_random(&rnd, sizeof(rnd)) < 0)
                rnd = 0;
        return base + (unsigned) ((uint64_t) (base / 4 + 100) * rnd / UINT16_MAX);
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* GETs base + path: 200 gives the body; 404 -ENOENT (remembered for the run); 429 and 503 are
 * retried after Retry-After (or a backoff), jittered, while the total wait stays within
 * max_wait_s; anything else -EPROTO. what names the item for *ret_why. */
static int get(struct kds *k, const char *path, const char *what, uint8_t **ret_body,
               size_t *ret_size, char **ret_why) {
        _cleanup_(freep) char *url = NULL;
        unsigned connect_s = k->timeout_s < 10 ? k->timeout_s : 10;
        uint64_t waited_ms = 0;

        if (asprintf(&url, "%s%s", k->url, path) < 0)
                return -ENOMEM;
        if (was_absent(k, url))
                return log_fail_why(ret_why, -ENOENT,
                        "%s: the server has none (HTTP 404 from '%s')",
                        what, url);
        for (unsigned n = 0; ; n++) {
                _cleanup_(freep) uint8_t *body = NULL;
                long status = 0, retry_after = -1;
                size_t size = 0;
                unsigned delay;
                int r;

                log_debug("GET %s", url);
                k->requests++;
                r = k->get ? k->get(k->get_ctx, url, KDS_MAX_BODY, connect_s, k->timeout_s,
                                    &status, &retry_after, &body, &size) :
                             http_get(url, KDS_MAX_BODY, connect_s, k->timeout_s, &status,
                                      &retry_after, &body, &size);
                if (r == -EFBIG)
                        return log_fail_why(ret_why, -EPROTO,
                                "%s: '%s' answered more than %d bytes",
                                what, url, KDS_MAX_BODY);
                if (r < 0)
                        return log_fail_why(ret_why, r, "%s: fetching '%s': %s", what, url,
                                        strerror(-r));
                if (status == 200) {
                        *ret_body = TAKE(body);
                        *ret_size = size;
                        return 0;
                }
                if (status == 404) {
                        note_absent(k, url);
                        return log_fail_why(ret_why, -ENOENT, "%s: the server has none (HTTP 404 "
                                        "from '%s')", what, url);
                }
                if (status != 429 && status != 503)
                        return log_fail_why(ret_why, -EPROTO, "%s: '%s' answered HTTP %ld", what,
                                        url, status);
                delay = retry_delay_ms(retry_after, n);
                if (n + 1 >= KDS_MAX_TRIES || waited_ms + delay > (uint64_t) k->max_wait_s * 1000)
                        return log_fail_why(ret_why, -EBUSY,
                                "%s: '%s' still answers HTTP %ld (busy) "
                                "after %u requests and %" PRIu64 " s of waiting "
                                "(--kds-wait %u)", what, url, status, n + 1,
                                waited_ms / 1000, k->max_wait_s);
                log_debug("%s: '%s' answered HTTP %ld; asking again in %u.%03u s", what, url,
                          status, delay / 1000, delay % 1000);
                sleep_ms(delay);
                waited_ms += delay;
        }
}

static char *cache_path(const struct kds *k, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static char *cache_path(const struct kds *k, const char *fmt, ...) {
        _cleanup_(freep) char *rel = NULL;
        char *p = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&rel, fmt, ap);
        va_end(ap);
        if (n < 0)
                return NULL;
        return asprintf(&p, "%s/%s", k->dir, rel) < 0 ? NULL : p;
}

/* Writes data to path (atomically, replacing an older copy), making its folder first. */
static int cache_put(const char *path, const void *data, size_t size) {
        _cleanup_(freep) char *dir = strdup(path);
        char *slash;
        int r;

        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                r = mkdir_p(dir);
                if (r < 0)
                        return r;
        }
        return fileio_write_atomic(path, data, size, 0644, FILEIO_FORCE);
}

static int put_or_why(const char *path, const void *data, size_t size, const char *what,
                      char **ret_why) {
        int r = cache_put(path, data, size);

        if (r < 0)
                return log_fail_why(ret_why, r, "%s: writing '%s' to the cache: %s", what, path,
                                strerror(-r));
        return 0;
}

/* The cache file of a VCEK, and a name for it in messages. -EINVAL for a TCB that is not one of
 * product's layout. */
static int vcek_names(const struct kds *k, enum snp_generation product, const uint8_t chip_id[64],
                      uint64_t reported_tcb, char **ret_file, char **ret_what) {
        _cleanup_(freep) char *file = NULL;
        char hwid[2 * 64 + 1], tcb[64];
        struct snp_tcb t;

        if (product != SNP_GEN_MILAN && product != SNP_GEN_GENOA && product != SNP_GEN_TURIN)
                return -EINVAL;
        if (snp_tcb_decode(reported_tcb, product, &t) < 0)
                return -EINVAL;
        report_tcb_format(&t, tcb, sizeof(tcb));
        for (char *c = tcb; *c; c++)
                if (*c == ' ' || *c == '=')
                        *c = *c == ' ' ? '-' : '_';
        hex_encode_buf(chip_id, product == SNP_GEN_TURIN ? 8 : 64, hwid);
        file = cache_path(k, "vcek/%s/%s-%s.der", report_generation_name(product), hwid, tcb);
        if (!file || asprintf(ret_what, "VCEK of %s chip %.16s... at %s",
                              report_generation_name(product), hwid, tcb) < 0)
                return -ENOMEM;
        *ret_file = TAKE(file);
        return 0;
}

int kds_vcek_cached(struct kds *k, enum snp_generation product, const uint8_t chip_id[64],
                    uint64_t reported_tcb, char **ret_path) {
        _cleanup_(freep) char *file = NULL, *what = NULL;
        int r = vcek_names(k, product, chip_id, reported_tcb, &file, &what);

        if (r < 0)
                return r;
        /* Kept for good: a VCEK is bound to its chip and TCB, which do not change. */
        if (access(file, R_OK) < 0)
                return -ENOENT;
        *ret_path = TAKE(file);
        return 0;
}

/* The chip (hwID, padded as a CHIP_ID: Turin's 8 bytes, then the rest of chip_id, which a Turin
 * hwID does not cover) and the TCB (in product's layout) that a VCEK certifies (KDS spec 57230;
 * snp-facts B.3.10). -EBADMSG when an extension is missing or malformed. */
static int vcek_identity(const struct crypto_cert *cert, enum snp_generation product,
                         const uint8_t chip_id[64], uint8_t ret_chip[64], uint64_t *ret_tcb) {
        static const char *const oids[5] = {
                ATTEST_OID_FMC_SPL, ATTEST_OID_BL_SPL, ATTEST_OID_TEE_SPL, ATTEST_OID_SNP_SPL,
                ATTEST_OID_UCODE_SPL,
        };
        _cleanup_(freep) uint8_t *hwid = NULL;
        size_t n = 0, want = product == SNP_GEN_TURIN ? 8 : 64;
        uint64_t v[5] = {};
        struct snp_tcb t = { .has_fmc = product == SNP_GEN_TURIN };

        if (crypto_cert_ext_raw(cert, ATTEST_OID_HWID, &hwid, &n) < 0)
                return -EBADMSG;
        /* Seen raw, and wrapped in a DER OCTET STRING (as attest.c accepts it). */
        if (n == want + 2 && hwid[0] == 0x04 && hwid[1] == want) {
                memmove(hwid, hwid + 2, want);
                n = want;
        }
        if (n != want)
                return -EBADMSG;
        for (size_t i = product == SNP_GEN_TURIN ? 0 : 1; i < 5; i++)
                if (crypto_cert_ext_uint(cert, oids[i], &v[i]) < 0 || v[i] > 255)
                        return -EBADMSG;
        t.fmc = (uint8_t) v[0];
        t.bootloader = (uint8_t) v[1];
        t.tee = (uint8_t) v[2];
        t.snp = (uint8_t) v[3];
        t.microcode = (uint8_t) v[4];
        memcpy(ret_chip, chip_id, 64);
        memcpy(ret_chip, hwid, want);
        *ret_tcb = snp_tcb_encode(&t, product);
        return 0;
}

int kds_vcek(struct kds *k, enum snp_generation product, const uint8_t chip_id[64],
             uint64_t reported_tcb, char **ret_path, char **ret_why) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *cert = NULL;
        _cleanup_(freep) char *path = NULL, *file = NULL, *what = NULL;
        _cleanup_(freep) uint8_t *body = NULL;
        uint8_t chip[64];
        uint64_t tcb;
        size_t size;
        int r;

        *ret_why = NULL;
        if (product != SNP_GEN_MILAN && product != SNP_GEN_GENOA && product != SNP_GEN_TURIN)
                return log_fail_why(ret_why, -EINVAL, "VCEK: product unknown");
        r = kds_vcek_path(product, chip_id, reported_tcb, &path);
        if (r >= 0)
                r = vcek_names(k, product, chip_id, reported_tcb, &file, &what);
        if (r == -EINVAL)
                return log_fail_why(ret_why, r,
                        "VCEK: REPORTED_TCB 0x%016" PRIx64 " is not a %s TCB",
                        reported_tcb, report_generation_name(product));
        if (r < 0)
                return r;
        if (access(file, R_OK) == 0) {
                *ret_path = TAKE(file);
                return 0;
        }
        if (k->offline)
                return log_fail_why(ret_why, -ENOENT, "%s: not in the cache '%s' (--offline; it "
                                "would come from '%s%s')", what, k->dir, k->url, path);
        r = get(k, path, what, &body, &size, ret_why);
        if (r < 0)
                return r;
        if (size == 0 || body[0] != 0x30 || crypto_cert_from_mem(body, size, &cert) < 0)
                return log_fail_why(ret_why, -EPROTO, "%s: '%s%s' answered %zu bytes that are not "
                                "one DER certificate", what, k->url, path, size);
        /* Filed under what the certificate itself certifies, not what was asked: an answer for
         * another chip or TCB cannot take this chip's place in the cache (the verification
         * rejects it; the next run asks again). */
        r = vcek_identity(cert, product, chip_id, chip, &tcb);
        if (r < 0)
                return log_fail_why(ret_why, -EPROTO, "%s: '%s%s' answered a certificate without "
                                "a %s VCEK's hwID and SPL extensions", what, k->url, path,
                                report_generation_name(product));
        if (tcb != reported_tcb || memcmp(chip, chip_id, sizeof(chip)) != 0) {
                log_debug("%s: '%s%s' answered the VCEK of another chip or TCB", what, k->url,
                          path);
                free(file);
                free(what);
                file = what = NULL;
                r = vcek_names(k, product, chip, tcb, &file, &what);
                if (r < 0)
                        return r;
        }
        r = put_or_why(file, body, size, what, ret_why);
        if (r < 0)
                return r;
        *ret_path = TAKE(file);
        return 0;
}

/* 1 when the PEM file at path holds a certificate that is still valid at now, 0 when it is
 * missing or expired (or unreadable: then it is fetched again). */
static int cert_file_fresh(const char *path, int64_t now) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *c = NULL;
        int64_t not_after;

        if (crypto_cert_load(path, &c) < 0 || crypto_cert_not_after(c, &not_after) < 0)
                return 0;
        return not_after > now;
}

int kds_chain(struct kds *k, enum snp_generation product, bool vlek, char **ret_ark,
              char **ret_ask, char **ret_why) {
        _cleanup_(freep) char *ark = NULL, *ask = NULL, *path = NULL, *what = NULL;
        _cleanup_(freep) uint8_t *body = NULL;
        struct crypto_cert *certs[2] = {};
        const char *kind = vlek ? "vlek" : "vcek", *pname = report_generation_name(product);
        int64_t now = (int64_t) time(NULL);
        size_t size, n = 0;
        int r;

        *ret_why = NULL;
        if (product != SNP_GEN_MILAN && product != SNP_GEN_GENOA && product != SNP_GEN_TURIN)
                return log_fail_why(ret_why, -EINVAL, "%s chain: product unknown", kind);
        ark = cache_path(k, "%s/%s/ark.pem", kind, pname);
        ask = cache_path(k, "%s/%s/%s.pem", kind, pname, vlek ? "asvk" : "ask");
        if (!ark || !ask || asprintf(&path, "/%s/v1/%s/cert_chain", kind, pname) < 0 ||
            asprintf(&what, "%s and ARK of %s", vlek ? "ASVK" : "ASK", pname) < 0)
                return -ENOMEM;
        /* Two files, each written whole: a reader racing a writer may pair an old and a new copy
         * of the same AMD certificates, which verify alike. */
        if (cert_file_fresh(ark, now) && cert_file_fresh(ask, now)) {
                *ret_ark = TAKE(ark);
                *ret_ask = TAKE(ask);
                return 0;
        }
        if (k->offline)
                return log_fail_why(ret_why, -ENOENT, "%s: not in the cache '%s', or expired "
                                "(--offline; they would come from '%s%s')", what, k->dir,
                                k->url, path);
        r = get(k, path, what, &body, &size, ret_why);
        if (r < 0)
                return r;
        /* KDS spec 57230: cert_chain is PEM, the ASK (ASVK) first, then the ARK. */
        r = crypto_certs_from_pem(body, size, certs, 2, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || n != 2) {
                for (size_t i = 0; i < n; i++)
                        crypto_cert_free(certs[i]);
                return log_fail_why(ret_why, -EPROTO, "%s: '%s%s' answered %zu bytes that are not "
                                "two PEM certificates", what, k->url, path, size);
        }
        for (size_t i = 0; i < 2 && r >= 0; i++) {
                _cleanup_(freep) char *pem = NULL;
                size_t pem_size;

                r = crypto_cert_to_pem(certs[i], &pem, &pem_size);
                if (r >= 0)
                        r = put_or_why(i == 0 ? ask : ark, pem, pem_size, what, ret_why);
        }
        crypto_cert_free(certs[0]);
        crypto_cert_free(certs[1]);
        if (r < 0)
                return r;
        *ret_ark = TAKE(ark);
        *ret_ask = TAKE(ask);
        return 0;
}

int kds_crl(struct kds *k, enum snp_generation product, bool vlek, char **ret_path,
            char **ret_why) {
        _cleanup_(freep) char *file = NULL, *path = NULL, *what = NULL, *absent = NULL;
        _cleanup_(freep) uint8_t *body = NULL, *old = NULL;
        const char *kind = vlek ? "vlek" : "vcek", *pname = report_generation_name(product);
        struct stat st;
        int64_t next;
        size_t size, old_size;
        int r;

        *ret_why = NULL;
        if (product != SNP_GEN_MILAN && product != SNP_GEN_GENOA && product != SNP_GEN_TURIN)
                return log_fail_why(ret_why, -EINVAL, "%s CRL: product unknown", kind);
        file = cache_path(k, "%s/%s/crl.der", kind, pname);
        if (!file || asprintf(&path, "/%s/v1/%s/crl", kind, pname) < 0 ||
            asprintf(&what, "CRL of the %s %s chain", pname, vlek ? "VLEK" : "VCEK") < 0)
                return -ENOMEM;
        /* Kept until its nextUpdate; a newer one is due then. */
        if (fileio_read_full(file, KDS_MAX_BODY, &old, &old_size) >= 0 &&
            crypto_crl_next_update(old, old_size, &next) >= 0 && next > (int64_t) time(NULL)) {
                *ret_path = TAKE(file);
                return 0;
        }
        /* A server without a CRL (404) is asked again only after KDS_CRL_ABSENT_TTL. */
        absent = cache_path(k, "%s/%s/crl.absent", kind, pname);
        if (!absent)
                return -ENOMEM;
        if (stat(absent, &st) == 0 && st.st_mtime <= time(NULL) &&
            time(NULL) - st.st_mtime < KDS_CRL_ABSENT_TTL)
                return log_fail_why(ret_why, -ENOENT, "%s: the server had none (HTTP 404) %lld s "
                                "ago", what, (long long) (time(NULL) - st.st_mtime));
        if (k->offline)
                return log_fail_why(ret_why, -ENOENT, "%s: not in the cache '%s', or past its "
                                "nextUpdate (--offline; it would come from '%s%s')", what,
                                k->dir, k->url, path);
        r = get(k, path, what, &body, &size, ret_why);
        if (r == -ENOENT)
                (void) cache_put(absent, "", 0);
        if (r < 0)
                return r;
        (void) unlink(absent);
        r = crypto_crl_next_update(body, size, &next);
        if (r < 0)
                return log_fail_why(ret_why, -EPROTO, "%s: '%s%s' answered %zu bytes that are not "
                                "a CRL with a nextUpdate", what, k->url, path, size);
        r = put_or_why(file, body, size, what, ret_why);
        if (r < 0)
                return r;
        *ret_path = TAKE(file);
        return 0;
}
