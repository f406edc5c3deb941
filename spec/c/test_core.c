/* Known-answer tests of the C core without Lua, run under ASan + UBSan by
 * `make test`. Vectors: ../shared/reference/test-vectors.md. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "canon.h"
#include "crypto.h"
#include "http.h"
#include "sign.h"

static int failures, checks;

static void expect_str(const char *what, const char *got, const char *want) {
    checks++;
    if (got == NULL || strcmp(got, want) != 0) {
        failures++;
        fprintf(stderr, "FAIL %s\n  got:  %s\n  want: %s\n", what, got ? got : "(null)", want);
    }
}

/* A signing function's NULL (no error). */
static void expect_ok(const char *what, const char *err) {
    checks++;
    if (err != NULL) { failures++; fprintf(stderr, "FAIL %s: %s\n", what, err); }
}

static void expect_int(const char *what, long got, long want) {
    checks++;
    if (got != want) {
        failures++;
        fprintf(stderr, "FAIL %s: got %ld, want %ld\n", what, got, want);
    }
}

static ca_crypto cr;

static void test_encode(void) {
    ca_buf b;
    ca_buf_init(&b);
    ca_percent_encode(&b, "azAZ09-_.~", 10);
    expect_str("unreserved", b.p, "azAZ09-_.~");
    ca_buf_reset(&b);
    ca_percent_encode(&b, " *+/:=&%", 8);
    expect_str("reserved", b.p, "%20%2A%2B%2F%3A%3D%26%25");
    ca_buf_reset(&b);
    ca_percent_encode(&b, "\xe4\xb8\x80\xf0\x9f\x98\x80", 7);
    expect_str("utf-8", b.p, "%E4%B8%80%F0%9F%98%80");
    ca_buf_reset(&b);
    ca_percent_encode(&b, "a\0b", 3);
    expect_str("nul byte", b.p, "a%00b");
    ca_buf_reset(&b);
    ca_percent_encode(&b, "", 0);
    expect_int("empty length", (long)b.len, 0);
    ca_buf_free(&b);
}

static void test_canonical_uri(void) {
    ca_buf b;
    ca_buf_init(&b);
    expect_int("uri rc", ca_canonical_uri(&b, "/resources", 10), 0);
    expect_str("uri trailing slash", b.p, "/resources/");
    ca_buf_reset(&b);
    ca_canonical_uri(&b, "/v1/a%20b/x y/", 14);
    expect_str("uri segments", b.p, "/v1/a%20b/x%20y/");
    ca_buf_reset(&b);
    ca_canonical_uri(&b, "", 0);
    expect_str("uri empty", b.p, "/");
    ca_buf_reset(&b);
    expect_int("uri encoded slash rejected", ca_canonical_uri(&b, "/a%2Fb", 6), -1);
    ca_buf_free(&b);
}

static void set(ca_pair *p, const char *k, const char *v) {
    p->k = k; p->kl = strlen(k); p->v = v; p->vl = strlen(v);
}

static void test_rpc(void) {
    ca_pair p[12];
    ca_buf q, sts, sig;
    ca_buf_init(&q); ca_buf_init(&sts); ca_buf_init(&sig);
    /* A1 */
    set(&p[0], "Timestamp", "2016-02-23T12:46:24Z");
    set(&p[1], "AccessKeyId", "testid");
    set(&p[2], "Action", "DescribeRegions");
    set(&p[3], "Format", "XML");
    set(&p[4], "SignatureMethod", "HMAC-SHA1");
    set(&p[5], "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
    set(&p[6], "SignatureVersion", "1.0");
    set(&p[7], "Version", "2014-05-26");
    expect_int("A1 rc", ca_rpc_sign(&cr, "GET", p, 8, "testsecret", 10, &q, &sts, &sig), 0);
    expect_str("A1 sts", sts.p,
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod"
        "%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion"
        "%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
    expect_str("A1 signature", sig.p, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");

    /* A2 */
    ca_buf_reset(&q); ca_buf_reset(&sts); ca_buf_reset(&sig);
    set(&p[0], "AccessKeyId", "testid");
    set(&p[1], "Action", "DescribeDedicatedHosts");
    set(&p[2], "Format", "JSON");
    set(&p[3], "RegionId", "cn-beijing");
    set(&p[4], "SignatureMethod", "HMAC-SHA1");
    set(&p[5], "SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb");
    set(&p[6], "SignatureVersion", "1.0");
    set(&p[7], "Timestamp", "2023-03-13T08:34:30Z");
    set(&p[8], "Version", "2014-05-26");
    ca_rpc_sign(&cr, "GET", p, 9, "testsecret", 10, &q, &sts, &sig);
    expect_str("A2 signature", sig.p, "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");

    /* A3, with and without SecurityToken */
    ca_buf_reset(&q); ca_buf_reset(&sts); ca_buf_reset(&sig);
    set(&p[0], "Version", "");
    set(&p[1], "Action", "");
    set(&p[2], "Format", "JSON");
    set(&p[3], "Timestamp", "mock date");
    set(&p[4], "SignatureMethod", "HMAC-SHA1");
    set(&p[5], "SignatureVersion", "1.0");
    set(&p[6], "SignatureType", "");
    set(&p[7], "SignatureNonce", "MOCK_UUID");
    set(&p[8], "AccessKeyId", "accessKeyId");
    set(&p[9], "RegionId", "regionId");
    ca_rpc_sign(&cr, "GET", p, 10, "accessKeySecret", 15, &q, &sts, &sig);
    expect_str("A3 signature", sig.p, "7loPmFjvDnzOVnQeQNj85S6nFGY=");
    ca_buf_reset(&q); ca_buf_reset(&sts); ca_buf_reset(&sig);
    set(&p[10], "SecurityToken", "accessKeyStsToken");
    ca_rpc_sign(&cr, "GET", p, 11, "accessKeySecret", 15, &q, &sts, &sig);
    expect_str("A3 signature with token", sig.p, "5Nxdcler+ihqWqv0Hr2On4PsBf4=");

    ca_buf_reset(&q); ca_buf_reset(&sts); ca_buf_reset(&sig);
    set(&p[0], "q", "http://domain/?q=value&q2=value2");
    set(&p[1], "key", "value");
    ca_rpc_sign(&cr, "GET", p, 2, "x", 1, &q, &sts, &sig);
    expect_str("A3 string to sign", sts.p,
        "GET&%2F&key%3Dvalue%26q%3Dhttp%253A%252F%252Fdomain%252F%253Fq%253Dvalue%2526q2%253Dvalue2");
    ca_buf_free(&q); ca_buf_free(&sts); ca_buf_free(&sig);
}

static void test_hmac(void) {
    unsigned char mac[CA_SHA256_LEN];
    size_t n = 0;
    ca_buf b;
    ca_buf_init(&b);
    ca_hmac(&cr, CA_SHA1, "secret", 6, "source", 6, mac, &n);
    ca_base64(&b, mac, n);
    expect_str("A4 ascii", b.p, "Jv4yi8SobFhg5t1C7nWLbhBSFZQ=");
    ca_buf_reset(&b);
    ca_hmac(&cr, CA_SHA1, "secret", 6, "\xe4\xb8\xad\xe6\x96\x87unicode", 13, mac, &n);
    ca_base64(&b, mac, n);
    expect_str("A4 utf-8", b.p, "szlfHs3WVaO/HgY3Cg7/uyXDaRw=");
    ca_buf_reset(&b);
    ca_sha256(&cr, "", 0, mac);
    ca_hex(&b, mac, CA_SHA256_LEN);
    expect_str("sha256 empty", b.p, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ca_buf_free(&b);
}

static void sdk(const char *name, const char *method, const char *path, ca_pair *q, size_t nq,
                const char *host, const char *date, const char *body, int v11, const char *want) {
    ca_pair h[3];
    size_t nh = 0;
    ca_sdk_req r;
    ca_buf canon, query, auth;
    const char *err;
    ca_buf_init(&canon); ca_buf_init(&query); ca_buf_init(&auth);
    memset(&r, 0, sizeof r);
    if (host) set(&h[nh++], "Host", host);
    set(&h[nh++], "X-Sdk-Date", date);
    set(&h[nh++], "TEST_UNDERSCORE", "TEST_VALUE");
    r.method = method; r.path = path; r.path_len = strlen(path);
    r.query = q; r.nquery = nq; r.headers = h; r.nheaders = nh;
    r.body = body; r.body_len = body ? strlen(body) : 0;
    r.ak = "AccessKey"; r.ak_len = 9; r.sk = "SecretKey"; r.sk_len = 9;
    r.date = date; r.v11 = v11; r.region = "test-region-1"; r.service = "demo";
    err = ca_sdk_sign(&cr, &r, &canon, &query, &auth);
    expect_str(name, err ? err : auth.p, want);
    ca_buf_free(&canon); ca_buf_free(&query); ca_buf_free(&auth);
}

static void test_sdk(void) {
    ca_pair q[1];
    const char *h1 = "service.endpoint.myhuaweicloud.com";
    set(&q[0], "size", "1");
    sdk("H1", "GET", "/resources", q, 1, h1, "20200608T023900Z", NULL, 0,
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842");
    sdk("H1 V11", "GET", "/resources", q, 1, h1, "20200608T023900Z", NULL, 1,
        "V11-HMAC-SHA256 Credential=AccessKey/20200608/test-region-1/demo, SignedHeaders=host;x-sdk-date, "
        "Signature=f7dfee056692e58dede80fc80cb89bbfabf45552dd7cd8d18a0a13484455b98e");
    sdk("H2", "POST", "/resources", q, 1, h1, "20200608T023900Z", "{\"name\":\"test\",\"id\":1}", 0,
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
        "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f");
    sdk("H2 V11", "POST", "/resources", q, 1, h1, "20200608T023900Z", "{\"name\":\"test\",\"id\":1}", 1,
        "V11-HMAC-SHA256 Credential=AccessKey/20200608/test-region-1/demo, SignedHeaders=host;x-sdk-date, "
        "Signature=8e2d91eaf9656ec5d6fab27812e2d898a35aaaa5e16ee0a0365c38527ccfb3cf");
    set(&q[0], "limit", "1");
    sdk("H3", "GET", "/path", q, 1, NULL, "20060102T150405Z", NULL, 0,
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "
        "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624");
    sdk("H3 V11", "GET", "/path", q, 1, NULL, "20060102T150405Z", NULL, 1,
        "V11-HMAC-SHA256 Credential=AccessKey/20060102/test-region-1/demo, SignedHeaders=x-sdk-date, "
        "Signature=8fd3610508884bb19718317797c7378716a94bc740d97502e569322e366341cc");
    set(&q[0], "key", "value");
    sdk("H4", "POST", "/path", q, 1, NULL, "20060102T150405Z", "{\"Name\":\"test\",\"Id\":1}\n", 0,
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "
        "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59");
    sdk("H4 V11", "POST", "/path", q, 1, NULL, "20060102T150405Z", "{\"Name\":\"test\",\"Id\":1}\n", 1,
        "V11-HMAC-SHA256 Credential=AccessKey/20060102/test-region-1/demo, SignedHeaders=x-sdk-date, "
        "Signature=4112f88b92d82dd1e1b7dd142f1e99e4f1762c42ca8fe0968b3045120870a903");
    sdk("bad date", "GET", "/", q, 0, NULL, "2006", NULL, 0, "X-Sdk-Date must look like 20200608T023900Z");
}

static void test_h5(void) {
    ca_pair p[7];
    ca_buf b;
    ca_buf_init(&b);
    set(&p[0], "limit", "1");
    set(&p[1], "enable", "true");
    set(&p[2], "test", "\xe4\xb8\x80 (&=?!#%.*)");
    set(&p[3], "path", "/tmp/123");
    set(&p[4], "multi", "3");
    set(&p[5], "multi", "1");
    set(&p[6], "multi", "2");
    ca_sort_pairs(p, 7);
    ca_canonical_query(&b, p, 7);
    expect_str("H5", b.p,
        "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123"
        "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29");
    ca_buf_free(&b);
}

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* A5 and A6; then the heap path (more headers than fit inline). */
static void test_acs3(void) {
    ca_pair q[2], h[40];
    ca_acs3_req r;
    ca_buf canon, query, sts, auth;
    char names[30][16];
    int i;
    ca_buf_init(&canon); ca_buf_init(&query); ca_buf_init(&sts); ca_buf_init(&auth);
    set(&q[0], "RegionId", "cn-shanghai");
    set(&q[1], "ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd");
    set(&h[0], "x-acs-version", "2014-05-26");
    set(&h[1], "host", "ecs.cn-shanghai.aliyuncs.com");
    set(&h[2], "x-acs-date", "2023-10-26T10:22:32Z");
    set(&h[3], "x-acs-action", "RunInstances");
    set(&h[4], "x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d");
    set(&h[5], "x-acs-content-sha256", EMPTY_SHA256);
    set(&h[6], "User-Agent", "not signed");
    memset(&r, 0, sizeof r);
    r.method = "POST"; r.path = "/"; r.path_len = 1;
    r.query = q; r.nquery = 2; r.headers = h; r.nheaders = 7;
    r.payload_hash = EMPTY_SHA256;
    r.ak = "YourAccessKeyId"; r.ak_len = 15; r.secret = "YourAccessKeySecret"; r.secret_len = 19;
    expect_ok("A5 rc", ca_acs3_sign(&cr, &r, &canon, &query, &sts, &auth));
    expect_str("A5 canonical request", canon.p,
        "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
        "host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n"
        "x-acs-content-sha256:" EMPTY_SHA256 "\nx-acs-date:2023-10-26T10:22:32Z\n"
        "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2014-05-26\n\n"
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n" EMPTY_SHA256);
    expect_str("A5 string to sign", sts.p,
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
    expect_str("A5 query", query.p,
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai");
    expect_str("A5 authorization", auth.p,
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
        "x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");

    ca_buf_reset(&canon); ca_buf_reset(&query); ca_buf_reset(&sts); ca_buf_reset(&auth);
    set(&q[0], "test", "ok");
    set(&q[1], "empty", "");
    set(&h[0], "x-acs-TEST", "https");
    set(&h[1], "x-acs-test", " http\t");
    r.method = "GET"; r.nheaders = 2;
    r.payload_hash = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
    r.ak = "acesskey"; r.ak_len = 8; r.secret = "secret"; r.secret_len = 6;
    ca_acs3_sign(&cr, &r, &canon, &query, &sts, &auth);
    expect_str("A6 canonical request", canon.p,
        "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n"
        "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23");
    expect_str("A6 authorization", auth.p,
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,"
        "Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");

    /* 30 signed headers with long names: both inline arrays overflow. */
    for (i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "X-Acs-Long-%02d", 29 - i);
        set(&h[i], names[i], "v");
    }
    ca_buf_reset(&canon); ca_buf_reset(&query); ca_buf_reset(&sts); ca_buf_reset(&auth);
    r.nheaders = 30; r.nquery = 0;
    expect_ok("ACS3 many headers rc", ca_acs3_sign(&cr, &r, &canon, &query, &sts, &auth));
    expect_int("ACS3 many headers sorted", strstr(canon.p, "x-acs-long-00:v\nx-acs-long-01:v\n") != NULL, 1);
    expect_int("ACS3 many headers signed list", strstr(auth.p, "x-acs-long-28;x-acs-long-29,Signature=") != NULL, 1);

    ca_buf_reset(&canon); ca_buf_reset(&query); ca_buf_reset(&sts); ca_buf_reset(&auth);
    r.payload_hash = "E3B0";
    expect_str("ACS3 bad payload hash", ca_acs3_sign(&cr, &r, &canon, &query, &sts, &auth),
               "the payload hash must be 64 lowercase hex characters");
    expect_int("ACS3 bad payload hash: nothing written", (long)auth.len, 0);
    ca_buf_free(&canon); ca_buf_free(&query); ca_buf_free(&sts); ca_buf_free(&auth);
}

/* R1 and R2; a query in the resource; a repeated signed header refused. */
static void test_roa(void) {
    ca_pair h[5], q[3];
    ca_roa_req r;
    ca_buf sts, auth, b;
    unsigned char md[CA_MD5_LEN];
    ca_buf_init(&sts); ca_buf_init(&auth); ca_buf_init(&b);
    set(&h[0], "x-acs-signature-version", "1.0");
    set(&h[1], "Date", "2018-12-04T03:55:31Z");
    set(&h[2], "Accept", "application/octet-stream");
    set(&h[3], "x-acs-signature-method", "HMAC-SHA1");
    set(&h[4], "User-Agent", "not signed");
    memset(&r, 0, sizeof r);
    r.method = "GET"; r.path = "/"; r.path_len = 1;
    r.headers = h; r.nheaders = 5;
    r.ak = "access_key_id"; r.ak_len = 13; r.secret = "access_key_secret"; r.secret_len = 17;
    expect_ok("R1 rc", ca_roa_sign(&cr, &r, &sts, &auth));
    expect_str("R1 string to sign", sts.p,
        "GET\napplication/octet-stream\n\n\n2018-12-04T03:55:31Z\n"
        "x-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\n/");
    expect_str("R1 authorization", auth.p, "acs access_key_id:HKCpm41tJg6b3EYdtGMbNuwALZU=");

    ca_buf_reset(&sts); ca_buf_reset(&auth);
    r.path = ""; r.path_len = 0; r.nheaders = 0;
    r.ak = "ak"; r.ak_len = 2; r.secret = "secret"; r.secret_len = 6;
    ca_roa_sign(&cr, &r, &sts, &auth);
    expect_str("R2 string to sign", sts.p, "GET\n\n\n\n\n");
    expect_str("R2 authorization", auth.p, "acs ak:XGXDWA78AEvx/wmfxKoVCq/afWw=");

    ca_buf_reset(&sts); ca_buf_reset(&auth);
    set(&q[0], "page_size", "10");
    set(&q[1], "name", "a b&c");
    set(&q[2], "empty", "");
    r.path = "/clusters"; r.path_len = 9; r.query = q; r.nquery = 3;
    set(&h[0], "Content-Type", "application/json");
    set(&h[1], "x-acs-Version", " 2015-12-15 ");
    r.nheaders = 2;
    ca_roa_sign(&cr, &r, &sts, &auth);
    expect_str("ROA resource with query", sts.p,
        "GET\n\n\napplication/json\n\nx-acs-version:2015-12-15\n/clusters?empty=&name=a b&c&page_size=10");

    ca_buf_reset(&sts); ca_buf_reset(&auth);
    set(&h[0], "Date", "a");
    set(&h[1], "date", "b");
    expect_str("ROA repeated header", ca_roa_sign(&cr, &r, &sts, &auth), "a signed header is given twice");
    expect_int("ROA repeated header: no authorization", (long)auth.len, 0);

    expect_int("md5 rc", ca_md5(&cr, "", 0, md), 0);
    ca_base64(&b, md, sizeof md);
    expect_str("Content-MD5 of the empty body", b.p, "1B2M2Y8AsgTpgAmY7PhCfg==");
    ca_buf_free(&sts); ca_buf_free(&auth); ca_buf_free(&b);
}

static void test_random(void) {
    unsigned char a[16], b[16], big[CA_NONCE_POOL + 100];
    expect_int("random rc", ca_random(&cr, a, sizeof a), 0);
    ca_random(&cr, b, sizeof b);
    expect_int("two nonces differ", memcmp(a, b, sizeof a) != 0, 1);
    expect_int("random spanning a refill", ca_random(&cr, big, sizeof big), 0);
}

/* A forked child (an nginx worker) must not hand out the nonces its
 * parent will: the pool is wiped in the child (or the pid checked). */
static void test_random_fork(void) {
    unsigned char before[16], parent[16], child[16];
    int fds[2];
    pid_t pid;
    ssize_t got;
    ca_random(&cr, before, sizeof before); /* the pool is filled now */
    if (pipe(fds) != 0) { expect_int("pipe", 0, 1); return; }
    pid = fork();
    if (pid == 0) {
        ca_random(&cr, child, sizeof child);
        if (write(fds[1], child, sizeof child) != (ssize_t)sizeof child) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    got = read(fds[0], child, sizeof child);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    ca_random(&cr, parent, sizeof parent);
    expect_int("child wrote its bytes", (long)got, 16);
    expect_int("child bytes differ from the parent's next bytes", memcmp(parent, child, sizeof child) != 0, 1);
}

static void test_http_closed(void) {
    ca_http h;
    ca_http_result res;
    ca_http_req r;
    memset(&h, 0, sizeof h);
    memset(&r, 0, sizeof r);
    r.method = "GET"; r.url = "http://127.0.0.1:1/";
    ca_http_close(&h); /* closing a never-opened session is fine */
    ca_http_perform(&h, &r, &res);
    expect_int("closed session", res.status, CA_HTTP_CONFIG);
}

static void test_http_check(void) {
    ca_pair h[2];
    char msg[320];
    set(&h[0], "X-A", "1");
    set(&h[1], "X-B", "secret\r\nX-C: 2");
    expect_int("a clean request passes",
               ca_http_check("GET", 3, "http://h/a/../b?x=1", 19, h, 1, msg, sizeof msg) == NULL, 1);
    expect_str("CR LF in a value: the name, not the value",
               ca_http_check("GET", 3, "http://h/", 9, h, 2, msg, sizeof msg),
               "the value of header X-B has a CR, LF or NUL byte");
    set(&h[1], "X:B", "1");
    expect_str("':' in a name", ca_http_check("GET", 3, "http://h/", 9, h, 2, msg, sizeof msg),
               "the header name \"X:B\" is not a token (letters, digits and !#$%&'*+-.^_`|~)");
    expect_str("a method with CR LF", ca_http_check("GET\r\n", 5, "http://h/", 9, h, 0, msg, sizeof msg),
               "the HTTP method \"GET\\x0D\\x0A\" is not a token (letters, digits and !#$%&'*+-.^_`|~)");
    expect_str("a space in the URL (byte 10, past the first 8)",
               ca_http_check("GET", 3, "http://h/x y", 12, h, 0, msg, sizeof msg),
               "the URL has a space or control byte (0x20) at byte 11");
    h[0].v = "a\0b"; h[0].vl = 3;
    expect_str("NUL in a value", ca_http_check("GET", 3, "http://h/", 9, h, 1, msg, sizeof msg),
               "the value of header X-A has a CR, LF or NUL byte");
}

static void expect_field(const char *what, const ca_pair *f, const char *k, const char *v) {
    char got[256], want[256];
    snprintf(got, sizeof got, "%.*s=%.*s", (int)f->kl, f->k, (int)f->vl, f->v);
    snprintf(want, sizeof want, "%s=%s", k, v);
    expect_str(what, got, want);
}

static void test_headers(void) {
    static const char raw[] = "HTTP/1.1 200 OK\r\nX-R: a\r\nContent-Type:  application/json \r\n"
                              "x-r: b\r\n folded\r\nBad Name: x\r\nX-R:c\r\n\r\n";
    ca_fields hs;
    memset(&hs, 0, sizeof hs);
    expect_int("parses", ca_fields_parse(&hs, raw, sizeof raw - 1), 0);
    expect_int("two fields", (long)hs.n, 2);
    if (hs.n == 2) {
        expect_field("lowercase, blanks trimmed", &hs.f[0], "content-type", "application/json");
        expect_field("repeats joined in order", &hs.f[1], "x-r", "a, b, c");
    }
    ca_fields_free(&hs);
}

int main(void) {
    const char *err = ca_crypto_open(&cr);
    if (err) { fprintf(stderr, "%s\n", err); ca_crypto_close(&cr); return 1; }
    test_encode();
    test_canonical_uri();
    test_rpc();
    test_hmac();
    test_sdk();
    test_h5();
    test_acs3();
    test_roa();
    test_random();
    test_random_fork();
    test_http_closed();
    test_http_check();
    test_headers();
    ca_crypto_close(&cr);
    ca_crypto_close(&cr); /* twice: must tolerate */
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
