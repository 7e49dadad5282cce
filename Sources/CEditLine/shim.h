#ifndef OPSQL_CEDITLINE_SHIM_H
#define OPSQL_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Swift cannot call C variadic functions: el_set, el_get and history() get
   one fixed-signature wrapper per operation opsql uses. */

typedef char *(*opsql_prompt_fn)(EditLine *);
typedef unsigned char (*opsql_key_fn)(EditLine *, int);

static inline int opsql_el_set_prompt(EditLine *el, opsql_prompt_fn fn, char marker) {
  return el_set(el, EL_PROMPT_ESC, fn, marker);
}
static inline int opsql_el_set_editor(EditLine *el, const char *mode) {
  return el_set(el, EL_EDITOR, mode);
}
static inline int opsql_el_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int opsql_el_set_history(EditLine *el, History *h) {
  return el_set(el, EL_HIST, history, h);
}
static inline int opsql_el_set_clientdata(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}
static inline void *opsql_el_get_clientdata(EditLine *el) {
  void *data = NULL;
  el_get(el, EL_CLIENTDATA, &data);
  return data;
}
static inline int opsql_el_addfn(EditLine *el, const char *name, const char *help, opsql_key_fn fn) {
  return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int opsql_el_bind(EditLine *el, const char *key, const char *fn) {
  return el_set(el, EL_BIND, key, fn, NULL);
}
/* Makes ^C an ordinary key while editing: the tty's isig is off in edit mode. */
static inline int opsql_el_disable_isig(EditLine *el) {
  return el_set(el, EL_SETTY, "-d", "-isig", NULL);
}

static inline int opsql_history_setsize(History *h, HistEvent *ev, int size) {
  return history(h, ev, H_SETSIZE, size);
}
static inline int opsql_history_setunique(History *h, HistEvent *ev, int on) {
  return history(h, ev, H_SETUNIQUE, on);
}
static inline int opsql_history_enter(History *h, HistEvent *ev, const char *line) {
  return history(h, ev, H_ENTER, line);
}
static inline int opsql_history_load(History *h, HistEvent *ev, const char *path) {
  return history(h, ev, H_LOAD, path);
}
static inline int opsql_history_save(History *h, HistEvent *ev, const char *path) {
  return history(h, ev, H_SAVE, path);
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
