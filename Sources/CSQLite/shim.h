#ifndef OPSQL_CSQLITE_SHIM_H
#define OPSQL_CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a cast macro Swift does not import. */
static inline sqlite3_destructor_type opsql_sqlite_transient(void) { return SQLITE_TRANSIENT; }
/* sqlite3_db_config is variadic. With it, closing the last connection leaves the WAL in place
   instead of syncing a checkpoint at every process exit. */
static inline int opsql_sqlite_no_checkpoint_on_close(sqlite3 *db) {
  return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
/* After each commit, the number of frames in the WAL goes to *frames; at 1000 the WAL is
   checkpointed, as SQLite's own automatic checkpoint (which this hook replaces) would. */
static int opsql_sqlite_wal_hook(void *frames, sqlite3 *db, const char *name, int count) {
  *(int *)frames = count;
  if (count >= 1000 &&
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, (int *)0, (int *)0) == SQLITE_OK)
    *(int *)frames = 0;
  return SQLITE_OK;
}
static inline void opsql_sqlite_count_wal_frames(sqlite3 *db, int *frames) {
  sqlite3_wal_hook(db, opsql_sqlite_wal_hook, frames);
}
#endif
