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
    ca_headers hs;
    memset(&hs, 0, sizeof hs);
    expect_int("parses", ca_headers_parse(&hs, raw, sizeof raw - 1), 0);
    expect_int("two fields", (long)hs.n, 2);
    if (hs.n == 2) {
        expect_field("lowercase, blanks trimmed", &hs.f[0], "content-type", "application/json");
        expect_field("repeats joined in order", &hs.f[1], "x-r", "a, b, c");
    }
    ca_headers_free(&hs);
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
