/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "parallel.h"

/* Threads at most, whatever --jobs says. */
#define PARALLEL_MAX_THREADS 256

struct work {
        atomic_size_t next;
        size_t n;
        void (*fn)(size_t i, void *ctx);
        void *ctx;
};

static void *worker(void *p) {
        struct work *w = p;

        for (;;) {
                size_t i = atomic_fetch_add(&w->next, 1);

                if (i >= w->n)
                        break;
                w->fn(i, w->ctx);
        }
        return NULL;
}

void parallel_for(size_t n, unsigned jobs, void (*fn)(size_t i, void *ctx), void *ctx) {
        struct work w = { .n = n, .fn = fn, .ctx = ctx };
        pthread_t threads[PARALLEL_MAX_THREADS];
        size_t started = 0;

        atomic_init(&w.next, 0);
        if (jobs > PARALLEL_MAX_THREADS)
                jobs = PARALLEL_MAX_THREADS;
        if (jobs > n)
                jobs = (unsigned) n;
        for (unsigned t = 1; t < jobs; t++) {
                if (pthread_create(&threads[started], NULL, worker, &w) != 0) {
                        log_debug("could not start thread %u of %u; running with fewer", t, jobs);
                        break;
                }
                started++;
        }
        (void) worker(&w);
        for (size_t t = 0; t < started; t++)
                (void) pthread_join(threads[t], NULL);
}

unsigned parallel_cpus(void) {
        cpu_set_t set;
        long n;

        if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
                return (unsigned) CPU_COUNT(&set);
        n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (unsigned) n : 1;
}
