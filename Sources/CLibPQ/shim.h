#ifndef OPSQL_CLIBPQ_SHIM_H
#define OPSQL_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
