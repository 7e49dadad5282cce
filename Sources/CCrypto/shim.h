#ifndef OPSQL_CCRYPTO_SHIM_H
#define OPSQL_CCRYPTO_SHIM_H
/* libcrypto's SHA-256 (with the CPU's SHA extensions where it has them), called through the
   low-level functions: EVP would start OpenSSL's providers, megabytes and milliseconds per run.
   OpenSSL 3 deprecates these in favour of EVP; it has not removed them. libpq loads libcrypto
   anyway. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
/* Random bytes come from the kernel (getrandom(2)), which Swift's Glibc module leaves out. */
#include <sys/random.h>
static inline void opsql_sha256(const void *data, size_t count, unsigned char *digest) {
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, data, count);
  SHA256_Final(digest, &context);
}
#endif
