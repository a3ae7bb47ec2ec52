#include "CTLSShim.h"
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <openssl/ec.h>
#include <openssl/bn.h>

// MARK: SSL_CTX configuration

int ctlsshim_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

int ctlsshim_ctx_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

long ctlsshim_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

int ctlsshim_ctx_set1_groups_list(SSL_CTX *ctx, const char *groups) {
    return (int)SSL_CTX_set1_groups_list(ctx, groups);
}

void ctlsshim_ctx_set_server_session_cache(SSL_CTX *ctx, long size, long timeoutSeconds) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, size);
    SSL_CTX_set_timeout(ctx, timeoutSeconds);
}

void ctlsshim_ctx_disable_session_cache(SSL_CTX *ctx) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

int ctlsshim_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return (int)SSL_CTX_add1_chain_cert(ctx, cert);
}

long ctlsshim_ctx_sess_number(SSL_CTX *ctx) {
    return SSL_CTX_sess_number(ctx);
}

int ctlsshim_ctx_set1_sigalgs_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_sigalgs_list(ctx, list);
}

void ctlsshim_ctx_set_dh_auto(SSL_CTX *ctx) {
    (void)SSL_CTX_set_dh_auto(ctx, 1);
}

int ctlsshim_ctx_has_cipher_named(SSL_CTX *ctx, const char *name) {
    STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(ctx);
    int count = sk_SSL_CIPHER_num(ciphers);
    for (int i = 0; i < count; i++) {
        const char *standard = SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(ciphers, i));
        if (standard != NULL && strcmp(standard, name) == 0) return 1;
    }
    return 0;
}

int ctlsshim_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

// MARK: Option and mode values

uint64_t ctlsshim_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }
uint64_t ctlsshim_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
uint64_t ctlsshim_op_no_ticket(void) { return SSL_OP_NO_TICKET; }
uint64_t ctlsshim_op_cipher_server_preference(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
uint64_t ctlsshim_op_no_tls_below_1_2(void) {
    return SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
}
long ctlsshim_mode_release_buffers(void) { return SSL_MODE_RELEASE_BUFFERS; }
long ctlsshim_mode_enable_partial_write(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
long ctlsshim_mode_accept_moving_write_buffer(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }

// MARK: Callbacks

void ctlsshim_ctx_set_servername_callback(SSL_CTX *ctx, ctlsshim_servername_cb cb, void *arg) {
    SSL_CTX_set_tlsext_servername_callback(ctx, cb);
    SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}

int ctlsshim_tlsext_err_ok(void) { return SSL_TLSEXT_ERR_OK; }
int ctlsshim_tlsext_err_alert_fatal(void) { return SSL_TLSEXT_ERR_ALERT_FATAL; }

// The ALPN list lives in the SSL_CTX's ex_data; this index owns a free function for it.
typedef struct {
    unsigned int len;
    unsigned char wire[];
} alpn_list;

static int alpn_index = -1;
static pthread_once_t alpn_once = PTHREAD_ONCE_INIT;

static void alpn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    OPENSSL_free(ptr);
}

static void alpn_index_init(void) {
    alpn_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, alpn_free);
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
    (void)arg;
    // The current SSL_CTX: after the SNI callback switched it, that context's list applies.
    alpn_list *list = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), alpn_index);
    if (list == NULL) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *selected = NULL;
    unsigned char selectedLen = 0;
    // Server list first: RFC 7301 §3.2 lets the server pick by its own preference.
    if (SSL_select_next_proto(&selected, &selectedLen, list->wire, list->len, in, inlen)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    *outlen = selectedLen;
    return SSL_TLSEXT_ERR_OK;
}

int ctlsshim_ctx_set_alpn_server_protocols(SSL_CTX *ctx, const unsigned char *wire, unsigned int len) {
    pthread_once(&alpn_once, alpn_index_init);
    if (alpn_index < 0) return 0;
    alpn_list *list = OPENSSL_malloc(sizeof(alpn_list) + len);
    if (list == NULL) return 0;
    list->len = len;
    memcpy(list->wire, wire, len);
    alpn_list *old = SSL_CTX_get_ex_data(ctx, alpn_index);
    if (!SSL_CTX_set_ex_data(ctx, alpn_index, list)) {
        OPENSSL_free(list);
        return 0;
    }
    OPENSSL_free(old);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    return 1;
}

int ctlsshim_ctx_set_ticket_key_callback(SSL_CTX *ctx, ctlsshim_ticket_key_cb cb) {
    return (int)SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, cb);
}

int ctlsshim_ticket_crypto_init(EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac,
                                const unsigned char *aesKey32, const unsigned char *hmacKey32,
                                unsigned char *iv, int encrypt) {
    if (encrypt) {
        if (RAND_bytes(iv, 16) <= 0) return 0;
    }
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)hmacKey32, 32);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_CTX_set_params(mac, params)) return 0;
    if (encrypt) {
        return EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, aesKey32, iv);
    }
    return EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, aesKey32, iv);
}

// MARK: BIO

size_t ctlsshim_bio_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

void ctlsshim_bio_set_mem_eof_return(BIO *bio, int value) {
    BIO_set_mem_eof_return(bio, value);
}

size_t ctlsshim_bio_mem_capacity(BIO *bio) {
    BUF_MEM *mem = NULL;
    BIO_get_mem_ptr(bio, &mem);
    return mem == NULL ? 0 : mem->max;
}

BIO *ctlsshim_bio_new_mem(void) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio != NULL) BIO_set_mem_eof_return(bio, -1);
    return bio;
}

// MARK: Keys and certificates

static int no_password(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

EVP_PKEY *ctlsshim_read_private_key_no_password(BIO *bio) {
    return PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
}

int ctlsshim_pkey_kind(const EVP_PKEY *key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return 1;
    case EVP_PKEY_EC: return 2;
    case EVP_PKEY_ED25519: return 3;
    case EVP_PKEY_ED448: return 4;
    default: return 0;
    }
}

char *ctlsshim_x509_dns_names(X509 *cert) {
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return NULL;
    size_t total = 1;
    int count = sk_GENERAL_NAME_num(names);
    for (int i = 0; i < count; i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) total += (size_t)ASN1_STRING_length(name->d.dNSName) + 1;
    }
    char *out = OPENSSL_malloc(total);
    if (out == NULL) {
        GENERAL_NAMES_free(names);
        return NULL;
    }
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type != GEN_DNS) continue;
        int len = ASN1_STRING_length(name->d.dNSName);
        const unsigned char *data = ASN1_STRING_get0_data(name->d.dNSName);
        // An embedded NUL would truncate the name: replace it so the Swift side rejects it.
        for (int j = 0; j < len; j++) out[at++] = data[j] == 0 ? '?' : (char)data[j];
        out[at++] = '\n';
    }
    out[at] = 0;
    GENERAL_NAMES_free(names);
    return out;
}

char *ctlsshim_x509_common_name(X509 *cert) {
    X509_NAME *subject = X509_get_subject_name(cert);
    if (subject == NULL) return NULL;
    int index = -1, last = -1;
    while ((index = X509_NAME_get_index_by_NID(subject, NID_commonName, index)) >= 0) last = index;
    if (last < 0) return NULL;
    ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, last));
    unsigned char *utf8 = NULL;
    if (ASN1_STRING_to_UTF8(&utf8, data) < 0) return NULL;
    return (char *)utf8;
}

char *ctlsshim_x509_subject(X509 *cert) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return NULL;
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    size_t len = BIO_ctrl_pending(bio);
    char *out = OPENSSL_malloc(len + 1);
    if (out != NULL) {
        int got = BIO_read(bio, out, (int)len);
        out[got > 0 ? got : 0] = 0;
    }
    BIO_free(bio);
    return out;
}

char *ctlsshim_x509_serial_hex(X509 *cert) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    if (bn == NULL) return NULL;
    char *hex = BN_bn2hex(bn);
    BN_free(bn);
    return hex;
}

static int asn1_time_to_unix(const ASN1_TIME *time, int64_t *out) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (time == NULL || !ASN1_TIME_to_tm(time, &tm)) return 0;
    *out = (int64_t)timegm(&tm);
    return 1;
}

int ctlsshim_x509_not_before(X509 *cert, int64_t *out) {
    return asn1_time_to_unix(X509_get0_notBefore(cert), out);
}

int ctlsshim_x509_not_after(X509 *cert, int64_t *out) {
    return asn1_time_to_unix(X509_get0_notAfter(cert), out);
}

void ctlsshim_free(void *ptr) {
    OPENSSL_free(ptr);
}

char *ctlsshim_self_signed_pem(const char *commonName, const char *subjectAltNames, int days) {
    char *result = NULL;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    BIO *out = BIO_new(BIO_s_mem());
    X509_EXTENSION *san = NULL;
    if (key == NULL || cert == NULL || out == NULL) goto done;
    if (X509_set_version(cert, 2) != 1) goto done;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) goto done;
    serial[0] &= 0x7F;  /* positive */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (bn == NULL) goto done;
    int serialSet = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    if (!serialSet) goto done;
    if (X509_gmtime_adj(X509_getm_notBefore(cert), -60) == NULL) goto done;
    if (X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400L) == NULL) goto done;
    if (X509_set_pubkey(cert, key) != 1) goto done;
    X509_NAME *name = X509_get_subject_name(cert);
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)commonName, -1, -1, 0) != 1) goto done;
    if (X509_set_issuer_name(cert, name) != 1) goto done;
    if (subjectAltNames != NULL && subjectAltNames[0] != '\0') {
        san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, subjectAltNames);
        if (san == NULL || X509_add_ext(cert, san, -1) != 1) goto done;
    }
    if (X509_sign(cert, key, EVP_sha256()) == 0) goto done;
    if (PEM_write_bio_X509(out, cert) != 1) goto done;
    if (PEM_write_bio_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL) != 1) goto done;
    char *data = NULL;
    long length = BIO_get_mem_data(out, &data);
    if (length <= 0 || data == NULL) goto done;
    result = OPENSSL_malloc((size_t)length + 1);
    if (result == NULL) goto done;
    memcpy(result, data, (size_t)length);
    result[length] = '\0';
done:
    X509_EXTENSION_free(san);
    BIO_free(out);
    X509_free(cert);
    EVP_PKEY_free(key);
    return result;
}
