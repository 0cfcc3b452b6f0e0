/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound cleanup (systemd's idiom): a variable declared _cleanup_(f) has f(&var) called when
 * it leaves scope, so an error path is a plain return; TAKE() hands ownership out. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _tmp_ = (p);      \
                (p) = NULL;                     \
                _tmp_;                          \
        })
#define TAKE(p) TAKE_PTR(p)

#define TAKE_FD(fd)                             \
        ({                                      \
                int _fd_ = (fd);                \
                (fd) = -1;                      \
                _fd_;                           \
        })

/* DEFINE_FREEP(type, free_fn) defines free_fnp(type **), usable with _cleanup_(). */
#define DEFINE_FREEP(type, func)                        \
        static inline void func##p(type **p) {          \
                if (*p)                                 \
                        func(*p);                       \
        }

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
