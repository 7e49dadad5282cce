#ifndef OPSQL_CEDITLINE_SHIM_H
#define OPSQL_CEDITLINE_SHIM_H
#include <dlfcn.h>
#include <histedit.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* libedit is loaded with dlopen when the shell is about to read from a terminal, so that the
   libraries it pulls in (libtinfo, libbsd, libmd) cost nothing to `-c` and `-f` runs; an
   interactive start loads it on a thread of its own while the audit opens and the server is
   connected. Swift cannot call C variadic functions either: el_set, el_get and history() get
   one fixed-signature wrapper per operation opsql uses. */

typedef char *(*opsql_prompt_fn)(EditLine *);
typedef unsigned char (*opsql_key_fn)(EditLine *, int);

typedef struct {
  EditLine *(*el_init)(const char *, FILE *, FILE *, FILE *);
  void (*el_end)(EditLine *);
  const char *(*el_gets)(EditLine *, int *);
  int (*el_set)(EditLine *, int, ...);
  int (*el_get)(EditLine *, int, ...);
  int (*el_source)(EditLine *, const char *);
  void (*el_resize)(EditLine *);
  const LineInfo *(*el_line)(EditLine *);
  int (*el_insertstr)(EditLine *, const char *);
  void (*el_deletestr)(EditLine *, int);
  History *(*history_init)(void);
  void (*history_end)(History *);
  int (*history)(History *, HistEvent *, int, ...);
} opsql_edit_api;

/* The table lives in a function so that the module's one copy is emitted with its users. */
static inline opsql_edit_api *opsql_edit_table(void) {
  static opsql_edit_api table;
  return &table;
}

static inline void opsql_edit_load_once(void) {
  void *h = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  opsql_edit_api api;
  api.el_init = (EditLine * (*)(const char *, FILE *, FILE *, FILE *)) dlsym(h, "el_init");
  api.el_end = (void (*)(EditLine *))dlsym(h, "el_end");
  api.el_gets = (const char *(*)(EditLine *, int *))dlsym(h, "el_gets");
  api.el_set = (int (*)(EditLine *, int, ...))dlsym(h, "el_set");
  api.el_get = (int (*)(EditLine *, int, ...))dlsym(h, "el_get");
  api.el_source = (int (*)(EditLine *, const char *))dlsym(h, "el_source");
  api.el_resize = (void (*)(EditLine *))dlsym(h, "el_resize");
  api.el_line = (const LineInfo *(*)(EditLine *))dlsym(h, "el_line");
  api.el_insertstr = (int (*)(EditLine *, const char *))dlsym(h, "el_insertstr");
  api.el_deletestr = (void (*)(EditLine *, int))dlsym(h, "el_deletestr");
  api.history_init = (History * (*)(void)) dlsym(h, "history_init");
  api.history_end = (void (*)(History *))dlsym(h, "history_end");
  api.history = (int (*)(History *, HistEvent *, int, ...))dlsym(h, "history");
  if (!api.el_init || !api.el_end || !api.el_gets || !api.el_set || !api.el_get || !api.el_source ||
      !api.el_resize || !api.el_line || !api.el_insertstr || !api.el_deletestr ||
      !api.history_init || !api.history_end || !api.history)
    return;
  *opsql_edit_table() = api;
}

/* 1 when libedit is loaded (or already was), 0 when it cannot be found. Safe to call from
   several threads: the first call loads it, the others wait for it. */
static inline int opsql_edit_load(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, opsql_edit_load_once);
  return opsql_edit_table()->el_init != NULL;
}

static inline EditLine *opsql_el_init(const char *program) {
  return opsql_edit_table()->el_init(program, stdin, stdout, stderr);
}
static inline void opsql_el_end(EditLine *el) { opsql_edit_table()->el_end(el); }
static inline const char *opsql_el_gets(EditLine *el, int *count) {
  return opsql_edit_table()->el_gets(el, count);
}
static inline int opsql_el_source(EditLine *el) { return opsql_edit_table()->el_source(el, NULL); }
static inline void opsql_el_resize(EditLine *el) { opsql_edit_table()->el_resize(el); }
static inline const LineInfo *opsql_el_line(EditLine *el) { return opsql_edit_table()->el_line(el); }
static inline int opsql_el_insertstr(EditLine *el, const char *s) {
  return opsql_edit_table()->el_insertstr(el, s);
}
static inline void opsql_el_deletestr(EditLine *el, int n) { opsql_edit_table()->el_deletestr(el, n); }
static inline History *opsql_history_init(void) { return opsql_edit_table()->history_init(); }
static inline void opsql_history_end(History *h) { opsql_edit_table()->history_end(h); }

static inline int opsql_el_set_prompt(EditLine *el, opsql_prompt_fn fn, char marker) {
  return opsql_edit_table()->el_set(el, EL_PROMPT_ESC, fn, marker);
}
static inline int opsql_el_set_editor(EditLine *el, const char *mode) {
  return opsql_edit_table()->el_set(el, EL_EDITOR, mode);
}
static inline int opsql_el_set_signal(EditLine *el, int on) {
  return opsql_edit_table()->el_set(el, EL_SIGNAL, on);
}
static inline int opsql_el_set_history(EditLine *el, History *h) {
  return opsql_edit_table()->el_set(el, EL_HIST, opsql_edit_table()->history, h);
}
static inline int opsql_el_set_clientdata(EditLine *el, void *data) {
  return opsql_edit_table()->el_set(el, EL_CLIENTDATA, data);
}
static inline void *opsql_el_get_clientdata(EditLine *el) {
  void *data = NULL;
  opsql_edit_table()->el_get(el, EL_CLIENTDATA, &data);
  return data;
}
static inline int opsql_el_addfn(EditLine *el, const char *name, const char *help, opsql_key_fn fn) {
  return opsql_edit_table()->el_set(el, EL_ADDFN, name, help, fn);
}
static inline int opsql_el_bind(EditLine *el, const char *key, const char *fn) {
  return opsql_edit_table()->el_set(el, EL_BIND, key, fn, NULL);
}
/* Makes ^C an ordinary key while editing: the tty's isig is off in edit mode. */
static inline int opsql_el_disable_isig(EditLine *el) {
  return opsql_edit_table()->el_set(el, EL_SETTY, "-d", "-isig", NULL);
}

static inline int opsql_history_setsize(History *h, HistEvent *ev, int size) {
  return opsql_edit_table()->history(h, ev, H_SETSIZE, size);
}
static inline int opsql_history_setunique(History *h, HistEvent *ev, int on) {
  return opsql_edit_table()->history(h, ev, H_SETUNIQUE, on);
}
static inline int opsql_history_enter(History *h, HistEvent *ev, const char *line) {
  return opsql_edit_table()->history(h, ev, H_ENTER, line);
}
static inline int opsql_history_load(History *h, HistEvent *ev, const char *path) {
  return opsql_edit_table()->history(h, ev, H_LOAD, path);
}
static inline int opsql_history_save(History *h, HistEvent *ev, const char *path) {
  return opsql_edit_table()->history(h, ev, H_SAVE, path);
}

/* The terminal's size (ioctl is variadic too); returns 0 on success. */
static inline int opsql_terminal_size(int fd, int *rows, int *cols) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return -1;
  *rows = ws.ws_row;
  *cols = ws.ws_col;
  return 0;
}
#endif
