/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cleanup.h"
#include "http.h"
#include "log.h"

struct sink {
        uint8_t *data;
        size_t size, max;
        bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata) {
        struct sink *s = userdata;
        size_t n = size * nmemb;
        uint8_t *nd;

        if (n > s->max - s->size) {
                s->too_big = true;
                return 0;               /* makes curl stop with CURLE_WRITE_ERROR */
        }
        nd = realloc(s->data, s->size + n + 1);
        if (!nd)
                return 0;
        memcpy(nd + s->size, ptr, n);
        s->data = nd;
        s->size += n;
        s->data[s->size] = 0;
        return n;
}

static int map_curl(CURLcode c, const struct sink *s) {
        switch (c) {
        case CURLE_OK:                   return 0;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL: return -EINVAL;
        case CURLE_COULDNT_CONNECT:      return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST: return -EHOSTUNREACH;
        case CURLE_OPERATION_TIMEDOUT:   return -ETIMEDOUT;
        case CURLE_OUT_OF_MEMORY:        return -ENOMEM;
        case CURLE_FILESIZE_EXCEEDED:    return -EFBIG;
        case CURLE_WRITE_ERROR:          return s->too_big ? -EFBIG : -ENOMEM;
        default:                         return -EPROTO;
        }
}

/* The end of a transfer: its error (the answer freed), or the answer, empty as an empty buffer. */
static int take_answer(CURLcode cc, struct sink *s) {
        int r = map_curl(cc, s);

        if (r < 0) {
                free(s->data);
                s->data = NULL;
                return r;
        }
        if (!s->data) {
                s->data = calloc(1, 1);
                if (!s->data)
                        return -ENOMEM;
        }
        return 0;
}

static int global_init(void) {
        static bool initialized;

        if (!initialized) {
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                        return -ENOMEM;
                initialized = true;
        }
        return 0;
}

int http_post(const char *base_url, const char *path, const void *body, size_t size,
              size_t max_resp, unsigned timeout_s, long *ret_status, uint8_t **ret_data,
              size_t *ret_size) {
        struct sink s = { .max = max_resp };
        _cleanup_(freep) char *url = NULL;
        struct curl_slist *hdr = NULL;
        size_t blen = strlen(base_url);
        CURL *c;
        CURLcode cc;
        long status = 0;
        int r;

        if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)
                return -EINVAL;
        while (blen > 0 && base_url[blen - 1] == '/')
                blen--;
        if (asprintf(&url, "%.*s%s", (int) blen, base_url, path) < 0)
                return -ENOMEM;
        if (global_init() < 0)
                return -ENOMEM;
        c = curl_easy_init();
        if (!c)
                return -ENOMEM;
        hdr = curl_slist_append(NULL, "Content-Type: application/octet-stream");
        if (!hdr) {
                curl_easy_cleanup(c);
                return -ENOMEM;
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");         /* no proxy from the environment */
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) timeout_s);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) (timeout_s < 10 ? timeout_s : 10));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) max_resp);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        cc = curl_easy_perform(c);
        if (cc == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        else
                log_debug("POST %s: %s", url, curl_easy_strerror(cc));
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        r = take_answer(cc, &s);
        if (r < 0)
                return r;
        *ret_status = status;
        *ret_data = s.data;
        *ret_size = s.size;
        return 0;
}

int http_get(const char *url, size_t max_resp, unsigned connect_timeout_s, unsigned timeout_s,
             long *ret_status, long *ret_retry_after, uint8_t **ret_data, size_t *ret_size) {
        struct sink s = { .max = max_resp };
        curl_off_t retry = -1;
        CURL *c;
        CURLcode cc;
        long status = 0;
        int r;

        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
                return -EINVAL;
        if (global_init() < 0)
                return -ENOMEM;
        c = curl_easy_init();
        if (!c)
                return -ENOMEM;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");         /* no proxy from the environment */
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) connect_timeout_s);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) timeout_s);
        /* A server that stalls mid-answer is given up on before the whole timeout. */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long) (timeout_s < 10 ? timeout_s : 10));
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) max_resp);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        cc = curl_easy_perform(c);
        if (cc == CURLE_OK) {
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
                if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) != CURLE_OK)
                        retry = -1;
        } else
                log_debug("GET %s: %s", url, curl_easy_strerror(cc));
        curl_easy_cleanup(c);
        r = take_answer(cc, &s);
        if (r < 0)
                return r;
        *ret_status = status;
        *ret_retry_after = retry > 0 ? (retry > 86400 ? 86400 : (long) retry) : -1;
        *ret_data = s.data;
        *ret_size = s.size;
        return 0;
}
