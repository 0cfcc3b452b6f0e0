/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "cleanup.h"
#include "fileio.h"

static char dir[] = "/tmp/snpctl-fileio.XXXXXX";

static int setup(void **state) {
        (void) state;
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[256];

        (void) state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static char *path_in(const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static int count_files(void) {
        char cmd[256];
        FILE *f;
        int n = -1;

        snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
        f = popen(cmd, "r");
        assert_non_null(f);
        assert_int_equal(fscanf(f, "%d", &n), 1);
        pclose(f);
        return n;
}

static void write_then_read(void **state) {
        _cleanup_(freep) char *p = path_in("a.bin");
        _cleanup_(freep) uint8_t *data = NULL;
        struct stat st;
        size_t n;
        uint64_t size;

        (void) state;
        assert_int_equal(fileio_write_atomic(p, "hello", 5, 0640, 0), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        assert_int_equal(fileio_read_full(p, 100, &data, &n), 0);
        assert_int_equal(n, 5);
        assert_memory_equal(data, "hello", 5);
        assert_int_equal(data[5], 0);                   /* NUL after the data */
        assert_int_equal(fileio_size(p, &size), 0);
        assert_true(size == 5);
}

static void refuses_overwrite_without_force(void **state) {
        _cleanup_(freep) char *p = path_in("b.bin");
        _cleanup_(freep) uint8_t *data = NULL;
        size_t n;
        int before;

        (void) state;
        assert_int_equal(fileio_write_atomic(p, "one", 3, 0600, 0), 0);
        before = count_files();
        assert_int_equal(fileio_write_atomic(p, "two", 3, 0600, 0), -EEXIST);
        assert_int_equal(count_files(), before);        /* no temporary file left */
        assert_int_equal(fileio_read_full(p, 100, &data, &n), 0);
        assert_memory_equal(data, "one", 3);
        free(TAKE(data));
        assert_int_equal(fileio_write_atomic(p, "three", 5, 0600, FILEIO_FORCE), 0);
        assert_int_equal(fileio_read_full(p, 100, &data, &n), 0);
        assert_int_equal(n, 5);
        assert_memory_equal(data, "three", 5);
        assert_int_equal(count_files(), before);
}

static void write_into_missing_folder_fails_cleanly(void **state) {
        _cleanup_(freep) char *p = path_in("nosuch/c.bin");

        (void) state;
        assert_int_equal(fileio_write_atomic(p, "x", 1, 0600, 0), -ENOENT);
}

static void expect_file(const char *p, const char *want) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t n = 0;

        assert_int_equal(fileio_read_full(p, 100, &data, &n), 0);
        assert_int_equal(n, strlen(want));
        assert_memory_equal(data, want, n);
}

/* A set is written all or none: the second output cannot be put in place (a folder is in the
 * way), so the first keeps its old content, with or without --force, and nothing else appears. */
static void write_set_all_or_none(void **state) {
        _cleanup_(freep) char *a = path_in("set-a"), *b = path_in("set-b");
        struct fileio_output outs[] = { { a, "new a", 5, 0644 }, { b, "new b", 5, 0644 } };
        size_t bad = 99;
        int before;

        (void) state;
        assert_int_equal(fileio_write_set(outs, 2, 0, &bad), 0);
        expect_file(a, "new a");
        expect_file(b, "new b");
        /* Without force: both exist, nothing replaced. */
        outs[0].data = "newer";
        assert_int_equal(fileio_write_set(outs, 2, 0, &bad), -EEXIST);
        assert_int_equal(bad, 0);
        expect_file(a, "new a");
        /* With force, the second blocked by a folder: the first is rolled back. */
        assert_int_equal(unlink(b), 0);
        assert_int_equal(mkdir(b, 0700), 0);
        before = count_files();
        assert_int_equal(fileio_write_set(outs, 2, FILEIO_FORCE, &bad), -EISDIR);
        assert_int_equal(bad, 1);
        expect_file(a, "new a");
        assert_int_equal(count_files(), before);        /* no temporary or backup name left */
        /* Without force, a new first file and a blocked second: the first is removed again. */
        assert_int_equal(unlink(a), 0);
        before = count_files();
        assert_int_equal(fileio_write_set(outs, 2, 0, &bad), -EEXIST);
        assert_int_equal(bad, 1);
        assert_int_equal(access(a, F_OK), -1);
        assert_int_equal(count_files(), before);
        assert_int_equal(rmdir(b), 0);
        /* And with force, both replaced. */
        assert_int_equal(fileio_write_atomic(a, "old a", 5, 0644, 0), 0);
        assert_int_equal(fileio_write_atomic(b, "old b", 5, 0644, 0), 0);
        before = count_files();
        assert_int_equal(fileio_write_set(outs, 2, FILEIO_FORCE, &bad), 0);
        expect_file(a, "newer");
        expect_file(b, "new b");
        assert_int_equal(count_files(), before);
}

/* Where the file system has no O_TMPFILE: the data under "PATH.XXXXXX" while it is written, a
 * secret under its own name only, and nothing left either way. */
static void without_tmpfile(void **state) {
        _cleanup_(freep) char *a = path_in("nt-a"), *b = path_in("nt-b"), *k = path_in("nt-key");
        struct fileio_output outs[] = { { a, "set a", 5, 0644 }, { b, "set b", 5, 0644 } };
        struct stat st;
        int before = count_files();

        (void) state;
        fileio_test_set_flags(FILEIO_TEST_NO_TMPFILE);
        assert_int_equal(fileio_write_atomic(a, "one", 3, 0640, 0), 0);
        expect_file(a, "one");
        assert_int_equal(stat(a, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        assert_int_equal(fileio_write_atomic(a, "two", 3, 0640, 0), -EEXIST);
        assert_int_equal(fileio_write_atomic(a, "three", 5, 0640, FILEIO_FORCE), 0);
        expect_file(a, "three");
        assert_int_equal(fileio_write_set(outs, 2, FILEIO_FORCE, NULL), 0);
        expect_file(a, "set a");
        expect_file(b, "set b");
        assert_int_equal(count_files(), before + 2);
        /* A key: written under its name, never replaced through another name. */
        assert_int_equal(fileio_write_atomic(k, "key", 3, 0600, FILEIO_SECRET), 0);
        expect_file(k, "key");
        assert_int_equal(stat(k, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(fileio_write_atomic(k, "key2", 4, 0600, FILEIO_SECRET), -EEXIST);
        assert_int_equal(fileio_write_atomic(k, "key2", 4, 0600, FILEIO_SECRET | FILEIO_FORCE),
                         -EOPNOTSUPP);
        expect_file(k, "key");
        assert_int_equal(count_files(), before + 3);
        fileio_test_set_flags(0);
        /* With O_TMPFILE, a secret is replaced as any file. */
        assert_int_equal(fileio_write_atomic(k, "key2", 4, 0600, FILEIO_SECRET | FILEIO_FORCE), 0);
        expect_file(k, "key2");
        assert_int_equal(unlink(a) | unlink(b) | unlink(k), 0);
}

/* SIGTERM while the data is being written (raised once the output is staged): the process ends
 * by the signal and leaves neither a temporary name nor a partial file, the old files intact. */
static void sigterm_while_writing(unsigned test_flags, unsigned flags, size_t n_outs) {
        _cleanup_(freep) char *a = path_in("sig-a"), *b = path_in("sig-b");
        struct fileio_output outs[] = { { a, "new a", 5, 0600 }, { b, "new b", 5, 0600 } };
        int before, status;
        pid_t pid;

        if (flags & FILEIO_FORCE) {
                assert_int_equal(fileio_write_atomic(a, "old a", 5, 0600, 0), 0);
                assert_int_equal(fileio_write_atomic(b, "old b", 5, 0600, 0), 0);
        }
        before = count_files();
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                fileio_test_set_flags(test_flags | FILEIO_TEST_RAISE_SIGTERM);
                (void) fileio_write_set(outs, n_outs, flags, NULL);
                _exit(0);               /* not reached: the signal ends it */
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGTERM);
        assert_int_equal(count_files(), before);
        if (flags & FILEIO_FORCE) {
                expect_file(a, "old a");
                expect_file(b, "old b");
                assert_int_equal(unlink(a) | unlink(b), 0);
        }
}

static void signal_leaves_nothing(void **state) {
        (void) state;
        sigterm_while_writing(FILEIO_TEST_NO_TMPFILE, 0, 1);
        sigterm_while_writing(FILEIO_TEST_NO_TMPFILE, FILEIO_SECRET, 1);
        sigterm_while_writing(FILEIO_TEST_NO_TMPFILE, 0, 2);
        sigterm_while_writing(FILEIO_TEST_NO_TMPFILE, FILEIO_FORCE, 2);
        sigterm_while_writing(0, 0, 1);
        sigterm_while_writing(0, FILEIO_FORCE, 2);
}

static void read_limits(void **state) {
        _cleanup_(freep) char *p = path_in("big.bin");
        _cleanup_(freep) uint8_t *big = calloc(1, 100000);
        uint8_t *data = NULL;
        size_t n;
        uint64_t size;

        (void) state;
        assert_int_equal(fileio_write_atomic(p, big, 100000, 0600, 0), 0);
        assert_int_equal(fileio_read_full(p, 99999, &data, &n), -EFBIG);
        assert_null(data);
        assert_int_equal(fileio_read_full(p, 100000, &data, &n), 0);
        assert_int_equal(n, 100000);
        free(data);
        data = NULL;
        assert_int_equal(fileio_read_secret(p, 1000, &data, &n), -EFBIG);
        assert_int_equal(fileio_read_full("/nonexistent/x", 10, &data, &n), -ENOENT);
        assert_int_equal(fileio_size(dir, &size), -EISDIR);
        assert_int_equal(fileio_size("/dev/null", &size), -EINVAL);
}

struct sum {
        uint64_t bytes;
        unsigned calls;
        size_t max_chunk;
};

static int add_chunk(const uint8_t *data, size_t size, void *userdata) {
        struct sum *s = userdata;

        (void) data;
        s->bytes += size;
        s->calls++;
        if (size > s->max_chunk)
                s->max_chunk = size;
        return s->calls == 1000 ? -ECANCELED : 0;
}

static void stream_in_chunks(void **state) {
        _cleanup_(freep) char *p = path_in("s.bin");
        _cleanup_(freep) uint8_t *buf = calloc(1, 10000);
        struct sum s = { 0 };
        uint64_t total = 0;

        (void) state;
        assert_int_equal(fileio_write_atomic(p, buf, 10000, 0600, 0), 0);
        assert_int_equal(fileio_stream(p, 4096, add_chunk, &s, &total), 0);
        assert_true(total == 10000 && s.bytes == 10000);
        assert_int_equal(s.calls, 3);
        assert_int_equal(s.max_chunk, 4096);
        s = (struct sum) { 0 };
        assert_int_equal(fileio_stream("/dev/null", 4096, add_chunk, &s, &total), 0);
        assert_true(total == 0);
        assert_int_equal(s.calls, 0);
        /* a callback error stops the stream and is returned */
        assert_int_equal(fileio_stream(p, 1, add_chunk, &s, &total), -ECANCELED);
        assert_int_equal(fileio_stream("/nonexistent", 1, add_chunk, &s, NULL), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(write_then_read),
                cmocka_unit_test(refuses_overwrite_without_force),
                cmocka_unit_test(write_into_missing_folder_fails_cleanly),
                cmocka_unit_test(write_set_all_or_none),
                cmocka_unit_test(without_tmpfile),
                cmocka_unit_test(signal_leaves_nothing),
                cmocka_unit_test(read_limits),
                cmocka_unit_test(stream_in_chunks),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
