#define _GNU_SOURCE
#include "cpty.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int opsql_open_pty(unsigned short rows, unsigned short cols, char *path, size_t path_len) {
  /* O_CLOEXEC: children spawned meanwhile by other tests must not inherit the master. */
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return -1;
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, path, path_len) != 0) {
    close(master);
    return -1;
  }
  opsql_resize_pty(master, rows, cols);
  return master;
}

int opsql_resize_pty(int master, unsigned short rows, unsigned short cols) {
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_row = rows;
  ws.ws_col = cols;
  return ioctl(master, TIOCSWINSZ, &ws);
}

int opsql_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
