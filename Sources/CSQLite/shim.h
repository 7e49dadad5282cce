#ifndef OPSQL_CSQLITE_SHIM_H
#define OPSQL_CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a cast macro Swift does not import. */
static inline sqlite3_destructor_type opsql_sqlite_transient(void) { return SQLITE_TRANSIENT; }
/* sqlite3_db_config is variadic. With it, closing the last connection leaves the WAL to the next
   writer's automatic checkpoint instead of syncing a checkpoint at every process exit. */
static inline int opsql_sqlite_no_checkpoint_on_close(sqlite3 *db) {
  return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
#endif
