/* SPDX-License-Identifier: Apache-2.0 */
/* Host probing for launch and its preflight. Sources: AMD APM vol. 3 (CPUID Fn8000_001F), the
 * kvm_amd module parameters sev/sev_es/sev_snp (Linux arch/x86/kvm/svm), QEMU's own cbitpos check
 * (target/i386/sev.c; snp-facts B.1, B.5). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "cleanup.h"
#include "hostinfo.h"
#include "ovmf.h"

extern char **environ;

/* The fix that setup-host makes: its installed path, and where it is in the source tree. */
#define SETUP_HOST "run " SNPCTL_SETUP_HOST " (scripts/setup-host in snpctl's source)"

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

void hostinfo_decode_cpu(const char vendor[12], uint32_t max_ext_leaf, uint32_t eax,
                         uint32_t ebx, struct hostinfo_cpu *ret) {
        *ret = (struct hostinfo_cpu) { .probed = true };
        memcpy(ret->vendor, vendor, 12);
        ret->vendor[12] = '\0';
        ret->amd = strcmp(ret->vendor, "AuthenticAMD") == 0;
        ret->has_sev_leaf = max_ext_leaf >= 0x8000001F;
        if (!ret->has_sev_leaf)
                return;
        ret->sme = eax & (1u << 0);
        ret->sev = eax & (1u << 1);
        ret->sev_es = eax & (1u << 3);
        ret->sev_snp = eax & (1u << 4);
        ret->cbitpos = ebx & 0x3f;
        ret->phys_addr_reduction = (ebx >> 6) & 0x3f;
}

int hostinfo_read_cpu(struct hostinfo_cpu *ret) {
#if defined(__x86_64__) || defined(__i386__)
        unsigned a = 0, b = 0, c = 0, d = 0, max_ext;
        char vendor[12];

        __cpuid(0, a, b, c, d);
        memcpy(vendor, &b, 4);
        memcpy(vendor + 4, &d, 4);
        memcpy(vendor + 8, &c, 4);
        __cpuid(0x80000000, max_ext, b, c, d);
        a = b = 0;
        if (max_ext >= 0x8000001F)
                __cpuid(0x8000001F, a, b, c, d);
        hostinfo_decode_cpu(vendor, max_ext, a, b, ret);
        return 0;
#else
        *ret = (struct hostinfo_cpu) { 0 };
        return -EOPNOTSUPP;
#endif
}

int hostinfo_parse_qemu_version(const char *text, unsigned *ret) {
        const char *s = strstr(text, "version ");
        unsigned major, minor;

        if (!s || sscanf(s + 8, "%u.%u", &major, &minor) != 2 || minor > 99 || major > 999)
                return -EINVAL;
        *ret = major * 100 + minor;
        return 0;
}

int hostinfo_qemu_version_text(const char *binary, char **ret_text) {
        char *argv[] = { (char *) binary, (char *) "-version", NULL };
        posix_spawn_file_actions_t fa;
        int pipefd[2], status = 0, r;
        char buf[512];
        size_t n = 0;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        if (posix_spawn_file_actions_init(&fa) != 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return -ENOMEM;
        }
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        r = posix_spawnp(&pid, binary, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (r != 0) {
                close(pipefd[0]);
                return r == ENOENT || r == EACCES ? -ENOENT : -r;
        }
        for (;;) {
                ssize_t k = read(pipefd[0], buf + n, sizeof(buf) - 1 - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
                if (n == sizeof(buf) - 1)
                        break;
        }
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
        if (!*buf)
                return -EIO;
        *ret_text = strdup(buf);
        return *ret_text ? 0 : -ENOMEM;
}

void hostinfo_findings_clear(struct hostinfo_findings *f) {
        for (size_t i = 0; i < f->n; i++)
                free(f->items[i].text);
        free(f->items);
        *f = (struct hostinfo_findings) { 0 };
}

__attribute__((format(printf, 5, 6)))
static int add(struct hostinfo_findings *f, const char *check, enum hostinfo_status status,
               const char *fix, const char *fmt, ...) {
        struct hostinfo_finding *items;
        char *text = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        if (!text)
                return -ENOMEM;
        items = realloc(f->items, (f->n + 1) * sizeof(*items));
        if (!items) {
                free(text);
                return -ENOMEM;
        }
        f->items = items;
        f->items[f->n++] = (struct hostinfo_finding) {
                .check = check, .status = status, .text = text,
                .fix = status == HOSTINFO_OK ? NULL : fix,
        };
        if (status == HOSTINFO_FAIL)
                f->n_fail++;
        else if (status == HOSTINFO_WARN)
                f->n_warn++;
        return 0;
}

static char *path_in(const struct hostinfo_preflight_params *p, const char *path) {
        char *s = NULL;

        if (asprintf(&s, "%s%s", p->root ? p->root : "", path) < 0)
                return NULL;
        return s;
}

/* Reads a short text file below the root: its first line, or NULL when absent. -ENOMEM only. */
static int read_line(const struct hostinfo_preflight_params *p, const char *path, char *buf,
                     size_t size, bool *ret_found) {
        _cleanup_(freep) char *full = path_in(p, path);
        _cleanup_(fclosep) FILE *f = NULL;

        *ret_found = false;
        if (!full)
                return -ENOMEM;
        f = fopen(full, "re");
        if (!f)
                return 0;
        if (!fgets(buf, (int) size, f))
                buf[0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        *ret_found = true;
        return 0;
}

static int exists(const struct hostinfo_preflight_params *p, const char *path, bool *ret) {
        _cleanup_(freep) char *full = path_in(p, path);

        if (!full)
                return -ENOMEM;
        *ret = access(full, F_OK) == 0;
        return 0;
}

static bool has_word(const char *line, const char *word) {
        size_t len = strlen(word);

        for (const char *s = line; (s = strstr(s, word)); s += len)
                if ((s == line || s[-1] == ' ') && (s[len] == '\0' || s[len] == ' '))
                        return true;
        return false;
}

static int check_cpu(const struct hostinfo_preflight_params *p, struct hostinfo_findings *f) {
        const struct hostinfo_cpu *c = p->cpu;
        static const char *bios_fix = "enable SMEE, SEV-ES ASIDs and SEV-SNP (with SNP memory "
                "coverage) in the firmware setup, on an EPYC 7003 (Milan) or later (docs/host.md; "
                "setup-host cannot change firmware settings)";
        int r;

        if (!c || !c->probed)
                return add(f, "cpu", HOSTINFO_FAIL, "run on an x86-64 AMD EPYC host",
                           "CPUID not available on this build");
        if (!c->amd)
                return add(f, "cpu", HOSTINFO_FAIL, "SEV needs an AMD EPYC host",
                           "vendor %s, not AuthenticAMD", c->vendor);
        r = add(f, "cpu", HOSTINFO_OK, NULL, "AuthenticAMD");
        if (r < 0)
                return r;
        if (!c->has_sev_leaf)
                return add(f, "cpu.sev", HOSTINFO_FAIL, bios_fix,
                           "no CPUID leaf 0x8000001F: no memory encryption");
        r = add(f, "cpu.sev", c->sev ? HOSTINFO_OK : HOSTINFO_FAIL, bios_fix,
                "CPUID 0x8000001F SEV %s; C-bit position %u", c->sev ? "yes" : "no",
                c->cbitpos);
        if (r < 0 || p->mode == QEMU_MODE_SEV)
                return r;
        r = add(f, "cpu.sev_es", c->sev_es ? HOSTINFO_OK : HOSTINFO_FAIL, bios_fix,
                "CPUID 0x8000001F SEV-ES %s", c->sev_es ? "yes" : "no");
        if (r < 0 || p->mode == QEMU_MODE_SEV_ES)
                return r;
        return add(f, "cpu.sev_snp", c->sev_snp ? HOSTINFO_OK : HOSTINFO_FAIL, bios_fix,
                   "CPUID 0x8000001F SEV-SNP %s", c->sev_snp ? "yes" : "no");
}

static int check_kvm(const struct hostinfo_preflight_params *p, struct hostinfo_findings *f) {
        static const char *const params[] = { "sev", "sev_es", "sev_snp" };
        static const char *const names[] = { "kvm_amd.sev", "kvm_amd.sev_es", "kvm_amd.sev_snp" };
        size_t n = p->mode == QEMU_MODE_SNP ? 3 : p->mode == QEMU_MODE_SEV_ES ? 2 : 1;
        bool found;
        int r;

        r = exists(p, "/dev/kvm", &found);
        if (r < 0)
                return r;
        r = add(f, "kvm", found ? HOSTINFO_OK : HOSTINFO_FAIL,
                "enable SVM in the firmware setup and load kvm_amd (modprobe kvm_amd)",
                "/dev/kvm %s", found ? "present" : "missing");
        if (r < 0 || p->mode == QEMU_MODE_PLAIN)
                return r;
        for (size_t i = 0; i < n; i++) {
                char path[128], val[32];

                snprintf(path, sizeof(path), "/sys/module/kvm_amd/parameters/%s", params[i]);
                r = read_line(p, path, val, sizeof(val), &found);
                if (r < 0)
                        return r;
                if (!found)
                        r = add(f, names[i], HOSTINFO_FAIL,
                                i == 2 ? "boot a host kernel with SEV-SNP host support (Linux "
                                "6.11 or later) and load kvm_amd: " SETUP_HOST " to install "
                                "Linux 6.12 from bookworm-backports, then reboot" :
                                "load kvm_amd (modprobe kvm_amd); " SETUP_HOST " to keep "
                                "sev=1 sev_es=1 sev_snp=1 in /etc/modprobe.d", "%s not found: kvm_amd not loaded or without %s",
                                path, params[i]);
                else {
                        bool on = strcmp(val, "Y") == 0 || strcmp(val, "1") == 0;

                        r = add(f, names[i], on ? HOSTINFO_OK : HOSTINFO_FAIL,
                                "reload kvm_amd with sev=1 sev_es=1 sev_snp=1 (modprobe -r "
                                "kvm_amd; modprobe kvm_amd sev=1 sev_es=1 sev_snp=1), and check "
                                "dmesg for SEV initialisation errors; " SETUP_HOST " to keep "
                                "the options in /etc/modprobe.d", "%s = %s", params[i], val);
                }
                if (r < 0)
                        return r;
        }
        r = exists(p, "/dev/sev", &found);
        if (r < 0)
                return r;
        return add(f, "dev.sev", found ? HOSTINFO_OK : HOSTINFO_FAIL,
                   "load the ccp driver (modprobe ccp) and check dmesg for SEV firmware errors "
                   "(docs/host.md: SNP firmware and BIOS settings)",
                   "/dev/sev %s", found ? "present" : "missing");
}

static int check_iommu(const struct hostinfo_preflight_params *p, struct hostinfo_findings *f) {
        _cleanup_(freep) char *dir = path_in(p, "/sys/class/iommu");
        char cmdline[4096], unit[256] = "", type[64];
        bool found, any = false;
        int r;

        if (!dir)
                return -ENOMEM;
        r = read_line(p, "/proc/cmdline", cmdline, sizeof(cmdline), &found);
        if (r < 0)
                return r;
        if (found && (has_word(cmdline, "iommu=pt") || has_word(cmdline, "amd_iommu=pt") ||
                      has_word(cmdline, "iommu.passthrough=1")))
                return add(f, "iommu", HOSTINFO_FAIL, "remove iommu=pt from the host kernel "
                           "command line", "IOMMU in passthrough mode (iommu=pt)");
        if (found && (has_word(cmdline, "amd_iommu=off") || has_word(cmdline, "iommu=off")))
                return add(f, "iommu", HOSTINFO_FAIL, "remove amd_iommu=off / iommu=off from "
                           "the host kernel command line", "IOMMU turned off on the command "
                           "line");
        {
                _cleanup_(closedirp) DIR *d = opendir(dir);
                struct dirent *e;

                /* /sys/class/iommu/<unit> exists for every IOMMU the kernel drives (ivhd0 ...). */
                while (d && (e = readdir(d)))
                        if (e->d_name[0] != '.') {
                                snprintf(unit, sizeof(unit), "%s", e->d_name);
                                any = true;
                                break;
                        }
        }
        if (!any)
                return add(f, "iommu", HOSTINFO_FAIL, "enable the IOMMU in the firmware setup; "
                           "SEV-SNP needs it", "no IOMMU unit in /sys/class/iommu");
        r = read_line(p, "/sys/kernel/iommu_groups/0/type", type, sizeof(type), &found);
        if (r < 0)
                return r;
        /* The default domain type: "identity" is passthrough, whatever set it. */
        if (found && strcmp(type, "identity") == 0)
                return add(f, "iommu", HOSTINFO_FAIL, "remove iommu=pt / iommu.passthrough=1 "
                           "from the host kernel command line", "IOMMU in passthrough mode "
                           "(iommu group 0 type identity)");
        return add(f, "iommu", HOSTINFO_OK, NULL, "IOMMU %s active, not in passthrough", unit);
}

static int check_qemu(const struct hostinfo_preflight_params *p, struct hostinfo_findings *f) {
        const char *q = p->qemu ? p->qemu : QEMU_DEFAULT_BINARY;
        unsigned v;

        if (!p->qemu_version_text)
                return add(f, "qemu", HOSTINFO_FAIL, "install QEMU (Debian: qemu-system-x86; "
                           "for SEV-SNP 9.1 or later: " SETUP_HOST " for QEMU 10 from "
                           "bookworm-backports), or name it with --qemu", "%s cannot be run", q);
        if (hostinfo_parse_qemu_version(p->qemu_version_text, &v) < 0)
                return add(f, "qemu", HOSTINFO_WARN, NULL, "%s: version not recognised in '%s'",
                           q, p->qemu_version_text);
        if (v < p->min_qemu_version)
                return add(f, "qemu", HOSTINFO_FAIL, p->mode == QEMU_MODE_SNP ?
                           "install QEMU 9.1 or later (sev-snp-guest; Debian 12's own is 7.2): "
                           SETUP_HOST " for QEMU 10 from bookworm-backports" :
                           "install a newer QEMU: " SETUP_HOST, "%s is %u.%u; %s guests need %u.%u "
                           "or later", q, v / 100, v % 100, qemu_mode_to_string(p->mode),
                           p->min_qemu_version / 100, p->min_qemu_version % 100);
        return add(f, "qemu", HOSTINFO_OK, NULL, "%s is %u.%u", q, v / 100, v % 100);
}

/* What QEMU needs from OVMF (snp-facts B.1.3): the SEV metadata for SEV-ES and SNP ("Failed to
 * locate SEV metadata header"), and for measured direct boot the kernel-hashes table entry with a
 * non-zero GPA (and for SNP its metadata section), else "hashes table area is invalid". */
static int check_ovmf(const struct hostinfo_preflight_params *p, struct hostinfo_findings *f) {
        static const char *build_fix = "use an OVMF built from OvmfPkg/AmdSev/AmdSevX64.dsc "
                "(measured direct boot): " SETUP_HOST " to build one from Debian's edk2 source "
                "into " HOSTINFO_AMDSEV_OVMF;
        _cleanup_(ovmf_freep) struct ovmf_image *img = NULL;
        _cleanup_(freep) char *why = NULL;
        int r;

        if (!p->ovmf)
                return 0;
        r = ovmf_open(p->ovmf, OVMF_FOUR_GIB, &img, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (p->mode == QEMU_MODE_PLAIN && r != -ENOENT && r != -EACCES)
                        return add(f, "ovmf", HOSTINFO_WARN, NULL, "%s", why ? why :
                                   strerror(-r));
                return add(f, "ovmf", HOSTINFO_FAIL, build_fix, "%s", why ? why : strerror(-r));
        }
        if ((p->mode == QEMU_MODE_SNP || p->mode == QEMU_MODE_SEV_ES) && !img->has_metadata)
                return add(f, "ovmf", HOSTINFO_FAIL, build_fix, "%s: no SEV metadata; not an "
                           "SEV-capable OVMF build", p->ovmf);
        if (p->kernel_hashes && (!img->has_hashes_entry || img->hashes_table_gpa == 0 ||
                                 (p->mode == QEMU_MODE_SNP &&
                                  !ovmf_has_section(img, OVMF_SECTION_SNP_KERNEL_HASHES))))
                return add(f, "ovmf", HOSTINFO_FAIL, build_fix, "%s: no kernel-hashes table; "
                           "cannot measure a kernel", p->ovmf);
        return add(f, "ovmf", HOSTINFO_OK, NULL, "%s%s", p->ovmf, p->kernel_hashes ?
                   " can measure a kernel" : img->has_metadata ? " has SEV metadata" :
                   " readable");
}

int hostinfo_preflight(const struct hostinfo_preflight_params *p, struct hostinfo_findings *ret) {
        int r = 0;

        if (p->mode != QEMU_MODE_PLAIN)
                r = check_cpu(p, ret);
        if (r >= 0 && p->accel == QEMU_ACCEL_KVM)
                r = check_kvm(p, ret);
        if (r >= 0 && p->mode != QEMU_MODE_PLAIN)
                r = check_iommu(p, ret);
        if (r >= 0)
                r = check_qemu(p, ret);
        if (r >= 0)
                r = check_ovmf(p, ret);
        return r;
}

const char *hostinfo_status_to_string(enum hostinfo_status s) {
        switch (s) {
        case HOSTINFO_OK:
                return "ok";
        case HOSTINFO_WARN:
                return "warn";
        case HOSTINFO_FAIL:
                return "FAIL";
        }
        return "?";
}
