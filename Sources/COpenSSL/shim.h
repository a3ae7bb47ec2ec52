// The system OpenSSL (libssl-dev, OpenSSL 3.x) as a Swift module. Macros that Swift cannot
// import are wrapped as functions in the CTLSShim target.
#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif
