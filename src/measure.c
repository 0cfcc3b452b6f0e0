/* SPDX-License-Identifier: Apache-2.0 */
/* The launch digest. SNP: SNP ABI (AMD 56860) SNP_LAUNCH_UPDATE, every page extends
 * LD = SHA-384(PAGE_INFO); the order of updates is QEMU's (target/i386/sev.c): firmware pages,
 * SEV metadata sections, then one VMSA per vCPU. SEV/SEV-ES: LAUNCH_MEASURE's SHA-256 over the
 * same data. Kernel and initrd hashes (QEMU's kernel-hashes table) are computed on a worker
 * thread while the firmware pages are hashed, so the two cores overlap. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"
#include "le.h"
#include "log.h"
#include "measure.h"
#include "ovmf.h"

#define LD_SIZE MEASURE_SNP_DIGEST_SIZE
#define PAGE_SIZE OVMF_PAGE_SIZE
#define STREAM_CHUNK (1u << 20)
#define OVMF_CHUNK_PAGES 64u

/* VMSA pages are recorded at GPA -1, page-aligned, bits above 51 cleared. */
#define VMSA_GPA UINT64_C(0x0000fffffffff000)
#define BSP_EIP UINT32_C(0xfffffff0)

/* Kernel-hashes table (QEMU sev.c; OVMF BlobVerifierLibSevHashes): header {GUID, u16 length}
 * and three entries {GUID, u16 length = 50, SHA-256}, padded to 16 bytes. */
#define HASH_ENTRY_SIZE (OVMF_GUID_SIZE + 2 + 32)
#define HASH_TABLE_SIZE (OVMF_GUID_SIZE + 2 + 3 * HASH_ENTRY_SIZE)
#define HASH_TABLE_PADDED ((HASH_TABLE_SIZE + 15) & ~15)
static const uint8_t table_guid[] =
        OVMF_GUID(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const uint8_t cmdline_guid[] =
        OVMF_GUID(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const uint8_t initrd_guid[] =
        OVMF_GUID(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const uint8_t kernel_guid[] =
        OVMF_GUID(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

/* QEMU's x86 CPU models (target/i386/cpu.c builtin_x86_defs) and their family/model/stepping. */
static const struct {
        const char *name;
        uint8_t family, model, stepping;
} vcpu_types[] = {
        { "EPYC",          23, 1,  2 },
        { "EPYC-v1",       23, 1,  2 },
        { "EPYC-v2",       23, 1,  2 },
        { "EPYC-IBPB",     23, 1,  2 },
        { "EPYC-v3",       23, 1,  2 },
        { "EPYC-v4",       23, 1,  2 },
        { "EPYC-Rome",     23, 49, 0 },
        { "EPYC-Rome-v1",  23, 49, 0 },
        { "EPYC-Rome-v2",  23, 49, 0 },
        { "EPYC-Rome-v3",  23, 49, 0 },
        { "EPYC-Milan",    25, 1,  1 },
        { "EPYC-Milan-v1", 25, 1,  1 },
        { "EPYC-Milan-v2", 25, 1,  1 },
        { "EPYC-Genoa",    25, 17, 0 },
        { "EPYC-Genoa-v1", 25, 17, 0 },
        { "EPYC-Turin",    26, 0,  0 },
        { "EPYC-Turin-v1", 26, 0,  0 },
};

static const char *const mode_names[] = {
        [MEASURE_MODE_SNP] = "snp",
        [MEASURE_MODE_SNP_OVMF_HASH] = "snp:ovmf-hash",
        [MEASURE_MODE_SEVES] = "seves",
        [MEASURE_MODE_SEV] = "sev",
        [MEASURE_MODE_SNP_SVSM] = "snp:svsm",
};

static const char *const vmm_names[] = {
        [MEASURE_VMM_QEMU] = "QEMU",
        [MEASURE_VMM_EC2] = "ec2",
        [MEASURE_VMM_GCE] = "gce",
};

int measure_vcpu_sig(unsigned family, unsigned model, unsigned stepping, uint32_t *ret_sig) {
        unsigned base_family, ext_family;

        if (family > 0xf + 0xff || model > 0xff || stepping > 0xf)
                return -ERANGE;
        /* AMD pub. 25481, CPUID Fn0000_0001_EAX: family above 0xf is 0xf + extended family. */
        base_family = family > 0xf ? 0xf : family;
        ext_family = family > 0xf ? family - 0xf : 0;
        *ret_sig = (uint32_t) (ext_family << 20 | (model >> 4) << 16 | base_family << 8 |
                               (model & 0xf) << 4 | stepping);
        return 0;
}

int measure_vcpu_sig_from_type(const char *type, uint32_t *ret_sig) {
        for (size_t i = 0; i < ELEMENTSOF(vcpu_types); i++)
                if (strcmp(type, vcpu_types[i].name) == 0)
                        return measure_vcpu_sig(vcpu_types[i].family, vcpu_types[i].model,
                                                vcpu_types[i].stepping, ret_sig);
        return -ENOENT;
}

const char *measure_vcpu_type_name(size_t i) {
        return i < ELEMENTSOF(vcpu_types) ? vcpu_types[i].name : NULL;
}

int measure_mode_from_string(const char *s, enum measure_mode *ret) {
        for (size_t i = 0; i < ELEMENTSOF(mode_names); i++)
                if (strcmp(s, mode_names[i]) == 0) {
                        *ret = (enum measure_mode) i;
                        return 0;
                }
        return -EINVAL;
}

const char *measure_mode_to_string(enum measure_mode m) {
        return (size_t) m < ELEMENTSOF(mode_names) ? mode_names[m] : NULL;
}

int measure_vmm_from_string(const char *s, enum measure_vmm *ret) {
        for (size_t i = 0; i < ELEMENTSOF(vmm_names); i++)
                if (strcmp(s, vmm_names[i]) == 0) {
                        *ret = (enum measure_vmm) i;
                        return 0;
                }
        return -EINVAL;
}

const char *measure_vmm_to_string(enum measure_vmm v) {
        return (size_t) v < ELEMENTSOF(vmm_names) ? vmm_names[v] : NULL;
}

void measure_params_init(struct measure_params *p) {
        *p = (struct measure_params) {
                .mode = MEASURE_MODE_SNP,
                .vcpus = 1,
                .vmm = MEASURE_VMM_QEMU,
                .guest_features = SNP_FEATURES_DEFAULT,
        };
}

static bool same_str(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

bool measure_params_same(const struct measure_params *a, const struct measure_params *b) {
        return a->mode == b->mode && same_str(a->ovmf, b->ovmf) &&
               same_str(a->kernel, b->kernel) && same_str(a->initrd, b->initrd) &&
               same_str(a->append, b->append) && a->vcpus == b->vcpus &&
               a->vcpu_sig == b->vcpu_sig && a->vcpu_sig_missing == b->vcpu_sig_missing &&
               a->vmm == b->vmm && a->guest_features == b->guest_features &&
               a->have_ovmf_hash == b->have_ovmf_hash &&
               (!a->have_ovmf_hash || memcmp(a->ovmf_hash, b->ovmf_hash,
                                             sizeof(a->ovmf_hash)) == 0) &&
               a->have_file_hashes == b->have_file_hashes &&
               (!a->have_file_hashes ||
                (memcmp(a->kernel_sha256, b->kernel_sha256, sizeof(a->kernel_sha256)) == 0 &&
                 memcmp(a->initrd_sha256, b->initrd_sha256, sizeof(a->initrd_sha256)) == 0)) &&
               same_str(a->svsm, b->svsm) && a->vars_size == b->vars_size;
}

void measure_result_free(struct measure_result *r) {
        if (!r)
                return;
        free(r->vmsa_sha384);
        free(r);
}

__attribute__((format(printf, 3, 0)))
static int vfail(char **ret_why, int err, const char *fmt, va_list ap) {
        if (ret_why && !*ret_why && vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        return err;
}

/* Sets *ret_why (once: the first, innermost reason wins) and returns err. */
__attribute__((format(printf, 3, 4)))
static int fail(char **ret_why, int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        err = vfail(ret_why, err, fmt, ap);
        va_end(ap);
        return err;
}

/* ---- SNP page chain ------------------------------------------------------------------------ */

struct gctx {
        uint8_t ld[LD_SIZE];
};

static void page_info(struct snp_page_info *info, const uint8_t ld[LD_SIZE],
                      enum snp_page_type type, uint64_t gpa, const uint8_t contents[LD_SIZE]) {
        /* SNP ABI PAGE_INFO: digest so far, contents, length, type, IMI 0, VMPL perms 0, GPA. */
        memset(info, 0, sizeof(*info));
        memcpy(info->digest_cur, ld, LD_SIZE);
        if (contents)
                memcpy(info->contents, contents, LD_SIZE);
        le16_put(&info->length, (uint16_t) sizeof(*info));
        info->page_type = (uint8_t) type;
        le64_put(&info->gpa, gpa);
}

static int gctx_update(struct gctx *g, enum snp_page_type type, uint64_t gpa,
                       const uint8_t contents[LD_SIZE]) {
        struct snp_page_info info;

        page_info(&info, g->ld, type, gpa, contents);
        return crypto_sha384(&info, sizeof(info), g->ld);
}

int measure_extend_vmsa(struct crypto_hash_ctx *ctx, uint8_t ld[LD_SIZE],
                        const uint8_t vmsa_sha384[LD_SIZE]) {
        struct snp_page_info info;
        int r;

        page_info(&info, ld, SNP_PAGE_TYPE_VMSA, VMSA_GPA, vmsa_sha384);
        r = crypto_hash_reset(ctx);
        if (r < 0)
                return r;
        r = crypto_hash_update(ctx, &info, sizeof(info));
        if (r < 0)
                return r;
        return crypto_hash_final(ctx, ld);
}

static int gctx_normal_page(struct gctx *g, uint64_t gpa, const uint8_t *page) {
        uint8_t h[LD_SIZE];
        int r = crypto_sha384(page, PAGE_SIZE, h);

        if (r < 0)
                return r;
        return gctx_update(g, SNP_PAGE_TYPE_NORMAL, gpa, h);
}

/* Pages without contents (zero, unmeasured, secrets, CPUID), one per 4 KiB of size. */
static int gctx_empty_pages(struct gctx *g, enum snp_page_type type, uint64_t gpa, uint64_t size) {
        for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
                int r = gctx_update(g, type, gpa + off, NULL);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* Every page of the image as a NORMAL page at its GPA. */
static int gctx_image_pages(struct gctx *g, const struct ovmf_image *img, char **ret_why) {
        _cleanup_(freep) uint8_t *buf = malloc(OVMF_CHUNK_PAGES * PAGE_SIZE);

        if (!buf)
                return -ENOMEM;
        for (uint64_t off = 0; off < img->size; off += OVMF_CHUNK_PAGES * PAGE_SIZE) {
                uint64_t n = img->size - off;
                int r;

                if (n > OVMF_CHUNK_PAGES * PAGE_SIZE)
                        n = OVMF_CHUNK_PAGES * PAGE_SIZE;
                r = ovmf_read(img, off, buf, (size_t) n);
                if (r < 0)
                        return fail(ret_why, r, "reading firmware image '%s': %s", img->path,
                                    strerror(-r));
                for (uint64_t p = 0; p < n; p += PAGE_SIZE) {
                        r = gctx_normal_page(g, img->gpa + off + p, buf + p);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* ---- kernel, initrd, cmdline hashes -------------------------------------------------------- */

struct progress {
        pthread_mutex_t lock;
        uint64_t done, total;
        measure_progress_fn fn;
        void *userdata;
};

struct file_job {
        const char *what;       /* "kernel", "initrd" */
        const char *path;       /* NULL: hash of zero bytes */
        uint64_t size;          /* for balancing the threads; 0 when unknown */
        struct progress *progress;
        uint8_t sha256[32];
        int r;
        char *why;
};

struct stream_state {
        struct crypto_hash_ctx *ctx;
        struct progress *progress;
};

static int hash_chunk(const uint8_t *data, size_t size, void *userdata) {
        struct stream_state *s = userdata;
        int r = crypto_hash_update(s->ctx, data, size);

        if (r < 0)
                return r;
        if (s->progress->fn) {
                pthread_mutex_lock(&s->progress->lock);
                s->progress->done += size;
                s->progress->fn(s->progress->done, s->progress->total, s->progress->userdata);
                pthread_mutex_unlock(&s->progress->lock);
        }
        return 0;
}

static int hash_file(struct file_job *j) {
        _cleanup_(crypto_hash_freep) struct crypto_hash_ctx *ctx =
                crypto_hash_new(CRYPTO_HASH_SHA256);
        struct stream_state s = { .ctx = ctx, .progress = j->progress };
        int r;

        if (!ctx)
                return -ENOMEM;
        if (j->path) {
                r = fileio_stream(j->path, STREAM_CHUNK, hash_chunk, &s, NULL);
                if (r < 0)
                        return fail(&j->why, r, "reading %s '%s': %s", j->what, j->path,
                                    r == -EFBIG ? "not a regular file, and more than 1 GiB" :
                                    strerror(-r));
        }
        return crypto_hash_final(ctx, j->sha256);
}

static void *hash_file_thread(void *arg) {
        struct file_job *j = arg;

        j->r = hash_file(j);
        return NULL;
}

static void build_hash_table(uint8_t out[HASH_TABLE_PADDED], const struct measure_result *res) {
        const uint8_t *guids[] = { cmdline_guid, initrd_guid, kernel_guid };
        const uint8_t *hashes[] = { res->cmdline_sha256, res->initrd_sha256, res->kernel_sha256 };
        uint8_t *p = out;

        memset(out, 0, HASH_TABLE_PADDED);
        memcpy(p, table_guid, OVMF_GUID_SIZE);
        le16_put(p + OVMF_GUID_SIZE, HASH_TABLE_SIZE);
        p += OVMF_GUID_SIZE + 2;
        for (size_t i = 0; i < 3; i++) {
                memcpy(p, guids[i], OVMF_GUID_SIZE);
                le16_put(p + OVMF_GUID_SIZE, HASH_ENTRY_SIZE);
                memcpy(p + OVMF_GUID_SIZE + 2, hashes[i], 32);
                p += HASH_ENTRY_SIZE;
        }
}

/* The work that may overlap with hashing the firmware: a worker thread takes the larger of
 * kernel and initrd, the calling thread the other one after its own work. */
struct kernel_hashes {
        bool active;
        struct progress progress;
        struct file_job jobs[2];        /* kernel, initrd */
        struct file_job *mine, *theirs;
        pthread_t thread;
        bool started;
};

static void kernel_hashes_start(struct kernel_hashes *k, const struct measure_params *p) {
        uint64_t size;
        int r;

        k->active = true;
        k->progress = (struct progress) {
                .fn = p->progress,
                .userdata = p->progress_userdata,
        };
        pthread_mutex_init(&k->progress.lock, NULL);
        k->jobs[0] = (struct file_job) { .what = "kernel", .path = p->kernel,
                                         .progress = &k->progress };
        k->jobs[1] = (struct file_job) { .what = "initrd", .path = p->initrd,
                                         .progress = &k->progress };
        for (size_t i = 0; i < 2; i++)
                if (k->jobs[i].path && fileio_size(k->jobs[i].path, &size) >= 0) {
                        k->jobs[i].size = size;
                        k->progress.total += size;
                }
        k->theirs = &k->jobs[k->jobs[1].size > k->jobs[0].size ? 1 : 0];
        k->mine = &k->jobs[k->jobs[1].size > k->jobs[0].size ? 0 : 1];
        r = pthread_create(&k->thread, NULL, hash_file_thread, k->theirs);
        if (r != 0) {
                /* No thread: hash it here, later. */
                log_debug("pthread_create: %s; hashing on one thread", strerror(r));
                return;
        }
        k->started = true;
}

/* Finishes both hashes and fills the result; always joins the thread. */
static int kernel_hashes_finish(struct kernel_hashes *k, const struct measure_params *p,
                                struct measure_result *res, char **ret_why) {
        size_t cmdline_len = p->append ? strlen(p->append) : 0;
        int r, q;

        if (!k->active) {
                if (!p->kernel || !p->have_file_hashes)
                        return 0;
                memcpy(k->jobs[0].sha256, p->kernel_sha256, 32);       /* given: not read */
                memcpy(k->jobs[1].sha256, p->initrd_sha256, 32);
        } else {
                r = hash_file(k->mine);
                k->mine->r = r;
                if (k->started) {
                        pthread_join(k->thread, NULL);
                        k->started = false;
                } else
                        k->theirs->r = hash_file(k->theirs);
                pthread_mutex_destroy(&k->progress.lock);
                k->active = false;
        }

        q = 0;
        for (size_t i = 0; i < 2; i++) {
                if (k->jobs[i].r < 0 && q == 0) {
                        q = k->jobs[i].r;
                        if (k->jobs[i].why)
                                (void) fail(ret_why, q, "%s", k->jobs[i].why);
                        else
                                (void) fail(ret_why, q, "hashing %s '%s': %s", k->jobs[i].what,
                                            k->jobs[i].path ? k->jobs[i].path : "",
                                            strerror(-q));
                }
                free(k->jobs[i].why);
                k->jobs[i].why = NULL;
        }
        if (q < 0)
                return q;

        memcpy(res->kernel_sha256, k->jobs[0].sha256, 32);
        memcpy(res->initrd_sha256, k->jobs[1].sha256, 32);
        /* The command line is hashed with its terminating NUL; none at all is a lone NUL. */
        r = crypto_sha256(p->append ? p->append : "", cmdline_len + 1, res->cmdline_sha256);
        if (r < 0)
                return fail(ret_why, r, "hashing the command line");
        res->has_kernel_hashes = true;
        return 0;
}

static void kernel_hashes_abort(struct kernel_hashes *k) {
        if (!k->active)
                return;
        if (k->started)
                pthread_join(k->thread, NULL);
        for (size_t i = 0; i < 2; i++)
                free(k->jobs[i].why);
        pthread_mutex_destroy(&k->progress.lock);
        k->active = false;
}

/* ---- VMSA ---------------------------------------------------------------------------------- */

enum vmsa_kind {
        VMSA_SNP,
        VMSA_SEVES,
        VMSA_SVSM,
};

/* VMCB segment {selector u16, attrib u16, limit u32, base u64} (APM vol. 2, table B-4). */
static void put_seg(uint8_t *page, size_t off, uint16_t sel, uint16_t attr, uint32_t limit,
                    uint64_t base) {
        le16_put(page + off, sel);
        le16_put(page + off + 2, attr);
        le32_put(page + off + 4, limit);
        le64_put(page + off + 8, base);
}

enum {
        VMSA_ES = 0x00, VMSA_CS = 0x10, VMSA_SS = 0x20, VMSA_DS = 0x30, VMSA_FS = 0x40,
        VMSA_GS = 0x50, VMSA_GDTR = 0x60, VMSA_LDTR = 0x70, VMSA_IDTR = 0x80, VMSA_TR = 0x90,
        VMSA_EFER = 0xd0, VMSA_CR4 = 0x148, VMSA_CR0 = 0x158, VMSA_DR7 = 0x160,
        VMSA_DR6 = 0x168, VMSA_RFLAGS = 0x170, VMSA_RIP = 0x178, VMSA_G_PAT = 0x268,
        VMSA_RDX = 0x310, VMSA_SEV_FEATURES = 0x3b0, VMSA_XCR0 = 0x3e8, VMSA_MXCSR = 0x408,
        VMSA_X87_FCW = 0x410,
};

/* The reset state KVM/QEMU (or EC2's and GCE's VMMs) give a vCPU starting at eip. */
static void build_vmsa(uint8_t page[MEASURE_VMSA_SIZE], enum vmsa_kind kind, enum measure_vmm vmm,
                       uint32_t eip, uint32_t vcpu_sig, uint64_t features) {
        uint16_t cs_attr = 0x9b, ss_attr = 0x93, tr_attr = 0x8b;
        uint64_t rdx = vcpu_sig, g_pat = UINT64_C(0x0007040600070406);
        uint32_t mxcsr = 0x1f80;
        uint16_t fcw = 0x37f;

        memset(page, 0, MEASURE_VMSA_SIZE);
        if (kind == VMSA_SVSM) {
                /* Coconut SVSM starts in 32-bit protected mode at the full reset EIP. */
                put_seg(page, VMSA_ES, 16, 0xc93, 0xffffffff, 0);
                put_seg(page, VMSA_CS, 8, 0xc9b, 0xffffffff, 0);
                put_seg(page, VMSA_SS, 16, 0xc93, 0xffffffff, 0);
                put_seg(page, VMSA_DS, 16, 0xc93, 0xffffffff, 0);
                put_seg(page, VMSA_FS, 16, 0xc93, 0xffffffff, 0);
                put_seg(page, VMSA_GS, 0, 0x93, 0xffff, 0);
                le64_put(page + VMSA_CR0, 0x11);
                le64_put(page + VMSA_RIP, eip);
                fcw = 0;
        } else {
                if (vmm == MEASURE_VMM_EC2) {
                        cs_attr = eip == BSP_EIP ? 0x9a : 0x9b;
                        ss_attr = 0x92;
                        tr_attr = 0x83;
                }
                put_seg(page, VMSA_ES, 0, 0x93, 0xffff, 0);
                put_seg(page, VMSA_CS, 0xf000, cs_attr, 0xffff, eip & 0xffff0000u);
                put_seg(page, VMSA_SS, 0, ss_attr, 0xffff, 0);
                put_seg(page, VMSA_DS, 0, 0x93, 0xffff, 0);
                put_seg(page, VMSA_FS, 0, 0x93, 0xffff, 0);
                put_seg(page, VMSA_GS, 0, 0x93, 0xffff, 0);
                le64_put(page + VMSA_CR0, 0x10);
                le64_put(page + VMSA_RIP, eip & 0xffff);
                if (vmm != MEASURE_VMM_QEMU) {
                        rdx = 0x600;
                        mxcsr = 0;
                        fcw = 0;
                }
                if (vmm == MEASURE_VMM_GCE)
                        g_pat = 0x00070106;
        }
        put_seg(page, VMSA_GDTR, 0, 0, 0xffff, 0);
        put_seg(page, VMSA_LDTR, 0, 0x82, 0xffff, 0);
        put_seg(page, VMSA_IDTR, 0, 0, 0xffff, 0);
        put_seg(page, VMSA_TR, 0, tr_attr, 0xffff, 0);
        le64_put(page + VMSA_EFER, 0x1000);             /* KVM sets EFER.SVME */
        le64_put(page + VMSA_CR4, 0x40);                /* CR4.MCE */
        le64_put(page + VMSA_DR7, 0x400);
        le64_put(page + VMSA_DR6, 0xffff0ff0);
        le64_put(page + VMSA_RFLAGS, 0x2);
        le64_put(page + VMSA_G_PAT, g_pat);
        le64_put(page + VMSA_RDX, rdx);
        /* SEV-ES has no SEV_FEATURES; Coconut SVSM's VMSAs always carry SNPActive alone. */
        le64_put(page + VMSA_SEV_FEATURES, kind == VMSA_SEVES ? 0 : kind == VMSA_SVSM ? 1 :
                 features);
        le64_put(page + VMSA_XCR0, 0x1);
        le32_put(page + VMSA_MXCSR, mxcsr);
        le16_put(page + VMSA_X87_FCW, fcw);
}

/* Builds the BSP and AP pages and the per-vCPU digests into res. */
static int build_vmsas(struct measure_result *res, enum vmsa_kind kind,
                       const struct measure_params *p, uint32_t bsp_eip, uint32_t ap_eip) {
        uint8_t bsp_h[LD_SIZE], ap_h[LD_SIZE];
        int r;

        build_vmsa(res->bsp_vmsa, kind, p->vmm, bsp_eip, p->vcpu_sig, p->guest_features);
        build_vmsa(res->ap_vmsa, kind, p->vmm, ap_eip, p->vcpu_sig, p->guest_features);
        res->ap_eip = ap_eip;
        r = crypto_sha384(res->bsp_vmsa, MEASURE_VMSA_SIZE, bsp_h);
        if (r < 0)
                return r;
        r = crypto_sha384(res->ap_vmsa, MEASURE_VMSA_SIZE, ap_h);
        if (r < 0)
                return r;
        res->vmsa_sha384 = calloc(p->vcpus, LD_SIZE);
        if (!res->vmsa_sha384)
                return -ENOMEM;
        res->n_vmsas = p->vcpus;
        for (unsigned i = 0; i < p->vcpus; i++)
                memcpy(res->vmsa_sha384[i], i == 0 ? bsp_h : ap_h, LD_SIZE);
        return 0;
}

static const uint8_t *vmsa_page(const struct measure_result *res, size_t i) {
        return i == 0 ? res->bsp_vmsa : res->ap_vmsa;
}

/* ---- the modes ----------------------------------------------------------------------------- */

static int need_reset_block(const struct ovmf_image *img, unsigned vcpus, char **ret_why) {
        if (!img->has_footer)
                return fail(ret_why, -EBADMSG, "firmware image '%s' has no footer GUID table, so "
                            "no SEV-ES reset block (is it an OVMF build with SEV support?)",
                            img->path);
        if (!img->has_reset_block)
                return fail(ret_why, -EBADMSG, "firmware image '%s' has no SEV-ES reset block "
                            "(SEV_ES_RESET_BLOCK_GUID) in its footer table", img->path);
        if (img->reset_eip == 0 && vcpus > 1)
                return fail(ret_why, -EBADMSG, "firmware image '%s' gives AP reset EIP 0",
                            img->path);
        return 0;
}

static int need_vcpu_sig(const struct measure_params *p, char **ret_why) {
        if (p->vcpu_sig_missing && p->vmm == MEASURE_VMM_QEMU)
                return fail(ret_why, -ENOKEY, "no vCPU signature given; QEMU puts it into "
                            "every VMSA");
        return 0;
}

/* Rejects what snp_sections() cannot replay before any hashing starts. */
static int check_sections(const struct ovmf_image *img, const struct measure_params *p,
                          char **ret_why) {
        for (size_t i = 0; i < img->n_sections; i++) {
                const struct ovmf_section *s = &img->sections[i];

                if (!ovmf_section_type_name(s->type))
                        return fail(ret_why, -EBADMSG, "firmware image '%s': unknown SEV metadata "
                                    "section type 0x%x (section %zu)", img->path, s->type, i);
                if (s->type == OVMF_SECTION_SNP_KERNEL_HASHES && p->kernel &&
                    s->size != PAGE_SIZE)
                        return fail(ret_why, -EBADMSG, "firmware image '%s': SNP_KERNEL_HASHES "
                                    "section is 0x%x bytes, expected one page", img->path,
                                    s->size);
        }
        if (p->kernel && (img->hashes_table_gpa & (PAGE_SIZE - 1)) + HASH_TABLE_PADDED > PAGE_SIZE)
                return fail(ret_why, -EBADMSG, "firmware image '%s': kernel-hashes table at GPA "
                            "0x%x does not fit in its page", img->path, img->hashes_table_gpa);
        return 0;
}

/* The SEV metadata sections of img in order, with the VMM quirks (A.2). */
static int snp_sections(struct gctx *g, const struct ovmf_image *img,
                        const struct measure_params *p, const struct measure_result *res,
                        char **ret_why) {
        int r;

        for (size_t i = 0; i < img->n_sections; i++) {
                const struct ovmf_section *s = &img->sections[i];

                switch (s->type) {
                case OVMF_SECTION_SNP_SEC_MEM:
                        r = gctx_empty_pages(g, p->vmm == MEASURE_VMM_GCE ?
                                             SNP_PAGE_TYPE_UNMEASURED :
                                             SNP_PAGE_TYPE_ZERO, s->gpa, s->size);
                        break;
                case OVMF_SECTION_SNP_SECRETS:
                        r = gctx_update(g, SNP_PAGE_TYPE_SECRETS, s->gpa, NULL);
                        break;
                case OVMF_SECTION_CPUID:
                        /* EC2 adds the CPUID page after all other sections. */
                        r = p->vmm == MEASURE_VMM_EC2 ? 0 :
                                gctx_update(g, SNP_PAGE_TYPE_CPUID, s->gpa, NULL);
                        break;
                case OVMF_SECTION_SVSM_CAA:
                        r = gctx_empty_pages(g, SNP_PAGE_TYPE_ZERO, s->gpa, s->size);
                        break;
                case OVMF_SECTION_SNP_KERNEL_HASHES:
                        if (res->has_kernel_hashes) {
                                uint8_t page[PAGE_SIZE] = { 0 };
                                uint32_t off = img->hashes_table_gpa & (PAGE_SIZE - 1);

                                if (s->size != PAGE_SIZE)
                                        return fail(ret_why, -EBADMSG, "firmware image '%s': "
                                                    "SNP_KERNEL_HASHES section is 0x%x bytes, "
                                                    "expected one page", img->path, s->size);
                                if (off + HASH_TABLE_PADDED > PAGE_SIZE)
                                        return fail(ret_why, -EBADMSG, "firmware image '%s': "
                                                    "kernel-hashes table at GPA 0x%x does not fit "
                                                    "in its page", img->path,
                                                    img->hashes_table_gpa);
                                build_hash_table(page + off, res);
                                r = gctx_normal_page(g, s->gpa, page);
                        } else
                                r = gctx_empty_pages(g, SNP_PAGE_TYPE_ZERO, s->gpa, s->size);
                        break;
                default:
                        return fail(ret_why, -EBADMSG, "firmware image '%s': unknown SEV metadata "
                                    "section type 0x%x (section %zu)", img->path, s->type, i);
                }
                if (r < 0)
                        return r;
        }
        if (p->vmm == MEASURE_VMM_EC2)
                for (size_t i = 0; i < img->n_sections; i++)
                        if (img->sections[i].type == OVMF_SECTION_CPUID) {
                                r = gctx_update(g, SNP_PAGE_TYPE_CPUID, img->sections[i].gpa, NULL);
                                if (r < 0)
                                        return r;
                        }
        return 0;
}

static int check_snp_kernel(const struct ovmf_image *img, char **ret_why) {
        /* sev-snp-measure's wording, so that scripts matching it keep working. */
        if (!ovmf_has_section(img, OVMF_SECTION_SNP_KERNEL_HASHES))
                return fail(ret_why, -EBADMSG, "firmware image '%s': Kernel specified but OVMF "
                            "metadata doesn't include SNP_KERNEL_HASHES section", img->path);
        if (!img->has_hashes_entry)
                return fail(ret_why, -EBADMSG, "firmware image '%s': Kernel specified but the "
                            "footer table has no SEV hashes-table entry", img->path);
        return 0;
}

static int check_sev_kernel(const struct ovmf_image *img, char **ret_why) {
        if (!img->has_hashes_entry || img->hashes_table_gpa == 0)
                return fail(ret_why, -EBADMSG, "firmware image '%s': Kernel specified but OVMF "
                            "doesn't support kernel/initrd/cmdline measurement", img->path);
        return 0;
}

static int run_snp(const struct measure_params *p, struct measure_result *res,
                   struct kernel_hashes *k, char **ret_why) {
        _cleanup_(ovmf_freep) struct ovmf_image *opened = NULL;
        const struct ovmf_image *ovmf = p->ovmf_image;
        _cleanup_(ovmf_freep) struct ovmf_image *svsm = NULL;
        const struct ovmf_image *sections_of;
        struct gctx g = { { 0 } };
        uint32_t bsp_eip = BSP_EIP, ap_eip;
        int r;

        if (!ovmf) {
                r = ovmf_open(p->ovmf, OVMF_FOUR_GIB, &opened, ret_why);
                if (r < 0)
                        return r;
                ovmf = opened;
        }
        if (p->mode == MEASURE_MODE_SNP_SVSM) {
                if (p->vars_size > ovmf->gpa)
                        return fail(ret_why, -EINVAL, "OVMF_VARS size %" PRIu64 " does not fit "
                                    "below the firmware at GPA 0x%" PRIx64, p->vars_size,
                                    ovmf->gpa);
                r = ovmf_open(p->svsm, ovmf->gpa - p->vars_size, &svsm, ret_why);
                if (r < 0)
                        return r;
                if (!svsm->has_svsm_info)
                        return fail(ret_why, -EBADMSG, "SVSM image '%s' has no SVSM info entry "
                                    "(SVSM_INFO_GUID) in its footer table", p->svsm);
                bsp_eip = ap_eip = (uint32_t) (svsm->gpa + svsm->svsm_reset_offset);
                sections_of = svsm;
        } else if (p->mode == MEASURE_MODE_SNP) {
                r = need_reset_block(ovmf, p->vcpus, ret_why);
                if (r < 0)
                        return r;
                ap_eip = ovmf->reset_eip;
                if (p->kernel) {
                        r = check_snp_kernel(ovmf, ret_why);
                        if (r < 0)
                                return r;
                }
                sections_of = ovmf;
        } else {
                ap_eip = 0;
                sections_of = NULL;
        }
        if (p->mode != MEASURE_MODE_SNP_OVMF_HASH) {
                r = need_vcpu_sig(p, ret_why);
                if (r < 0)
                        return r;
        }
        if (sections_of) {
                r = check_sections(sections_of, p, ret_why);
                if (r < 0)
                        return r;
        }
        if (p->kernel && !p->have_file_hashes)
                kernel_hashes_start(k, p);

        if (p->have_ovmf_hash)
                memcpy(g.ld, p->ovmf_hash, LD_SIZE);
        else {
                r = gctx_image_pages(&g, ovmf, ret_why);
                if (r < 0)
                        return r;
        }
        memcpy(res->ovmf_hash, g.ld, LD_SIZE);
        res->has_ovmf_hash = true;
        if (p->mode == MEASURE_MODE_SNP_OVMF_HASH) {
                memcpy(res->digest, g.ld, LD_SIZE);
                res->digest_size = LD_SIZE;
                return 0;
        }
        if (svsm) {
                r = gctx_image_pages(&g, svsm, ret_why);
                if (r < 0)
                        return r;
        }
        r = kernel_hashes_finish(k, p, res, ret_why);
        if (r < 0)
                return r;
        if (res->has_kernel_hashes)
                res->kernel_hashes_table_gpa = ovmf->hashes_table_gpa;

        r = snp_sections(&g, sections_of, p, res, ret_why);
        if (r < 0)
                return r;

        memcpy(res->pre_vmsa_digest, g.ld, LD_SIZE);
        r = build_vmsas(res, svsm ? VMSA_SVSM : VMSA_SNP, p, bsp_eip, ap_eip);
        if (r < 0)
                return r;
        for (size_t i = 0; i < res->n_vmsas; i++) {
                r = gctx_update(&g, SNP_PAGE_TYPE_VMSA, VMSA_GPA, res->vmsa_sha384[i]);
                if (r < 0)
                        return r;
        }
        memcpy(res->digest, g.ld, LD_SIZE);
        res->digest_size = LD_SIZE;
        return 0;
}

/* SEV and SEV-ES: SHA-256(OVMF || kernel-hashes table [|| VMSA pages]). */
static int run_sev(const struct measure_params *p, struct measure_result *res,
                   struct kernel_hashes *k, char **ret_why) {
        _cleanup_(ovmf_freep) struct ovmf_image *ovmf = NULL;
        _cleanup_(crypto_hash_freep) struct crypto_hash_ctx *ctx = NULL;
        _cleanup_(freep) uint8_t *buf = NULL;
        int r;

        r = ovmf_open(p->ovmf, OVMF_FOUR_GIB, &ovmf, ret_why);
        if (r < 0)
                return r;
        if (p->mode == MEASURE_MODE_SEVES) {
                r = need_reset_block(ovmf, p->vcpus, ret_why);
                if (r < 0)
                        return r;
        }
        if (p->kernel) {
                r = check_sev_kernel(ovmf, ret_why);
                if (r < 0)
                        return r;
        }
        if (p->mode == MEASURE_MODE_SEVES) {
                r = need_vcpu_sig(p, ret_why);
                if (r < 0)
                        return r;
        }
        if (p->kernel && !p->have_file_hashes)
                kernel_hashes_start(k, p);

        ctx = crypto_hash_new(CRYPTO_HASH_SHA256);
        buf = malloc(OVMF_CHUNK_PAGES * PAGE_SIZE);
        if (!ctx || !buf)
                return -ENOMEM;
        for (uint64_t off = 0; off < ovmf->size; off += OVMF_CHUNK_PAGES * PAGE_SIZE) {
                uint64_t n = ovmf->size - off;

                if (n > OVMF_CHUNK_PAGES * PAGE_SIZE)
                        n = OVMF_CHUNK_PAGES * PAGE_SIZE;
                r = ovmf_read(ovmf, off, buf, (size_t) n);
                if (r < 0)
                        return fail(ret_why, r, "reading firmware image '%s': %s", p->ovmf,
                                    strerror(-r));
                r = crypto_hash_update(ctx, buf, (size_t) n);
                if (r < 0)
                        return r;
        }

        r = kernel_hashes_finish(k, p, res, ret_why);
        if (r < 0)
                return r;
        if (res->has_kernel_hashes) {
                uint8_t table[HASH_TABLE_PADDED];

                build_hash_table(table, res);
                r = crypto_hash_update(ctx, table, sizeof(table));
                if (r < 0)
                        return r;
        }
        if (p->mode == MEASURE_MODE_SEVES) {
                r = build_vmsas(res, VMSA_SEVES, p, BSP_EIP, ovmf->reset_eip);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < res->n_vmsas; i++) {
                        r = crypto_hash_update(ctx, vmsa_page(res, i), MEASURE_VMSA_SIZE);
                        if (r < 0)
                                return r;
                }
        }
        r = crypto_hash_final(ctx, res->digest);
        if (r < 0)
                return r;
        res->digest_size = MEASURE_SEV_DIGEST_SIZE;
        return 0;
}

static int check_params(const struct measure_params *p, char **ret_why) {
        bool vmsas = p->mode == MEASURE_MODE_SNP || p->mode == MEASURE_MODE_SEVES ||
                p->mode == MEASURE_MODE_SNP_SVSM;

        if (!measure_mode_to_string(p->mode))
                return fail(ret_why, -EINVAL, "unknown mode %d", (int) p->mode);
        if (!measure_vmm_to_string(p->vmm))
                return fail(ret_why, -EINVAL, "unknown VMM type %d", (int) p->vmm);
        if (!p->ovmf)
                return fail(ret_why, -EINVAL, "no firmware image (OVMF) given");
        if ((p->initrd || p->append) && !p->kernel)
                return fail(ret_why, -EINVAL, "an initrd or command line needs a kernel");
        if (vmsas && (p->vcpus < 1 || p->vcpus > SNP_MAX_VCPUS))
                return fail(ret_why, -EINVAL, "vCPU count %u is outside 1..%u", p->vcpus,
                            SNP_MAX_VCPUS);
        /* Any other SEV_FEATURES bit is measured as given, as sev-snp-measure and QEMU do: a
         * newer processor may define it (the applets warn about bits we do not know). */
        if (p->mode == MEASURE_MODE_SNP && !(p->guest_features & SNP_FEATURE_SNP_ACTIVE))
                return fail(ret_why, -EINVAL, "guest features 0x%" PRIx64 " lack bit 0 "
                            "(SNPActive), which every SNP vCPU has", p->guest_features);
        /* snp:svsm too: its OVMF pages come first (the applet offers it in snp mode only). */
        if (p->have_ovmf_hash && p->mode != MEASURE_MODE_SNP && p->mode != MEASURE_MODE_SNP_SVSM)
                return fail(ret_why, -EINVAL, "a precomputed OVMF hash only works in snp mode");
        if (p->mode == MEASURE_MODE_SNP_SVSM) {
                if (!p->svsm)
                        return fail(ret_why, -EINVAL, "snp:svsm mode needs an SVSM image");
                if (p->vars_size == 0 || p->vars_size % PAGE_SIZE != 0)
                        return fail(ret_why, -EINVAL, "OVMF_VARS size %" PRIu64 " is not a "
                                    "non-zero multiple of 4096", p->vars_size);
                if (p->vmm != MEASURE_VMM_QEMU)
                        return fail(ret_why, -EINVAL, "snp:svsm mode is only defined for QEMU");
                if (p->kernel)
                        return fail(ret_why, -EINVAL, "snp:svsm mode does not measure a kernel");
        } else if (p->svsm || p->vars_size)
                return fail(ret_why, -EINVAL, "an SVSM image and OVMF_VARS size need snp:svsm mode");
        if (p->mode == MEASURE_MODE_SNP_OVMF_HASH && p->kernel)
                return fail(ret_why, -EINVAL, "snp:ovmf-hash mode does not measure a kernel");
        return 0;
}

int measure_compute(const struct measure_params *p, struct measure_result **ret_result,
                    char **ret_why) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        struct kernel_hashes k = { .active = false };
        int r;

        if (ret_why)
                *ret_why = NULL;
        r = check_params(p, ret_why);
        if (r < 0)
                return r;
        res = calloc(1, sizeof(*res));
        if (!res)
                return -ENOMEM;
        res->mode = p->mode;

        if (p->mode == MEASURE_MODE_SEV || p->mode == MEASURE_MODE_SEVES)
                r = run_sev(p, res, &k, ret_why);
        else
                r = run_snp(p, res, &k, ret_why);
        kernel_hashes_abort(&k);        /* joins the worker on every error path */
        if (r < 0)
                return r;
        *ret_result = TAKE(res);
        return 0;
}
