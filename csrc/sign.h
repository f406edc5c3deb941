/* Signature families. Pure functions of their inputs: no I/O, no clock, no
 * randomness (time and nonce are parameters), so every result is testable. */
#ifndef CLOUDAPI_SIGN_H
#define CLOUDAPI_SIGN_H

#include "buf.h"
#include "canon.h"
#include "crypto.h"

/* Alibaba Cloud RPC, SignatureVersion 1.0 (HMAC-SHA1, key = secret "&").
 * p (all parameters except Signature) is sorted in place. Appends the
 * canonical query to q, the string to sign to sts, the base64 signature to
 * sig. Returns 0, or -1 on an OpenSSL or allocation failure. */
int ca_rpc_sign(ca_crypto *c, const char *method, ca_pair *p, size_t n,
                const char *secret, size_t secret_len,
                ca_buf *q, ca_buf *sts, ca_buf *sig);

/* Signature v1's own parameters, written to p[0..3]: SignatureMethod
 * (HMAC-SHA1), SignatureVersion (1.0), SignatureNonce and Timestamp
 * (YYYY-MM-DDThh:mm:ssZ), the last two given by the caller. They belong to
 * the algorithm, not to a product, so the core adds them: the Lua layer's
 * fast path (core.rpc_sign_args) does not pass them. Nothing is copied.
 * Returns CA_RPC_V1_NPARAMS. */
#define CA_RPC_V1_NPARAMS 4
size_t ca_rpc_v1_params(ca_pair *p, const char *nonce, size_t nonce_len,
                        const char *timestamp, size_t timestamp_len);

/* Huawei Cloud SDK-HMAC-SHA256 and its derived-key V11 variant. */
typedef struct {
    const char *method;
    const char *path; size_t path_len;     /* as sent on the wire */
    ca_pair *query; size_t nquery;         /* sorted in place */
    ca_pair *headers; size_t nheaders;     /* to sign; names containing '_' are skipped */
    const char *payload_hash;              /* 64 hex chars, or NULL: SHA-256 of body */
    const char *body; size_t body_len;
    const char *ak; size_t ak_len;
    const char *sk; size_t sk_len;
    const char *date;                      /* X-Sdk-Date, YYYYMMDDTHHMMSSZ */
    int v11;                               /* derived-key variant */
    const char *region, *service;          /* V11 only */
} ca_sdk_req;

/* Appends the canonical request to canon, the canonical query (the exact
 * query to send) to q and the Authorization value to auth. Returns 0, or an
 * error message (static storage) naming the problem. */
const char *ca_sdk_sign(ca_crypto *c, ca_sdk_req *r, ca_buf *canon, ca_buf *q, ca_buf *auth);

/* Alibaba Cloud V3, ACS3-HMAC-SHA256 (key = secret, no "&"):
 *   CanonicalRequest = METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n HASH
 *   StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest)) */
typedef struct {
    const char *method;
    const char *path; size_t path_len;     /* the canonical URI: as sent on the wire */
    ca_pair *query; size_t nquery;         /* raw pairs; sorted in place */
    ca_pair *headers; size_t nheaders;     /* every header; x-acs-*, host, content-type are signed */
    const char *payload_hash;              /* x-acs-content-sha256: 64 lowercase hex chars */
    const char *ak; size_t ak_len;
    const char *secret; size_t secret_len;
} ca_acs3_req;

/* Appends the canonical request to canon, the canonical query (the exact
 * query to send) to q, the string to sign to sts and the Authorization
 * value to auth. Returns NULL, or an error message (static storage). */
const char *ca_acs3_sign(ca_crypto *c, ca_acs3_req *r, ca_buf *canon, ca_buf *q,
                         ca_buf *sts, ca_buf *auth);

/* Alibaba Cloud ROA, "Authorization: acs AK:signature" (HMAC-SHA1, key =
 * secret, no "&"). StringToSign = METHOD \n Accept \n Content-MD5 \n
 * Content-Type \n Date \n, each x-acs-* header as name:value \n, then the
 * resource: path [? k=v&... sorted, values not encoded]. */
typedef struct {
    const char *method;
    const char *path; size_t path_len;     /* the resource path as sent */
    ca_pair *query; size_t nquery;         /* raw pairs; sorted in place */
    ca_pair *headers; size_t nheaders;     /* every header of the request */
    const char *ak; size_t ak_len;
    const char *secret; size_t secret_len;
} ca_roa_req;

/* Appends the string to sign to sts and the Authorization value to auth.
 * Returns NULL, or an error message (static storage). */
const char *ca_roa_sign(ca_crypto *c, ca_roa_req *r, ca_buf *sts, ca_buf *auth);

#endif
