// OpenSSL macros that do not import into Swift, wrapped as real C functions.
#ifndef CTLSSHIM_H
#define CTLSSHIM_H
#include <openssl/ssl.h>

/// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
int ctlsshim_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set_max_proto_version is a macro over SSL_CTX_ctrl.
int ctlsshim_ctx_set_max_proto_version(SSL_CTX *ctx, int version);

#endif
