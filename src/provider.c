/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>          /* before <linux/sev-guest.h>, which uses _IOWR (snp-facts B.2.1) */
#include <sys/stat.h>
#include <unistd.h>

#include <linux/sev-guest.h>

#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "le.h"
#include "log.h"
#include "parse.h"
#include "provider.h"
#include "report.h"

#define REPORT_OFF(f) offsetof(struct snp_report_wire, f)

_Static_assert(sizeof(((struct snp_report_req *) 0)->user_data) == SNP_REPORT_DATA_SIZE,
               "SNP_GET_REPORT user_data is REPORT_DATA");

#define TSM_ROOT "/sys/kernel/config/tsm/report"
#define SEV_GUEST_DEV "/dev/sev-guest"

_Static_assert(sizeof(struct snp_report_req) == 96, "snp_report_req is 96 bytes");
_Static_assert(sizeof(struct snp_report_resp) == 4000, "snp_report_resp is 4000 bytes");
_Static_assert(sizeof(struct snp_guest_request_ioctl) == 32, "snp_guest_request_ioctl");

static const char *const names[] = {
        [PROVIDER_AUTO] = "auto", [PROVIDER_TSM] = "tsm", [PROVIDER_IOCTL] = "ioctl",
        [PROVIDER_SIM] = "sim",
};

int provider_from_name(const char *name, enum provider_kind *ret) {
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0) {
                        *ret = (enum provider_kind) i;
                        return 0;
                }
        return -EINVAL;
}

enum {
        OPT_PROVIDER = 0x1100,
        OPT_SIM_TEMPLATE,
        OPT_SIM_KEY,
        OPT_SIM_CERTS,
        OPT_VMPL,
};

static const struct argp_option provider_options[] = {
        { "provider",     OPT_PROVIDER,     "NAME", 0, "Report provider: auto (configfs-tsm, else "
                                                       "/dev/sev-guest), tsm, ioctl, or sim "
                                                       "(tests)", 0 },
        { "vmpl",         OPT_VMPL,         "N",    0, "VMPL of the reports (0-3; default: the "
                                                       "kernel's)", 0 },
        { "sim-template", OPT_SIM_TEMPLATE, "FILE", 0, "sim: report whose fields are signed "
                                                       "afresh", 0 },
        { "sim-key",      OPT_SIM_KEY,      "FILE", 0, "sim: ECDSA P-384 private key (PEM) that "
                                                       "signs, a test VCEK's", 0 },
        { "sim-certs",    OPT_SIM_CERTS,    "FILE", 0, "sim: certificate table (GHCB layout) "
                                                       "handed out as the host's", 0 },
        { 0 }
};

static error_t provider_parse_opt(int key, char *arg, struct argp_state *state) {
        struct provider *p = state->input;
        unsigned u;

        if (!p)         /* the applet did not hand us its struct: a programming error */
                return ARGP_ERR_UNKNOWN;
        switch (key) {
        case OPT_PROVIDER:
                if (provider_from_name(arg, &p->kind) < 0)
                        argp_error(state, "bad --provider '%s' (auto, tsm, ioctl or sim)", arg);
                break;
        case OPT_VMPL:
                if (parse_uint(arg, 0, SNP_VMPL_MAX, &u) < 0)
                        argp_error(state, "bad --vmpl '%s' (0-3)", arg);
                p->vmpl = u;
                break;
        case OPT_SIM_TEMPLATE: p->sim_template = arg; break;
        case OPT_SIM_KEY:      p->sim_key = arg; break;
        case OPT_SIM_CERTS:    p->sim_certs = arg; break;
        case ARGP_KEY_END:
                if (p->kind == PROVIDER_SIM && (!p->sim_template || !p->sim_key))
                        argp_error(state, "--provider sim needs --sim-template and --sim-key");
                if (p->kind != PROVIDER_SIM && (p->sim_template || p->sim_key || p->sim_certs))
                        argp_error(state, "--sim-template, --sim-key and --sim-certs need "
                                   "--provider sim");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

const struct argp provider_argp = {
        .options = provider_options,
        .parser = provider_parse_opt,
};

const char *provider_name(enum provider_kind kind) {
        return (size_t) kind < ELEMENTSOF(names) ? names[kind] : "?";
}

/* ---- configfs-tsm (snp-facts B.2.4) ---- */

static int write_all(const char *path, const void *data, size_t size) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, data, size);
        if (n < 0)
                return -errno;
        return (size_t) n == size ? 0 : -EIO;
}

static int read_text(const char *path, char *buf, size_t size) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t n;
        int r = fileio_read_full(path, size - 1, &data, &n);

        if (r < 0)
                return r;
        memcpy(buf, data, n + 1);
        return 0;
}

static int read_u64_text(const char *path, uint64_t *ret) {
        char buf[32];
        int r = read_text(path, buf, sizeof(buf));

        if (r < 0)
                return r;
        buf[strcspn(buf, "\n")] = '\0';
        errno = 0;
        {
                char *end;
                unsigned long long v = strtoull(buf, &end, 10);

                if (errno || end == buf || *end)
                        return -EBADMSG;
                *ret = v;
        }
        return 0;
}

static int tsm_request(const char *entry, const struct provider *p,
                       const uint8_t rd[SNP_REPORT_DATA_SIZE], uint8_t report[SNP_REPORT_SIZE],
                       uint8_t **ret_certs, size_t *ret_certs_size) {
        _cleanup_(freep) uint8_t *out = NULL, *aux = NULL;
        char path[512], text[64];
        uint64_t g1, g2, floor;
        size_t n, aux_size = 0;
        int r;

        snprintf(path, sizeof(path), "%s/provider", entry);
        r = read_text(path, text, sizeof(text));
        if (r < 0)
                return r == -ENOENT ? -ENODEV : r;
        if (strcmp(text, "sev_guest\n") != 0) {
                log_debug("configfs-tsm provider is '%.*s', not sev_guest",
                          (int) strcspn(text, "\n"), text);
                return -ENODEV;
        }
        if (p->vmpl != PROVIDER_VMPL_DEFAULT) {
                snprintf(path, sizeof(path), "%s/privlevel_floor", entry);
                r = read_u64_text(path, &floor);
                if (r < 0)
                        return r;
                if (p->vmpl < floor) {
                        log_debug("VMPL %" PRIu32 " is below the privlevel floor %" PRIu64,
                                  p->vmpl, floor);
                        return -EINVAL;
                }
                snprintf(path, sizeof(path), "%s/privlevel", entry);
                snprintf(text, sizeof(text), "%" PRIu32 "\n", p->vmpl);
                r = write_all(path, text, strlen(text));
                if (r < 0)
                        return r;
        }
        /* sev_guest wants exactly 64 bytes of inblob (snp-facts B.2.4). */
        snprintf(path, sizeof(path), "%s/inblob", entry);
        r = write_all(path, rd, SNP_REPORT_DATA_SIZE);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%s/generation", entry);
        r = read_u64_text(path, &g1);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%s/outblob", entry);
        r = fileio_read_full(path, 4096, &out, &n);
        if (r < 0)
                return r;
        if (n != SNP_REPORT_SIZE) {
                log_debug("configfs-tsm outblob has %zu bytes, not %d", n, SNP_REPORT_SIZE);
                return -EBADMSG;
        }
        snprintf(path, sizeof(path), "%s/auxblob", entry);
        r = fileio_read_full(path, 16384, &aux, &aux_size);
        if (r < 0 && r != -ENOENT)
                return r;
        snprintf(path, sizeof(path), "%s/generation", entry);
        r = read_u64_text(path, &g2);
        if (r < 0)
                return r;
        if (g1 != g2)
                return -EBUSY;          /* another writer changed inblob meanwhile */
        memcpy(report, out, SNP_REPORT_SIZE);
        if (ret_certs && aux_size > 0) {
                *ret_certs = TAKE(aux);
                *ret_certs_size = aux_size;
        }
        return 0;
}

static int tsm_get(const struct provider *p, const uint8_t rd[SNP_REPORT_DATA_SIZE],
                   uint8_t report[SNP_REPORT_SIZE], uint8_t **ret_certs, size_t *ret_certs_size) {
        const char *root = p->tsm_root ? p->tsm_root : TSM_ROOT;
        char entry[400];
        uint8_t rnd[8];
        char hex[17];
        int r;

        if (access(root, F_OK) < 0)
                return -ENODEV;
        r = crypto_random(rnd, sizeof(rnd));
        if (r < 0)
                return r;
        hex_encode_buf(rnd, sizeof(rnd), hex);
        snprintf(entry, sizeof(entry), "%s/snpctl-%d-%s", root, (int) getpid(), hex);
        if (mkdir(entry, 0700) < 0)
                return -errno;
        r = tsm_request(entry, p, rd, report, ret_certs, ret_certs_size);
        if (rmdir(entry) < 0)
                log_debug("removing '%s': %s", entry, strerror(errno));
        return r;
}

/* ---- /dev/sev-guest (snp-facts B.2.1, B.2.2) ---- */

int provider_parse_report_resp(const uint8_t *resp, size_t size, uint8_t report[SNP_REPORT_SIZE],
                               uint32_t *ret_status) {
        struct snp_msg_report_rsp rsp;
        uint32_t status;

        /* SNP ABI, MSG_REPORT_RSP: STATUS, REPORT_SIZE, then the report at 0x20. */
        if (size < sizeof(rsp))
                return -EBADMSG;
        memcpy(&rsp, resp, sizeof(rsp));
        status = le32_get(&rsp.status);
        if (status != 0) {
                if (ret_status)
                        *ret_status = status;
                return -EIO;
        }
        if (le32_get(&rsp.report_size) != SNP_REPORT_SIZE)
                return -EBADMSG;
        memcpy(report, &rsp.report, SNP_REPORT_SIZE);
        return 0;
}

static int ioctl_get(const struct provider *p, const uint8_t rd[SNP_REPORT_DATA_SIZE],
                     uint8_t report[SNP_REPORT_SIZE]) {
        _cleanup_(closep) int fd = -1;
        struct snp_report_req req;
        struct snp_report_resp resp;
        struct snp_guest_request_ioctl io;
        uint32_t status = 0;
        int r;

        /* Everything is set and checked before the ioctl: a request the firmware refuses can
         * cost the guest its VMPCK until reboot (snp-facts B.2.2). */
        memset(&req, 0, sizeof(req));
        memset(&resp, 0, sizeof(resp));
        memset(&io, 0, sizeof(io));
        memcpy(req.user_data, rd, SNP_REPORT_DATA_SIZE);
        req.vmpl = p->vmpl == PROVIDER_VMPL_DEFAULT ? 0 : p->vmpl;
        if (req.vmpl > SNP_VMPL_MAX)
                return -EINVAL;
        io.msg_version = 1;
        io.req_data = (uintptr_t) &req;
        io.resp_data = (uintptr_t) &resp;

        fd = open(p->dev ? p->dev : SEV_GUEST_DEV, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENXIO || errno == ENODEV ? -ENODEV : -errno;
        if (ioctl(fd, SNP_GET_REPORT, &io) < 0) {
                r = -errno;
                log_debug("SNP_GET_REPORT: fw_error 0x%" PRIx32 ", vmm_error 0x%" PRIx32,
                          io.fw_error, io.vmm_error);
                return r;
        }
        r = provider_parse_report_resp(resp.data, sizeof(resp.data), report, &status);
        if (r == -EIO)
                log_debug("SNP_GET_REPORT: firmware status 0x%" PRIx32, status);
        return r;
}

/* ---- sim: a template signed with a test key ---- */

static int sim_get(const struct provider *p, const uint8_t rd[SNP_REPORT_DATA_SIZE],
                   uint8_t report[SNP_REPORT_SIZE], uint8_t **ret_certs, size_t *ret_certs_size) {
        _cleanup_(freep) uint8_t *t = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *key = NULL;
        struct snp_report parsed;
        size_t n;
        int r;

        if (!p->sim_template || !p->sim_key)
                return -EINVAL;
        r = fileio_read_full(p->sim_template, 4096, &t, &n);
        if (r < 0)
                return r;
        if (report_parse(t, n, &parsed, NULL) < 0)
                return -EINVAL;
        memcpy(report, t, SNP_REPORT_SIZE);
        memcpy(report + REPORT_OFF(report_data), rd, SNP_REPORT_DATA_SIZE);
        if (p->vmpl != PROVIDER_VMPL_DEFAULT)
                le32_put(report + REPORT_OFF(vmpl), p->vmpl);
        memset(report + SNP_REPORT_SIGNED_SIZE, 0, SNP_REPORT_SIZE - SNP_REPORT_SIGNED_SIZE);
        r = crypto_key_load_pem(p->sim_key, NULL, &key);
        if (r >= 0 && !crypto_key_is_p384_private(key))
                r = -EKEYREJECTED;
        if (r >= 0)
                r = crypto_sev_sign(key, report, SNP_REPORT_SIGNED_SIZE, report + REPORT_OFF(sig_r),
                                    report + REPORT_OFF(sig_s));
        if (r >= 0 && p->sim_certs) {
                r = fileio_read_full(p->sim_certs, 16384, ret_certs, ret_certs_size);
                if (r >= 0 && *ret_certs_size == 0) {
                        free(*ret_certs);
                        *ret_certs = NULL;
                }
        }
        return r;
}

int provider_get_report(const struct provider *p, const uint8_t report_data[SNP_REPORT_DATA_SIZE],
                        uint8_t report[SNP_REPORT_SIZE], uint8_t **ret_certs,
                        size_t *ret_certs_size, enum provider_kind *ret_used) {
        uint8_t *certs = NULL;
        size_t certs_size = 0;
        enum provider_kind used = p->kind;
        int r;

        if (p->vmpl != PROVIDER_VMPL_DEFAULT && p->vmpl > SNP_VMPL_MAX)
                return -EINVAL;
        switch (p->kind) {
        case PROVIDER_SIM:
                r = sim_get(p, report_data, report, &certs, &certs_size);
                break;
        case PROVIDER_TSM:
                r = tsm_get(p, report_data, report, &certs, &certs_size);
                break;
        case PROVIDER_IOCTL:
                r = ioctl_get(p, report_data, report);
                break;
        case PROVIDER_AUTO:
                used = PROVIDER_TSM;
                r = tsm_get(p, report_data, report, &certs, &certs_size);
                if (r == -ENODEV) {
                        used = PROVIDER_IOCTL;
                        r = ioctl_get(p, report_data, report);
                }
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0) {
                free(certs);
                return r;
        }
        if (ret_certs) {
                *ret_certs = certs;
                *ret_certs_size = certs_size;
        } else
                free(certs);
        if (ret_used)
                *ret_used = used;
        return 0;
}
