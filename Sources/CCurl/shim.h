#ifndef OPSQL_CCURL_SHIM_H
#define OPSQL_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

/* libcurl is loaded with dlopen the first time a D1 target is opened, so that the many
   libraries it pulls in (HTTP/2, SSH, LDAP, …) cost nothing in start-up time and memory to
   the sessions that never touch D1. Swift cannot call variadic functions either: the
   wrappers below give curl_easy_setopt and curl_easy_getinfo one fixed signature each. */

typedef size_t (*opsql_curl_write_fn)(char *, size_t, size_t, void *);
typedef int (*opsql_curl_progress_fn)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

typedef struct {
  CURLcode (*global_init)(long);
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  CURLcode (*easy_perform)(CURL *);
  void (*easy_reset)(CURL *);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
} opsql_curl_api;

/* The table lives in a function so that the module's one copy is emitted with its users. */
static inline opsql_curl_api *opsql_curl_table(void) {
  static opsql_curl_api table;
  return &table;
}

/* 1 when libcurl is loaded (or already was), 0 when it cannot be found. */
static inline int opsql_curl_load(void) {
  if (opsql_curl_table()->easy_init) return 1;
  void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!h) return 0;
  opsql_curl_api api;
  api.global_init = (CURLcode (*)(long))dlsym(h, "curl_global_init");
  api.easy_init = (CURL * (*)(void)) dlsym(h, "curl_easy_init");
  api.easy_setopt = (CURLcode (*)(CURL *, CURLoption, ...))dlsym(h, "curl_easy_setopt");
  api.easy_getinfo = (CURLcode (*)(CURL *, CURLINFO, ...))dlsym(h, "curl_easy_getinfo");
  api.easy_perform = (CURLcode (*)(CURL *))dlsym(h, "curl_easy_perform");
  api.easy_reset = (void (*)(CURL *))dlsym(h, "curl_easy_reset");
  api.easy_cleanup = (void (*)(CURL *))dlsym(h, "curl_easy_cleanup");
  api.easy_strerror = (const char *(*)(CURLcode))dlsym(h, "curl_easy_strerror");
  api.slist_append = (struct curl_slist * (*)(struct curl_slist *, const char *)) dlsym(h, "curl_slist_append");
  api.slist_free_all = (void (*)(struct curl_slist *))dlsym(h, "curl_slist_free_all");
  if (!api.global_init || !api.easy_init || !api.easy_setopt || !api.easy_getinfo || !api.easy_perform ||
      !api.easy_reset || !api.easy_cleanup || !api.easy_strerror || !api.slist_append || !api.slist_free_all)
    return 0;
  api.global_init(CURL_GLOBAL_DEFAULT);
  *opsql_curl_table() = api;
  return 1;
}

static inline CURL *opsql_curl_easy_init(void) { return opsql_curl_table()->easy_init(); }
static inline CURLcode opsql_curl_perform(CURL *c) { return opsql_curl_table()->easy_perform(c); }
static inline void opsql_curl_reset(CURL *c) { opsql_curl_table()->easy_reset(c); }
static inline void opsql_curl_cleanup(CURL *c) { opsql_curl_table()->easy_cleanup(c); }
static inline const char *opsql_curl_strerror(CURLcode rc) { return opsql_curl_table()->easy_strerror(rc); }
static inline struct curl_slist *opsql_curl_slist_append(struct curl_slist *l, const char *s) { return opsql_curl_table()->slist_append(l, s); }
static inline void opsql_curl_slist_free_all(struct curl_slist *l) { opsql_curl_table()->slist_free_all(l); }
static inline CURLcode opsql_curl_set_string(CURL *c, CURLoption o, const char *v) { return opsql_curl_table()->easy_setopt(c, o, v); }
static inline CURLcode opsql_curl_set_long(CURL *c, CURLoption o, long v) { return opsql_curl_table()->easy_setopt(c, o, v); }
static inline CURLcode opsql_curl_set_pointer(CURL *c, CURLoption o, void *v) { return opsql_curl_table()->easy_setopt(c, o, v); }
static inline CURLcode opsql_curl_set_write(CURL *c, opsql_curl_write_fn f) { return opsql_curl_table()->easy_setopt(c, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode opsql_curl_set_header_fn(CURL *c, opsql_curl_write_fn f) { return opsql_curl_table()->easy_setopt(c, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode opsql_curl_set_progress(CURL *c, opsql_curl_progress_fn f) { return opsql_curl_table()->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, f); }
static inline CURLcode opsql_curl_set_headers(CURL *c, struct curl_slist *h) { return opsql_curl_table()->easy_setopt(c, CURLOPT_HTTPHEADER, h); }
static inline long opsql_curl_status(CURL *c) { long code = 0; opsql_curl_table()->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code); return code; }
#endif
