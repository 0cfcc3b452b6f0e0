/* SPDX-License-Identifier: Apache-2.0 */
/* measure --match: which launch parameters reproduce a digest. One plain measure hashes the
 * files (OVMF pages, kernel, initrd); then every candidate (VMM, kernel-hashes, SVSM, vCPU
 * signature, guest features) is measured with that OVMF hash and those file hashes given, which
 * costs only the metadata pages and two VMSA pages, and yields the digest before its VMSA pages.
 * QEMU (target/i386/sev.c) adds one VMSA per vCPU after everything else, vCPU 0 first and every
 * other vCPU with the same page, so a chain of page updates from that digest gives the digests
 * of 1, 2, ... N vCPUs at one SHA-384 each. The chains run on up to two threads. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "hex.h"
#include "measure-match.h"
#include "output.h"
#include "ovmf.h"
#include "snp-abi.h"

#define MAX_THREADS 2
#define MAX_SIGS 32

struct chain {
        uint8_t pre[MEASURE_SNP_DIGEST_SIZE];   /* digest before the VMSA pages */
        uint8_t bsp[MEASURE_SNP_DIGEST_SIZE];   /* SHA-384 of vCPU 0's VMSA */
        uint8_t ap[MEASURE_SNP_DIGEST_SIZE];    /* SHA-384 of the other vCPUs' VMSA */
        unsigned first, last;                   /* vCPU counts compared */
        struct measure_match m;                 /* vcpus filled in by a hit */
        unsigned hit;                           /* vCPU count that matched, 0: none */
        struct measure_params p;                /* the engine's parameters (vcpus aside) */
};

struct worker {
        struct chain *chains;
        size_t begin, end;
        const uint8_t *digest;
        pthread_t thread;
        int r;
};

uint64_t measure_match_common_features(size_t i) {
        size_t n = 0;

        if (i == 0)
                return SNP_FEATURE_SNP_ACTIVE;
        n = 1;
        /* SNPActive with each other named bit alone, then DebugSwap (older KVM's default) with
         * each named bit but those two. */
        for (unsigned pass = 0; pass < 2; pass++)
                for (const struct snp_bit_name *b = snp_feature_bits; b->name; b++) {
                        uint64_t base = pass == 0 ? SNP_FEATURE_SNP_ACTIVE :
                                SNP_FEATURE_SNP_ACTIVE | SNP_FEATURE_DEBUG_SWAP;
                        uint64_t bit = UINT64_C(1) << b->bit;

                        if (base & bit)
                                continue;
                        if (n++ == i)
                                return base | bit;
                }
        return 0;
}

char *measure_match_vcpu_types(uint32_t sig) {
        char *s = NULL;
        size_t len = 0;

        for (size_t i = 0; measure_vcpu_type_name(i); i++) {
                const char *name = measure_vcpu_type_name(i);
                uint32_t t;
                char *n;

                if (measure_vcpu_sig_from_type(name, &t) < 0 || t != sig)
                        continue;
                n = realloc(s, len + strlen(name) + 3);
                if (!n) {
                        free(s);
                        return NULL;
                }
                s = n;
                len += (size_t) sprintf(s + len, "%s%s", len ? ", " : "", name);
        }
        return s;
}

static const char *first_vcpu_type(uint32_t sig) {
        for (size_t i = 0; measure_vcpu_type_name(i); i++) {
                uint32_t t;

                if (measure_vcpu_sig_from_type(measure_vcpu_type_name(i), &t) == 0 && t == sig)
                        return measure_vcpu_type_name(i);
        }
        return NULL;
}

int measure_match_describe(const struct measure_match *m, char **ret_flags, char **ret_config) {
        _cleanup_(freep) char *flags = NULL;
        _cleanup_(freep) char *config = NULL;
        const char *type = m->vcpu_sig_measured ? first_vcpu_type(m->vcpu_sig) : NULL;
        char vcpu_flag[64] = "", vcpu_field[96] = "", feat_flag[48] = "", feat_field[48] = "";

        if (type) {
                snprintf(vcpu_flag, sizeof(vcpu_flag), " --vcpu-type %s", type);
                snprintf(vcpu_field, sizeof(vcpu_field), ", \"vcpu_type\": \"%s\"", type);
        } else if (m->vcpu_sig_measured) {
                snprintf(vcpu_flag, sizeof(vcpu_flag), " --vcpu-sig 0x%" PRIx32, m->vcpu_sig);
                snprintf(vcpu_field, sizeof(vcpu_field), ", \"vcpu_type\": null, "
                         "\"vcpu_sig\": \"0x%" PRIx32 "\"", m->vcpu_sig);
        }
        if (m->guest_features_measured) {
                snprintf(feat_flag, sizeof(feat_flag), " --guest-features 0x%" PRIx64,
                         m->guest_features);
                snprintf(feat_field, sizeof(feat_field), ", \"guest_features\": \"0x%" PRIx64 "\"",
                         m->guest_features);
        }
        if (asprintf(&flags, "%s--vcpus %u%s --vmm-type %s%s%s", m->svsm ? "--mode snp:svsm " : "",
                     m->vcpus, vcpu_flag, measure_vmm_to_string(m->vmm), feat_flag,
                     m->kernel_hashes ? "" : " (kernel-hashes=off: no --kernel)") < 0) {
                flags = NULL;
                return -ENOMEM;
        }
        if (asprintf(&config, "\"vcpu_count\": %u%s, \"vmm_type\": \"%s\"%s%s", m->vcpus,
                     vcpu_field, config_vmm_type_to_string(m->vmm), feat_field,
                     m->svsm ? " (with an SVSM, which a config does not describe)" : "") < 0) {
                config = NULL;
                return -ENOMEM;
        }
        *ret_flags = TAKE(flags);
        *ret_config = TAKE(config);
        return 0;
}

/* ---- the chains ---------------------------------------------------------------------------- */

static int run_chains(struct worker *w) {
        _cleanup_(crypto_hash_freep) struct crypto_hash_ctx *ctx =
                crypto_hash_new(CRYPTO_HASH_SHA384);

        if (!ctx)
                return -ENOMEM;
        for (size_t i = w->begin; i < w->end; i++) {
                struct chain *c = &w->chains[i];
                uint8_t ld[MEASURE_SNP_DIGEST_SIZE];

                memcpy(ld, c->pre, sizeof(ld));
                for (unsigned n = 1; n <= c->last; n++) {
                        int r = measure_extend_vmsa(ctx, ld, n == 1 ? c->bsp : c->ap);

                        if (r < 0)
                                return r;
                        /* Not a secret: the digest is public, a plain compare will do. */
                        if (n >= c->first && memcmp(ld, w->digest, sizeof(ld)) == 0 && !c->hit)
                                c->hit = n;
                }
        }
        return 0;
}

static void *worker_thread(void *arg) {
        struct worker *w = arg;

        w->r = run_chains(w);
        return NULL;
}

static int run_all(struct chain *chains, size_t n, const uint8_t *digest) {
        struct worker w[MAX_THREADS];
        size_t n_threads = n >= MAX_THREADS * 4 ? MAX_THREADS : 1, started = 0;
        int r = 0;

        for (size_t t = 0; t < n_threads; t++)
                w[t] = (struct worker) { .chains = chains, .begin = n * t / n_threads,
                                         .end = n * (t + 1) / n_threads, .digest = digest };
        /* Threads 1.. on their own; thread 0's share on this one; no thread: here too. */
        for (size_t t = 1; t < n_threads; t++) {
                if (pthread_create(&w[t].thread, NULL, worker_thread, &w[t]) != 0)
                        break;
                started = t;
        }
        w[0].r = run_chains(&w[0]);
        for (size_t t = 1; t < n_threads; t++) {
                if (t <= started)
                        pthread_join(w[t].thread, NULL);
                else
                        w[t].r = run_chains(&w[t]);
                if (w[t].r < 0 && r == 0)
                        r = w[t].r;
        }
        return w[0].r < 0 ? w[0].r : r;
}

/* ---- building the candidates --------------------------------------------------------------- */

struct search {
        const struct measure_match_query *q;
        struct measure_params base;     /* files, ovmf hash and file hashes given */
        struct chain *chains;
        size_t n_chains, cap;
        unsigned max_vcpus;
};

static int add_chain(struct search *s, const struct measure_params *p, const struct measure_match *m,
                     char **ret_why) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        struct chain *c;
        unsigned limit;
        int r;

        r = measure_compute(p, &res, ret_why);
        if (r < 0)
                return r;
        if (s->n_chains == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 64;
                struct chain *n = reallocarray(s->chains, cap, sizeof(*n));

                if (!n)
                        return -ENOMEM;
                s->chains = n;
                s->cap = cap;
        }
        c = &s->chains[s->n_chains++];
        *c = (struct chain) { .m = *m, .p = *p };
        memcpy(c->pre, res->pre_vmsa_digest, sizeof(c->pre));
        memcpy(c->bsp, res->vmsa_sha384[0], sizeof(c->bsp));
        r = crypto_sha384(res->ap_vmsa, MEASURE_VMSA_SIZE, c->ap);
        if (r < 0)
                return r;
        limit = m->svsm ? s->q->max_vcpus : s->max_vcpus;
        if (s->q->fix_vcpus) {
                c->first = c->last = s->q->p.vcpus;
                if (!m->svsm && s->max_vcpus == 1 && c->last > 1)
                        c->last = 0;    /* measure_compute() refuses it too */
        } else {
                c->first = 1;
                c->last = limit;
        }
        return 0;
}

static bool add_unique_u64(uint64_t *list, size_t *n, size_t max, uint64_t v) {
        for (size_t i = 0; i < *n; i++)
                if (list[i] == v)
                        return true;
        if (*n == max)
                return false;
        list[(*n)++] = v;
        return true;
}

/* The candidates with kernel hashes off (kh 0) or on (kh 1, the files hashed). */
static int build_chains(struct search *s, int kh, bool kernel_hashes_possible, char **ret_why) {
        const struct measure_match_query *q = s->q;
        uint64_t sigs[MAX_SIGS], feats[MEASURE_MATCH_MAX_FEATURES];
        size_t n_sigs = 0, n_feats = 0;
        int r;

        if (q->fix_vcpu_sig)
                sigs[n_sigs++] = q->p.vcpu_sig;
        else
                for (size_t i = 0; measure_vcpu_type_name(i); i++) {
                        uint32_t sig;

                        if (measure_vcpu_sig_from_type(measure_vcpu_type_name(i), &sig) == 0)
                                (void) add_unique_u64(sigs, &n_sigs, MAX_SIGS, sig);
                }
        /* A config's own values are candidates too (a model snpctl has no name for). */
        if (!q->fix_vcpu_sig && q->p.vcpu_sig)
                (void) add_unique_u64(sigs, &n_sigs, MAX_SIGS, q->p.vcpu_sig);
        if (q->fix_guest_features)
                feats[n_feats++] = q->p.guest_features;
        else {
                for (size_t i = 0; measure_match_common_features(i); i++)
                        (void) add_unique_u64(feats, &n_feats, MEASURE_MATCH_MAX_FEATURES,
                                              measure_match_common_features(i));
                if (q->p.guest_features & SNP_FEATURE_SNP_ACTIVE)
                        (void) add_unique_u64(feats, &n_feats, MEASURE_MATCH_MAX_FEATURES,
                                              q->p.guest_features);
                for (size_t i = 0; i < q->n_extra_features; i++)
                        if (!add_unique_u64(feats, &n_feats, MEASURE_MATCH_MAX_FEATURES,
                                            q->extra_features[i]))
                                return -E2BIG;
        }

        if (kh && (!q->p.kernel || !kernel_hashes_possible))
                return 0;
        if (q->p.kernel && q->fix_kernel_hashes && q->kernel_hashes != (bool) kh)
                return 0;
        for (int svsm = 0; svsm <= 1; svsm++) {
                /* An SVSM guest measures no kernel (snp:svsm mode). */
                if (svsm ? kh || !q->p.svsm || (q->fix_svsm && !q->svsm_on) :
                    q->p.svsm && q->fix_svsm && q->svsm_on)
                        continue;
                for (int vmm = MEASURE_VMM_QEMU; vmm <= MEASURE_VMM_GCE; vmm++) {
                        bool sig_measured = vmm == MEASURE_VMM_QEMU;

                        if ((q->fix_vmm && q->p.vmm != (enum measure_vmm) vmm) ||
                            (svsm && vmm != MEASURE_VMM_QEMU))
                                continue;
                        for (size_t si = 0; si < (sig_measured ? n_sigs : 1); si++)
                                for (size_t fi = 0; fi < (svsm ? 1 : n_feats); fi++) {
                                        struct measure_params p = s->base;
                                        struct measure_match m = {
                                                .vcpu_sig_measured = sig_measured,
                                                .vcpu_sig = (uint32_t) sigs[si],
                                                .vmm = (enum measure_vmm) vmm,
                                                .guest_features_measured = !svsm,
                                                .guest_features = svsm ?
                                                        SNP_FEATURE_SNP_ACTIVE : feats[fi],
                                                .kernel_hashes = kh,
                                                .svsm = svsm,
                                        };

                                        p.mode = svsm ? MEASURE_MODE_SNP_SVSM :
                                                MEASURE_MODE_SNP;
                                        p.vcpus = 1;
                                        p.vcpu_sig = m.vcpu_sig;
                                        p.vmm = m.vmm;
                                        p.guest_features = m.guest_features;
                                        if (!kh)
                                                p.kernel = p.initrd = p.append = NULL;
                                        if (!svsm) {
                                                p.svsm = NULL;
                                                p.vars_size = 0;
                                        }
                                        r = add_chain(s, &p, &m, ret_why);
                                        if (r < 0)
                                                return r;
                                }
                }
        }
        return 0;
}

/* The measure with the kernel, initrd and command line: on its own thread, so that their hashing
 * overlaps the candidates that do not measure them (kernel-hashes=off). */
struct file_pass {
        struct measure_params p;
        struct measure_result *res;
        char *why;
        int r;
        pthread_t thread;
        bool started;
};

static void *file_pass_thread(void *arg) {
        struct file_pass *f = arg;

        f->r = measure_compute(&f->p, &f->res, &f->why);
        return NULL;
}

/* A hit of the shortcut (one page update per extra vCPU), measured again from the start by the
 * engine with the chain's parameters: a match is kept only when measure_compute() gives the
 * digest too. 0; -EIO when it does not (a defect of the search: nothing is printed); the
 * errors of measure_compute(). */
static int confirm(const struct chain *c, const uint8_t digest[MEASURE_SNP_DIGEST_SIZE]) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        struct measure_params p = c->p;
        int r;

        p.vcpus = c->hit;
        r = measure_compute(&p, &res, NULL);
        if (r < 0)
                return r;
        return memcmp(res->digest, digest, MEASURE_SNP_DIGEST_SIZE) == 0 ? 0 : -EIO;
}

/* Runs the chains from index begin on, then counts them into res; each kept match confirmed. */
static int run_from(struct search *s, size_t begin, struct measure_match_result *res) {
        int r = run_all(s->chains + begin, s->n_chains - begin, s->q->digest);

        for (size_t i = begin; r >= 0 && i < s->n_chains; i++) {
                const struct chain *c = &s->chains[i];

                res->n_candidates += c->last >= c->first ? c->last - c->first + 1 : 0;
                if (!c->hit)
                        continue;
                res->n_found++;
                if (res->n_matches < MEASURE_MATCH_MAX) {
                        r = confirm(c, s->q->digest);
                        if (r < 0)
                                return r;
                        res->matches[res->n_matches] = c->m;
                        res->matches[res->n_matches++].vcpus = c->hit;
                }
        }
        return r;
}

/* Both passes: kernel-hashes off while the files are hashed, then on. Always joins f. */
static int search_passes(struct search *s, struct file_pass *f, struct measure_match_result *res,
                         char **ret_why) {
        const struct measure_match_query *q = s->q;
        bool fixed_on = q->fix_kernel_hashes && q->kernel_hashes;
        size_t begin;
        int r;

        if (f->started || f->p.kernel) {
                if (!f->started)
                        f->r = measure_compute(&f->p, &f->res, &f->why);      /* no thread */
        }
        r = build_chains(s, 0, false, ret_why);
        if (r >= 0)
                r = run_from(s, 0, res);
        if (f->started)
                pthread_join(f->thread, NULL);
        if (r < 0 || !f->p.kernel)
                return r;
        if (f->r == -EBADMSG && !fixed_on)
                return 0;       /* a firmware that cannot measure a kernel: kernel-hashes=off */
        if (f->r < 0) {
                if (ret_why && f->why)
                        *ret_why = TAKE(f->why);
                return f->r;
        }
        res->kernel_hashes_possible = true;
        res->has_kernel_hashes = true;
        memcpy(res->kernel_sha256, f->res->kernel_sha256, 32);
        memcpy(res->initrd_sha256, f->res->initrd_sha256, 32);
        memcpy(res->cmdline_sha256, f->res->cmdline_sha256, 32);
        s->base.have_file_hashes = true;
        memcpy(s->base.kernel_sha256, f->res->kernel_sha256, 32);
        memcpy(s->base.initrd_sha256, f->res->initrd_sha256, 32);
        begin = s->n_chains;
        r = build_chains(s, 1, true, ret_why);
        return r < 0 ? r : run_from(s, begin, res);
}

int measure_match_search(const struct measure_match_query *q, struct measure_match_result **ret,
                         char **ret_why) {
        _cleanup_(freep) struct measure_match_result *res = NULL;
        _cleanup_(ovmf_freep) struct ovmf_image *img = NULL;
        _cleanup_(measure_result_freep) struct measure_result *first = NULL;
        struct search s = { .q = q };
        struct file_pass f = { .r = 0 };
        struct measure_params p;
        int r;

        if (ret_why)
                *ret_why = NULL;
        if (!q->p.ovmf || q->max_vcpus < 1 || q->max_vcpus > SNP_MAX_VCPUS ||
            (q->fix_vcpus && (q->p.vcpus < 1 || q->p.vcpus > SNP_MAX_VCPUS)))
                return -EINVAL;
        for (size_t i = 0; i < q->n_extra_features; i++)
                if (!(q->extra_features[i] & SNP_FEATURE_SNP_ACTIVE))
                        return -EINVAL;
        res = calloc(1, sizeof(*res));
        if (!res)
                return -ENOMEM;

        r = ovmf_open(q->p.ovmf, OVMF_FOUR_GIB, &img, ret_why);
        if (r < 0)
                return r;

        /* One plain measure without the kernel: the OVMF pages, hashed once for the search. */
        p = q->p;
        p.mode = MEASURE_MODE_SNP;
        p.ovmf_image = img;
        p.vcpus = 1;
        p.svsm = NULL;
        p.vars_size = 0;
        p.vcpu_sig_missing = false;
        p.have_ovmf_hash = p.have_file_hashes = false;
        p.kernel = p.initrd = p.append = NULL;
        if (!(p.guest_features & SNP_FEATURE_SNP_ACTIVE))
                p.guest_features = SNP_FEATURES_DEFAULT;
        r = measure_compute(&p, &first, ret_why);
        if (r < 0)
                return r;
        memcpy(res->ovmf_hash, first->ovmf_hash, sizeof(res->ovmf_hash));
        s.base = q->p;
        s.base.ovmf_image = img;
        s.base.have_ovmf_hash = true;
        memcpy(s.base.ovmf_hash, first->ovmf_hash, sizeof(s.base.ovmf_hash));
        s.base.have_file_hashes = false;
        s.base.progress = NULL;
        s.base.vcpu_sig_missing = false;
        /* AP reset EIP 0: the firmware cannot start more than one vCPU. */
        s.max_vcpus = first->ap_eip == 0 ? 1 : q->max_vcpus;
        res->max_vcpus = s.max_vcpus;

        /* The files, once, while the candidates without them run. */
        if (q->p.kernel && !(q->fix_kernel_hashes && !q->kernel_hashes)) {
                f.p = p;
                f.p.kernel = q->p.kernel;
                f.p.initrd = q->p.initrd;
                f.p.append = q->p.append;
                f.p.have_ovmf_hash = true;
                memcpy(f.p.ovmf_hash, first->ovmf_hash, sizeof(f.p.ovmf_hash));
                f.started = pthread_create(&f.thread, NULL, file_pass_thread, &f) == 0;
        }
        r = search_passes(&s, &f, res, ret_why);
        if (r == -EIO && ret_why && !*ret_why &&
            asprintf(ret_why, "a parameter set the search found does not give the digest when "
                     "measured again: not printed (a defect of snpctl)") < 0)
                *ret_why = NULL;
        measure_result_free(f.res);
        free(f.why);
        free(s.chains);
        if (r < 0)
                return r;
        *ret = TAKE(res);
        return 0;
}

/* ---- output -------------------------------------------------------------------------------- */

/* "equivalent_vcpu_types": every known type name with signature sig. */
static int add_vcpu_types(struct json_object *o, uint32_t sig) {
        struct json_object *list = json_object_new_array();

        if (!list)
                return -ENOMEM;
        for (size_t i = 0; measure_vcpu_type_name(i); i++) {
                uint32_t t;
                struct json_object *n;

                if (measure_vcpu_sig_from_type(measure_vcpu_type_name(i), &t) < 0 || t != sig)
                        continue;
                n = json_object_new_string(measure_vcpu_type_name(i));
                if (!n || json_object_array_add(list, n) < 0) {
                        json_object_put(n);
                        json_object_put(list);
                        return -ENOMEM;
                }
        }
        return output_add_obj(o, "equivalent_vcpu_types", list);
}

static int match_to_json(const struct measure_match *m, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        const char *type = m->vcpu_sig_measured ? first_vcpu_type(m->vcpu_sig) : NULL;
        char hex[32];
        int r = 0;

        if (!o)
                return -ENOMEM;
        r |= output_add_u64(o, "vcpu_count", m->vcpus);
        if (m->vcpu_sig_measured) {
                r |= output_add_str(o, "vcpu_type", type);
                snprintf(hex, sizeof(hex), "0x%" PRIx32, m->vcpu_sig);
                r |= output_add_str(o, "vcpu_sig", hex);
                r |= add_vcpu_types(o, m->vcpu_sig);
        }
        r |= output_add_str(o, "vmm_type", config_vmm_type_to_string(m->vmm));
        if (m->guest_features_measured) {
                snprintf(hex, sizeof(hex), "0x%" PRIx64, m->guest_features);
                r |= output_add_str(o, "guest_features", hex);
        }
        r |= output_add_bool(o, "kernel_hashes", m->kernel_hashes);
        r |= output_add_bool(o, "svsm", m->svsm);
        if (r != 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

static int print_json(const struct measure_match_result *res) {
        _cleanup_(json_object_putp) struct json_object *list = json_object_new_array();

        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < res->n_matches; i++) {
                struct json_object *o = NULL;
                int r = match_to_json(&res->matches[i], &o);

                if (r < 0)
                        return r;
                if (json_object_array_add(list, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }
        return output_print_json(list);
}

static void print_given(const char *what, const char *path, const char *hash_name,
                        const uint8_t *hash, size_t size) {
        char esc[256], hex[2 * MEASURE_SNP_DIGEST_SIZE + 1];

        hex_encode_buf(hash, size, hex);
        printf("  %-9s %s (%s %s)\n", what, path ? output_escape_str(path, esc, sizeof(esc)) :
               "(none)", hash_name, hex);
}

/* What a match changes in the config it was searched from. */
static void print_changes(const struct measure_params *c, const struct measure_match *m) {
        const char *sep = "";

        printf("  changes from the config:");
        if (m->vcpus != c->vcpus) {
                printf(" vcpu_count %u -> %u", c->vcpus, m->vcpus);
                sep = ",";
        }
        if (m->vcpu_sig_measured && m->vcpu_sig != c->vcpu_sig) {
                const char *to = first_vcpu_type(m->vcpu_sig);

                printf("%s vCPU signature 0x%" PRIx32 " -> 0x%" PRIx32 "%s%s%s", sep,
                       c->vcpu_sig, m->vcpu_sig, to ? " (" : "", to ? to : "", to ? ")" : "");
                sep = ",";
        }
        if (m->vmm != c->vmm) {
                printf("%s vmm_type %s -> %s", sep, config_vmm_type_to_string(c->vmm),
                       config_vmm_type_to_string(m->vmm));
                sep = ",";
        }
        if (m->guest_features_measured && m->guest_features != c->guest_features) {
                printf("%s guest_features 0x%" PRIx64 " -> 0x%" PRIx64, sep, c->guest_features,
                       m->guest_features);
                sep = ",";
        }
        if (c->kernel && !m->kernel_hashes) {
                printf("%s the kernel was not measured (QEMU kernel-hashes=off)", sep);
                sep = ",";
        }
        if (m->svsm) {
                printf("%s with the SVSM", sep);
                sep = ",";
        }
        printf("%s\n", *sep ? "" : " none");
}

int measure_match_print(const struct measure_match_query *q,
                        const struct measure_match_result *res, bool json) {
        char hex[2 * MEASURE_SNP_DIGEST_SIZE + 1], esc[256];

        if (json)
                return print_json(res);
        hex_encode_buf(q->digest, sizeof(q->digest), hex);
        if (res->n_found == 0)
                printf("no parameter set reproduces %s\n", hex);
        else
                printf("%zu parameter set%s reproduce%s %s:\n", res->n_found,
                       res->n_found == 1 ? "" : "s", res->n_found == 1 ? "s" : "", hex);
        for (size_t i = 0; i < res->n_matches; i++) {
                const struct measure_match *m = &res->matches[i];
                _cleanup_(freep) char *flags = NULL;
                _cleanup_(freep) char *config = NULL;
                _cleanup_(freep) char *types = NULL;

                if (measure_match_describe(m, &flags, &config) < 0)
                        return -ENOMEM;
                printf("  flags:  %s\n  config: %s\n", flags, config);
                if (q->from_config)
                        print_changes(&q->p, m);
                if (m->vcpu_sig_measured) {
                        types = measure_match_vcpu_types(m->vcpu_sig);
                        if (types && strchr(types, ','))
                                printf("  (the same vCPU signature 0x%" PRIx32 ": %s)\n",
                                       m->vcpu_sig, types);
                } else
                        printf("  (any vCPU type: %s VMSAs do not carry the signature)\n",
                               config_vmm_type_to_string(m->vmm));
        }
        if (res->n_found > res->n_matches)
                printf("  ... and %zu more\n", res->n_found - res->n_matches);
        printf("searched %" PRIu64 " parameter sets: vCPUs %s%u, %s, %s, %s, kernel hashes %s%s\n",
               res->n_candidates, q->fix_vcpus ? "" : "1..", q->fix_vcpus ? q->p.vcpus :
               res->max_vcpus, q->fix_vcpu_sig ? "the vCPU signature given" :
               "every known vCPU signature", q->fix_vmm ? "the VMM given" : "QEMU, EC2 and GCE",
               q->fix_guest_features ? "the guest features given" : "the common guest features "
               "and those given", !q->p.kernel ? "(no kernel)" :
               q->fix_kernel_hashes ? (q->kernel_hashes ? "on" : "off") :
               !res->kernel_hashes_possible ? "off (the firmware cannot measure a kernel)" :
               "on and off",
               q->p.svsm ? (q->fix_svsm ? (q->svsm_on ? ", with the SVSM" : ", without SVSM") :
                            ", with and without the SVSM") : "");
        if (res->n_found > 0)
                return fflush(stdout) == 0 ? 0 : -EIO;
        printf("not varied (look here next: another firmware build, kernel, initrd or one byte "
               "of the command line changes every digest):\n");
        print_given("firmware", q->p.ovmf, "SNP digest of its pages", res->ovmf_hash,
                    sizeof(res->ovmf_hash));
        if (res->has_kernel_hashes) {
                print_given("kernel", q->p.kernel, "sha256", res->kernel_sha256, 32);
                print_given("initrd", q->p.initrd, "sha256", res->initrd_sha256, 32);
                hex_encode_buf(res->cmdline_sha256, 32, hex);
                printf("  %-9s \"%s\" (sha256 with its NUL %s)\n", "cmdline",
                       output_escape_str(q->p.append ? q->p.append : "", esc, sizeof(esc)), hex);
        } else
                printf("  %-9s none measured\n", "kernel");
        if (q->p.svsm)
                printf("  %-9s %s, OVMF_VARS size %" PRIu64 "\n", "svsm",
                       output_escape_str(q->p.svsm, esc, sizeof(esc)), q->p.vars_size);
        return fflush(stdout) == 0 ? 0 : -EIO;
}
