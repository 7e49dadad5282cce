#ifndef OPSQL_CPTY_H
#define OPSQL_CPTY_H
#include <stddef.h>

/* Opens a new pseudo-terminal master of rows x cols; writes the slave's path into `path`.
   Returns the master descriptor, or -1. */
int opsql_open_pty(unsigned short rows, unsigned short cols, char *path, size_t path_len);

/* Changes the terminal size seen by the program on the slave side (it gets SIGWINCH). */
int opsql_resize_pty(int master, unsigned short rows, unsigned short cols);


/* pipe2(fds, O_CLOEXEC): tests spawn children from several threads at once, and a pipe end
   inherited by an unrelated child would keep another child's stdin from ever reaching EOF. */
int opsql_pipe_cloexec(int fds[2]);
#endif
