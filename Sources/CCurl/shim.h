#ifndef OPSQL_CCURL_SHIM_H
#define OPSQL_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: one fixed wrapper per argument type. */
typedef size_t (*opsql_curl_write_fn)(char *, size_t, size_t, void *);
typedef int (*opsql_curl_progress_fn)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

static inline CURLcode opsql_curl_set_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode opsql_curl_set_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode opsql_curl_set_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode opsql_curl_set_write(CURL *c, opsql_curl_write_fn f) { return curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode opsql_curl_set_header_fn(CURL *c, opsql_curl_write_fn f) { return curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode opsql_curl_set_progress(CURL *c, opsql_curl_progress_fn f) { return curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, f); }
static inline CURLcode opsql_curl_set_headers(CURL *c, struct curl_slist *h) { return curl_easy_setopt(c, CURLOPT_HTTPHEADER, h); }
static inline long opsql_curl_status(CURL *c) { long code = 0; curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code); return code; }
#endif
