/* SPDX-License-Identifier: Apache-2.0 */
/* A parallel for loop over independent items (batch verification: one ECDSA verify per report). */
#pragma once

#include <stddef.h>

/* Calls fn(i, ctx) once for every i in [0, n), on up to jobs threads (this one included), and
 * returns when every call has returned. fn must be safe to run concurrently for different i.
 * jobs 0 or 1, or n below 2: in this thread, in order. When a thread cannot be started the
 * others (at least this one) do its share. */
void parallel_for(size_t n, unsigned jobs, void (*fn)(size_t i, void *ctx), void *ctx);

/* The number of CPUs this process may run on (at least 1). */
unsigned parallel_cpus(void);
