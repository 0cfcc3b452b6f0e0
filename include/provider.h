/* SPDX-License-Identifier: Apache-2.0 */
/* Report providers: where a guest gets a fresh ATTESTATION_REPORT with its own REPORT_DATA.
 * configfs-tsm (/sys/kernel/config/tsm/report, Linux 6.7+) first, else the /dev/sev-guest
 * SNP_GET_REPORT ioctl (snp-facts B.2). A malformed request can make the sev-guest driver
 * disable the guest's message key until reboot, so every request is validated before it is
 * issued. The `sim` provider plays the secure processor for tests: it signs a template report
 * with a key file; it is used only when named. */
#pragma once

#include <argp.h>
#include <stddef.h>
#include <stdint.h>

#include "snp-abi.h"

#define PROVIDER_VMPL_DEFAULT UINT32_MAX        /* let the kernel choose (its privlevel floor) */

enum provider_kind {
        PROVIDER_AUTO = 0,      /* tsm when present, else ioctl; never sim */
        PROVIDER_TSM,
        PROVIDER_IOCTL,
        PROVIDER_SIM,
};

struct provider {
        enum provider_kind kind;
        uint32_t vmpl;                  /* 0-3, or PROVIDER_VMPL_DEFAULT */
        const char *sim_template;       /* sim: a 1184-byte report whose fields are copied */
        const char *sim_key;            /* sim: PEM ECDSA P-384 private key (the test VCEK) */
        const char *sim_certs;          /* sim: a certificate table handed out as the host's */
        const char *tsm_root;           /* default /sys/kernel/config/tsm/report */
        const char *dev;                /* default /dev/sev-guest */
};

/* The options that choose and set up a provider (--provider, --vmpl, --sim-template, --sim-key,
 * --sim-certs), as an argp child whose input is a struct provider; at the end of parsing it
 * checks that the sim options come together and only with --provider sim. */
extern const struct argp provider_argp;

/* "tsm", "ioctl", "sim", "auto" <-> kind; -EINVAL for another name. */
int provider_from_name(const char *name, enum provider_kind *ret);
const char *provider_name(enum provider_kind kind);

/* Gets a fresh report with these 64 bytes of REPORT_DATA into report (1184 bytes). When the host
 * supplied certificates (configfs-tsm auxblob), *ret_certs is a new buffer (the GHCB certificate
 * table) of *ret_certs_size bytes, else NULL/0; ret_certs may be NULL. *ret_used (may be NULL)
 * names the provider that answered. -EINVAL for a bad request (VMPL above 3 or below the floor,
 * a sim template that is not a report), -ENODEV when no provider is present, -EBUSY when another
 * writer changed the configfs entry, -EBADMSG when the answer is malformed, -errno otherwise. */
int provider_get_report(const struct provider *p, const uint8_t report_data[SNP_REPORT_DATA_SIZE],
                        uint8_t report[SNP_REPORT_SIZE], uint8_t **ret_certs,
                        size_t *ret_certs_size, enum provider_kind *ret_used);

/* The SNP_GET_REPORT response (MSG_REPORT_RSP in snp_report_resp.data, 4000 bytes): status 0,
 * report_size 1184, then the report at 0x20. -EBADMSG otherwise; -EIO with the firmware status
 * in *ret_status when the status is not zero. Exposed for tests. */
int provider_parse_report_resp(const uint8_t *resp, size_t size, uint8_t report[SNP_REPORT_SIZE],
                               uint32_t *ret_status);
