/* The signing floor: the same canonicalize + sign work as client:prepare,
 * done by the core's C files directly (crypto.c, canon.c, sign_rpc.c,
 * sign_sdk.c), no Lua at all.
 *
 *   floor_sign rpc SECONDS     time Alibaba RPC signatures (19 signed params)
 *   floor_sign sdk SECONDS     time Huawei SDK-HMAC-SHA256 GET signatures
 *   floor_sign rpc-core SECONDS  rpc, but with a fixed nonce and timestamp:
 *                              what the signature costs without them
 *   floor_sign acs3 SECONDS    time ACS3-HMAC-SHA256 RPC GET signatures (the same
 *                              10 caller parameters + RegionId in the query)
 *   floor_sign roa SECONDS     time ROA acs GET /clusters signatures (3 query params)
 *   floor_sign rpc-check NONCE TIMESTAMP   print the signed URL once
 *   floor_sign sdk-check DATE              print URL, Authorization once
 *   floor_sign acs3-check NONCE DATE       print URL, Authorization once
 *   floor_sign roa-check NONCE DATE        print URL, Authorization once
 *
 * Each timed operation is a complete signature as prepare makes it: a fresh
 * nonce (RPC) and a formatted clock reading, the parameter pairs filled
 * (the Lua layer flattens the caller's table; here the pairs are already
 * flat strings), sorted, canonicalized, HMAC'd, base64/hex encoded, and the
 * final URL (RPC: with &Signature=) assembled. Output: one JSON line. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sign.h"

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fmt_now(char *out, size_t n, const char *fmt) {
    struct timespec ts;
    struct tm tm;
    time_t t;
    clock_gettime(CLOCK_REALTIME, &ts);
    t = ts.tv_sec;
    gmtime_r(&t, &tm);
    strftime(out, n, fmt, &tm);
}

typedef struct {
    ca_crypto c;
    ca_buf q, sts, sig, url;
    ca_pair pairs[32];
    char nonce[33], ts[32];
    const char *fixed_nonce, *fixed_ts; /* check mode */
    size_t sink;
} bench;

static void set(ca_pair *p, const char *k, const char *v) {
    p->k = k; p->kl = strlen(k);
    p->v = v; p->vl = strlen(v);
}

/* The flat set prepare signs for
 *   ecs:prepare("DescribeInstances", {PageSize=50, PageNumber=1, Status="Running",
 *     ZoneId="cn-hangzhou-b", InstanceType="ecs.g6.large", VpcId=..., VSwitchId=...,
 *     InstanceName="web-server-01", Tag={{Key="env", Value="prod"}}})
 * 10 flat caller parameters + 9 the client adds = 19 signed, + Signature. */
static const char *const USER[][2] = {
    {"PageSize", "50"}, {"PageNumber", "1"}, {"Status", "Running"},
    {"ZoneId", "cn-hangzhou-b"}, {"InstanceType", "ecs.g6.large"},
    {"VpcId", "vpc-bp1opxu1zkhn00gzv26cn"}, {"VSwitchId", "vsw-bp1s5fnvk4gn2tws03624"},
    {"InstanceName", "web-server-01"}, {"Tag.1.Key", "env"}, {"Tag.1.Value", "prod"},
};
#define NUSER (sizeof USER / sizeof USER[0])

/* A fresh 128-bit nonce as 32 hex chars into b->nonce, as the core makes one. */
static const char *fresh_nonce(bench *b) {
    static const char digits[] = "0123456789abcdef";
    unsigned char r[16];
    size_t i;
    if (ca_random(&b->c, r, sizeof r) != 0) return NULL;
    for (i = 0; i < 16; i++) {
        b->nonce[2 * i] = digits[r[i] >> 4];
        b->nonce[2 * i + 1] = digits[r[i] & 15];
    }
    b->nonce[32] = '\0';
    return b->nonce;
}

/* The time to sign with: the fixed one (check mode) or the clock's, in fmt. */
static const char *stamp(bench *b, const char *fmt) {
    if (b->fixed_ts) return b->fixed_ts;
    fmt_now(b->ts, sizeof b->ts, fmt);
    return b->ts;
}

/* The caller's 10 flat pairs into b->pairs; returns how many. */
static size_t user_pairs(bench *b) {
    size_t i;
    for (i = 0; i < NUSER; i++) set(&b->pairs[i], USER[i][0], USER[i][1]);
    return NUSER;
}

static int rpc_op(bench *b) {
    const char *nonce = b->fixed_nonce ? b->fixed_nonce : fresh_nonce(b), *ts = stamp(b, "%Y-%m-%dT%H:%M:%SZ");
    size_t n = user_pairs(b);
    if (nonce == NULL) return -1;
    set(&b->pairs[n++], "Action", "DescribeInstances");
    set(&b->pairs[n++], "Version", "2014-05-26");
    set(&b->pairs[n++], "Format", "JSON");
    set(&b->pairs[n++], "AccessKeyId", "testid");
    set(&b->pairs[n++], "SignatureMethod", "HMAC-SHA1");
    set(&b->pairs[n++], "SignatureVersion", "1.0");
    set(&b->pairs[n++], "SignatureNonce", nonce);
    set(&b->pairs[n++], "Timestamp", ts);
    set(&b->pairs[n++], "RegionId", "cn-hangzhou");
    ca_buf_reset(&b->q); ca_buf_reset(&b->sts); ca_buf_reset(&b->sig); ca_buf_reset(&b->url);
    if (ca_rpc_sign(&b->c, "GET", b->pairs, n, "testsecret", 10, &b->q, &b->sts, &b->sig) != 0) return -1;
    ca_buf_adds(&b->url, "https://ecs.cn-hangzhou.aliyuncs.com/?");
    ca_buf_add(&b->url, b->q.p, b->q.len);
    ca_buf_adds(&b->url, "&Signature=");
    ca_percent_encode(&b->url, b->sig.p, b->sig.len);
    if (b->url.failed) return -1;
    b->sink += b->url.len + (unsigned char)b->url.p[b->url.len - 1];
    return 0;
}

/* hw:prepare("GET", "/v1/{project_id}/vpc-endpoint-services",
 *            {query = {limit=10, offset=0, name="x"}}) with project_id "p". */
static int sdk_op(bench *b) {
    ca_sdk_req r;
    const char *date = b->fixed_ts;
    static const char path[] = "/v1/p/vpc-endpoint-services";
    if (date == NULL) {
        fmt_now(b->ts, sizeof b->ts, "%Y%m%dT%H%M%SZ");
        date = b->ts;
    }
    set(&b->pairs[0], "limit", "10");
    set(&b->pairs[1], "offset", "0");
    set(&b->pairs[2], "name", "x");
    set(&b->pairs[3], "Host", "vpcep.cn-north-4.myhuaweicloud.com");
    set(&b->pairs[4], "X-Project-Id", "p");
    set(&b->pairs[5], "X-Sdk-Date", date);
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.path = path; r.path_len = sizeof path - 1;
    r.query = b->pairs; r.nquery = 3;
    r.headers = b->pairs + 3; r.nheaders = 3;
    r.ak = "a"; r.ak_len = 1;
    r.sk = "s"; r.sk_len = 1;
    r.date = date;
    ca_buf_reset(&b->q); ca_buf_reset(&b->sts); ca_buf_reset(&b->sig); ca_buf_reset(&b->url);
    /* sts: canonical request, q: canonical query, sig: Authorization */
    if (ca_sdk_sign(&b->c, &r, &b->sts, &b->q, &b->sig) != NULL) return -1;
    ca_buf_adds(&b->url, "https://vpcep.cn-north-4.myhuaweicloud.com");
    ca_buf_add(&b->url, path, sizeof path - 1);
    if (b->q.len) {
        ca_buf_addc(&b->url, '?');
        ca_buf_add(&b->url, b->q.p, b->q.len);
    }
    if (b->url.failed) return -1;
    b->sink += b->url.len + (unsigned char)b->sig.p[b->sig.len - 1];
    return 0;
}

/* The URL of a request signed in its headers: base and the query b->q
 * (the signature is in b->sig, the Authorization). */
static int header_signed_url(bench *b, const char *base) {
    ca_buf_reset(&b->url);
    ca_buf_adds(&b->url, base);
    ca_buf_add(&b->url, b->q.p, b->q.len);
    if (b->url.failed || b->sig.len == 0) return -1;
    b->sink += b->url.len + (unsigned char)b->sig.p[b->sig.len - 1];
    return 0;
}

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ecs (signature = "ACS3-HMAC-SHA256"):prepare("DescribeInstances", the
 * same 9 caller parameters): 11 query pairs, 6 signed headers + User-Agent. */
static int acs3_op(bench *b) {
    ca_acs3_req r;
    const char *nonce = b->fixed_nonce ? b->fixed_nonce : fresh_nonce(b), *ts = stamp(b, "%Y-%m-%dT%H:%M:%SZ");
    size_t n = user_pairs(b);
    if (nonce == NULL) return -1;
    set(&b->pairs[n++], "RegionId", "cn-hangzhou");
    set(&b->pairs[n + 0], "User-Agent", "cloudapi-lua");
    set(&b->pairs[n + 1], "host", "ecs.cn-hangzhou.aliyuncs.com");
    set(&b->pairs[n + 2], "x-acs-action", "DescribeInstances");
    set(&b->pairs[n + 3], "x-acs-version", "2014-05-26");
    set(&b->pairs[n + 4], "x-acs-date", ts);
    set(&b->pairs[n + 5], "x-acs-signature-nonce", nonce);
    set(&b->pairs[n + 6], "x-acs-content-sha256", EMPTY_SHA256);
    memset(&r, 0, sizeof r);
    r.method = "GET"; r.path = "/"; r.path_len = 1;
    r.query = b->pairs; r.nquery = n;
    r.headers = b->pairs + n; r.nheaders = 7;
    r.payload_hash = EMPTY_SHA256;
    r.ak = "testid"; r.ak_len = 6; r.secret = "testsecret"; r.secret_len = 10;
    ca_buf_reset(&b->q); ca_buf_reset(&b->sts); ca_buf_reset(&b->sig); ca_buf_reset(&b->url);
    /* url: canonical request, q: canonical query, sts, sig: Authorization */
    if (ca_acs3_sign(&b->c, &r, &b->url, &b->q, &b->sts, &b->sig) != NULL) return -1;
    return header_signed_url(b, "https://ecs.cn-hangzhou.aliyuncs.com/?");
}

/* cs:prepare("GET", "/clusters", {query = {page_size=10, page_number=1, name="x"}}) */
static int roa_op(bench *b) {
    ca_roa_req r;
    const char *nonce = b->fixed_nonce ? b->fixed_nonce : fresh_nonce(b);
    const char *date = stamp(b, "%a, %d %b %Y %H:%M:%S GMT"); /* C locale */
    if (nonce == NULL) return -1;
    set(&b->pairs[0], "page_size", "10");
    set(&b->pairs[1], "page_number", "1");
    set(&b->pairs[2], "name", "x");
    set(&b->pairs[3], "Accept", "application/json");
    set(&b->pairs[4], "User-Agent", "cloudapi-lua");
    set(&b->pairs[5], "Date", date);
    set(&b->pairs[6], "Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
    set(&b->pairs[7], "x-acs-signature-method", "HMAC-SHA1");
    set(&b->pairs[8], "x-acs-signature-version", "1.0");
    set(&b->pairs[9], "x-acs-signature-nonce", nonce);
    set(&b->pairs[10], "x-acs-version", "2015-12-15");
    memset(&r, 0, sizeof r);
    r.method = "GET"; r.path = "/clusters"; r.path_len = 9;
    r.query = b->pairs; r.nquery = 3;
    r.headers = b->pairs + 3; r.nheaders = 8;
    r.ak = "testid"; r.ak_len = 6; r.secret = "testsecret"; r.secret_len = 10;
    ca_buf_reset(&b->q); ca_buf_reset(&b->sts); ca_buf_reset(&b->sig); ca_buf_reset(&b->url);
    if (ca_roa_sign(&b->c, &r, &b->sts, &b->sig) != NULL) return -1;
    ca_canonical_query(&b->q, b->pairs, 3); /* sorted by ca_roa_sign */
    return header_signed_url(b, "https://cs.cn-hangzhou.aliyuncs.com/clusters?");
}

static int usage(void) {
    fprintf(stderr, "usage: floor_sign rpc|rpc-core|sdk|acs3|roa SECONDS | rpc-check NONCE TIMESTAMP | "
                    "sdk-check DATE | acs3-check|roa-check NONCE DATE\n");
    return 2;
}

int main(int argc, char **argv) {
    bench b;
    int (*op)(bench *);
    const char *err;
    double secs, t0, el;
    long iters = 0, i;
    int rc = 0;
    if (argc < 2) return usage();
    memset(&b, 0, sizeof b);
    ca_buf_init(&b.q); ca_buf_init(&b.sts); ca_buf_init(&b.sig); ca_buf_init(&b.url);
    if ((err = ca_crypto_open(&b.c)) != NULL) {
        fprintf(stderr, "floor_sign: %s\n", err);
        ca_crypto_close(&b.c);
        return 1;
    }
    if (strcmp(argv[1], "rpc-check") == 0 && argc == 4) {
        b.fixed_nonce = argv[2];
        b.fixed_ts = argv[3];
        if (rpc_op(&b) != 0) { rc = 1; goto out; }
        printf("%s\n", b.url.p);
        goto out;
    }
    if (strcmp(argv[1], "sdk-check") == 0 && argc == 3) {
        b.fixed_ts = argv[2];
        if (sdk_op(&b) != 0) { rc = 1; goto out; }
        printf("%s\n%s\n", b.url.p, b.sig.p);
        goto out;
    }
    if ((strcmp(argv[1], "acs3-check") == 0 || strcmp(argv[1], "roa-check") == 0) && argc == 4) {
        b.fixed_nonce = argv[2];
        b.fixed_ts = argv[3];
        if ((argv[1][0] == 'a' ? acs3_op(&b) : roa_op(&b)) != 0) { rc = 1; goto out; }
        printf("%s\n%s\n", b.url.p, b.sig.p);
        goto out;
    }
    if (argc != 3) { rc = usage(); goto out; }
    if (strcmp(argv[1], "rpc") == 0) op = rpc_op;
    else if (strcmp(argv[1], "rpc-core") == 0) {
        op = rpc_op;
        b.fixed_nonce = "3f1c2a9b5d7e4f60a1b2c3d4e5f60718";
        b.fixed_ts = "2016-02-23T12:46:24Z";
    }
    else if (strcmp(argv[1], "sdk") == 0) op = sdk_op;
    else if (strcmp(argv[1], "acs3") == 0) op = acs3_op;
    else if (strcmp(argv[1], "roa") == 0) op = roa_op;
    else { rc = usage(); goto out; }
    secs = atof(argv[2]);
    for (i = 0; i < 5000; i++) /* warm up: caches, OpenSSL contexts, the nonce pool */
        if (op(&b) != 0) { rc = 1; goto out; }
    t0 = mono();
    do {
        for (i = 0; i < 1000; i++)
            if (op(&b) != 0) { rc = 1; goto out; }
        iters += 1000;
        el = mono() - t0;
    } while (el < secs);
    printf("{\"ns_per_op\":%.1f,\"ops_per_s\":%.0f,\"iters\":%ld,\"sink\":%zu}\n",
           el / (double)iters * 1e9, (double)iters / el, iters, b.sink % 1000);
out:
    if (rc == 1) fprintf(stderr, "floor_sign: signing failed\n");
    ca_buf_free(&b.q); ca_buf_free(&b.sts); ca_buf_free(&b.sig); ca_buf_free(&b.url);
    ca_crypto_close(&b.c);
    return rc;
}
