#ifndef OPSQL_COPENSSL_SHIM_H
#define OPSQL_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#endif
