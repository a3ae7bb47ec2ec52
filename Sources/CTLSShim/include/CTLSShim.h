// OpenSSL macros that do not import into Swift, wrapped as real C functions, plus a few
// helpers whose C shape (OSSL_PARAM arrays, STACK_OF iteration, ex_data with a free
// function) is much clearer in C than through Swift pointers.
#ifndef CTLSSHIM_H
#define CTLSSHIM_H
#include <stdint.h>
#include <stddef.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/evp.h>

// MARK: SSL_CTX configuration (macros over SSL_CTX_ctrl)

/// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
int ctlsshim_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set_max_proto_version is a macro over SSL_CTX_ctrl.
int ctlsshim_ctx_set_max_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set_mode is a macro over SSL_CTX_ctrl.
long ctlsshim_ctx_set_mode(SSL_CTX *ctx, long mode);
/// SSL_CTX_set1_groups_list is a macro over SSL_CTX_ctrl. Returns 1 on success.
int ctlsshim_ctx_set1_groups_list(SSL_CTX *ctx, const char *groups);
/// SSL_CTX_set_session_cache_mode + SSL_CTX_sess_set_cache_size (macros) + SSL_CTX_set_timeout.
void ctlsshim_ctx_set_server_session_cache(SSL_CTX *ctx, long size, long timeoutSeconds);
/// Disables OpenSSL's server session cache (SSL_SESS_CACHE_OFF).
void ctlsshim_ctx_disable_session_cache(SSL_CTX *ctx);
/// SSL_CTX_add1_chain_cert is a macro; it applies to the certificate set last with
/// SSL_CTX_use_certificate, which is how an RSA and an ECDSA chain live in one SSL_CTX.
int ctlsshim_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *cert);
/// SSL_CTX_sess_number is a macro: sessions currently in the server cache.
long ctlsshim_ctx_sess_number(SSL_CTX *ctx);

/// SSL_CTX_set1_sigalgs_list is a macro over SSL_CTX_ctrl (client side, tests and benchmarks).
int ctlsshim_ctx_set1_sigalgs_list(SSL_CTX *ctx, const char *list);
/// SSL_CTX_set_dh_auto(ctx, 1) is a macro: DHE suites use the RFC 7919 ffdhe group sized to
/// the certificate's key, as HAProxy 2.6 does when no `ssl-dh-param-file` is given.
void ctlsshim_ctx_set_dh_auto(SSL_CTX *ctx);
/// 1 if the context's cipher list holds a suite whose standard (IANA) name is `name`.
int ctlsshim_ctx_has_cipher_named(SSL_CTX *ctx, const char *name);
/// SSL_set_tlsext_host_name is a macro over SSL_ctrl (client side).
int ctlsshim_set_tlsext_host_name(SSL *ssl, const char *name);

// MARK: SSL_OP_* and SSL_MODE_* values (SSL_OP_BIT(n) does not import)

uint64_t ctlsshim_op_no_compression(void);
uint64_t ctlsshim_op_no_renegotiation(void);
uint64_t ctlsshim_op_no_ticket(void);
uint64_t ctlsshim_op_cipher_server_preference(void);
uint64_t ctlsshim_op_no_tls_below_1_2(void);
long ctlsshim_mode_release_buffers(void);
long ctlsshim_mode_enable_partial_write(void);
long ctlsshim_mode_accept_moving_write_buffer(void);

// MARK: Callbacks

/// The servername (SNI) callback: OpenSSL 1.1.1+ calls it for every ClientHello, also when the
/// client sent no SNI. Return SSL_TLSEXT_ERR_OK (0) or SSL_TLSEXT_ERR_ALERT_FATAL (2).
typedef int (*ctlsshim_servername_cb)(SSL *ssl, int *alert, void *arg);
void ctlsshim_ctx_set_servername_callback(SSL_CTX *ctx, ctlsshim_servername_cb cb, void *arg);
int ctlsshim_tlsext_err_ok(void);
int ctlsshim_tlsext_err_alert_fatal(void);

/// Installs an ALPN select callback preferring the server's order (RFC 7301 §3.2) over `wire`,
/// the protocol list in wire format (length-prefixed). The list is copied into the SSL_CTX's
/// ex_data and freed with the SSL_CTX, so it lives exactly as long as every SSL using it.
/// With no overlap, the handshake continues without ALPN (as HAProxy and nginx do).
int ctlsshim_ctx_set_alpn_server_protocols(SSL_CTX *ctx, const unsigned char *wire, unsigned int len);

/// The session ticket key callback shape of SSL_CTX_set_tlsext_ticket_key_evp_cb.
typedef int (*ctlsshim_ticket_key_cb)(SSL *ssl, unsigned char *keyName, unsigned char *iv,
                                      EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt);
int ctlsshim_ctx_set_ticket_key_callback(SSL_CTX *ctx, ctlsshim_ticket_key_cb cb);
/// Sets up ticket protection AES-256-CBC + HMAC-SHA256 (RFC 5077 §4's recommended format).
/// When `encrypt` is 1 a fresh random IV is written to `iv` (16 bytes). Returns 1 on success.
int ctlsshim_ticket_crypto_init(EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac,
                                const unsigned char *aesKey32, const unsigned char *hmacKey32,
                                unsigned char *iv, int encrypt);

// MARK: BIO

/// BIO_pending is a macro over BIO_ctrl.
size_t ctlsshim_bio_pending(BIO *bio);
/// BIO_set_mem_eof_return: -1 makes an empty memory BIO mean "retry", not EOF.
void ctlsshim_bio_set_mem_eof_return(BIO *bio, int value);
/// The bytes a memory BIO has allocated (BUF_MEM max), drained or not: a drained BIO keeps
/// its buffer, so an idle connection swaps in a fresh BIO when this is large.
size_t ctlsshim_bio_mem_capacity(BIO *bio);
/// A fresh memory BIO whose emptiness means "retry" (BIO_set_mem_eof_return -1).
BIO *ctlsshim_bio_new_mem(void);

// MARK: Keys and certificates

/// PEM_read_bio_PrivateKey with a password callback that always fails, so an encrypted key
/// never prompts on a terminal.
EVP_PKEY *ctlsshim_read_private_key_no_password(BIO *bio);
/// 1 RSA, 2 EC (ECDSA), 3 Ed25519, 4 Ed448, 0 anything else.
int ctlsshim_pkey_kind(const EVP_PKEY *key);
/// The DNS names of the subjectAltName extension, each terminated by '\n'; NULL when the
/// certificate has no subjectAltName extension. Free with ctlsshim_free.
char *ctlsshim_x509_dns_names(X509 *cert);
/// The subject's last commonName, or NULL. Free with ctlsshim_free.
char *ctlsshim_x509_common_name(X509 *cert);
/// The subject as a one-line RFC 2253 string. Free with ctlsshim_free.
char *ctlsshim_x509_subject(X509 *cert);
/// The serial number in upper-case hex, or NULL. Free with ctlsshim_free.
char *ctlsshim_x509_serial_hex(X509 *cert);
/// notBefore / notAfter as seconds since the Unix epoch. Return 1 on success.
int ctlsshim_x509_not_before(X509 *cert, int64_t *out);
int ctlsshim_x509_not_after(X509 *cert, int64_t *out);
/// OPENSSL_free is a macro.
void ctlsshim_free(void *ptr);

/// A new P-256 key and a self-signed certificate for it (SHA-256, `days` valid, the given
/// common name and subjectAltName list such as "DNS:localhost,IP:127.0.0.1"), as one PEM text:
/// certificate then key. For demos and tests only. NULL on failure. Free with ctlsshim_free.
/// In C because it is a straight run of OpenSSL calls, two of which (EVP_EC_gen and the
/// subjectAltName builder) are a macro and a variadic function Swift cannot call.
char *ctlsshim_self_signed_pem(const char *commonName, const char *subjectAltNames, int days);

#endif
