/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "report-files.h"

void report_files_done(struct report_files *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        *l = (struct report_files) {};
}

/* Appends path (taking ownership; NULL means it could not be made). -ENOMEM. */
static int push(struct report_files *l, char *path) {
        char **nv;

        if (!path)
                return -ENOMEM;
        nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
        if (!nv) {
                free(path);
                return -ENOMEM;
        }
        l->v = nv;
        l->v[l->n++] = path;
        return 0;
}

static char *path_join(const char *dir, const char *name) {
        char *p;

        return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* Adds the *.bin files of dir, sorted by name. */
static int push_folder(struct report_files *l, const char *dir) {
        struct dirent **ents = NULL;
        int m = scandir(dir, &ents, NULL, alphasort), r = 0;

        if (m < 0)
                return -errno;
        for (int j = 0; j < m; j++) {
                const char *name = ents[j]->d_name;
                size_t len = strlen(name);

                if (r >= 0 && name[0] != '.' && len > 4 && strcmp(name + len - 4, ".bin") == 0)
                        r = push(l, path_join(dir, name));
                free(ents[j]);
        }
        free(ents);
        return r < 0 ? r : 0;
}

int report_files_expand(char **args, size_t n, struct report_files *ret, const char **ret_bad) {
        _cleanup_(report_files_done) struct report_files l = {};

        *ret_bad = NULL;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *rb = NULL;
                struct stat st;
                size_t len = strlen(args[i]);
                int r;

                if (stat(args[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
                        r = push(&l, strdup(args[i]));
                        if (r < 0)
                                return r;
                        continue;
                }
                while (len > 1 && args[i][len - 1] == '/')      /* "case/" -> "case" */
                        args[i][--len] = '\0';
                rb = path_join(args[i], "report.bin");
                if (!rb)
                        return -ENOMEM;
                if (access(rb, F_OK) == 0) {
                        r = push(&l, TAKE(rb));
                        if (r < 0)
                                return r;
                } else {
                        r = push_folder(&l, args[i]);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                *ret_bad = args[i];
                                return r;
                        }
                }
        }
        *ret = l;
        l = (struct report_files) {};
        return 0;
}
