/* The percent-encoder: only the unreserved set and %XX (uppercase) come
 * out, each byte encoded once, and decoding gives the input back. */
#include "fuzz.h"

static int upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    ca_buf enc, dec;
    size_t i, plain = 0;
    ca_buf_init(&enc);
    ca_buf_init(&dec);
    ca_percent_encode(&enc, s, size);
    FUZZ_CHECK(!enc.failed, "encode allocates");
    for (i = 0; i < enc.len; i++) {
        char c = enc.p[i];
        if (c == '%') {
            FUZZ_CHECK(i + 2 < enc.len, "escape complete");
            FUZZ_CHECK(upper_hex(enc.p[i + 1]) && upper_hex(enc.p[i + 2]), "uppercase hex");
            i += 2;
        } else {
            FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~', "only unreserved bytes stay");
            plain++;
        }
    }
    FUZZ_CHECK(enc.len == plain + 3 * (size - plain), "one escape per encoded byte");
    if (memchr(s, '/', size) == NULL && memchr(s, '\0', size) == NULL) {
        FUZZ_CHECK(ca_percent_decode(&dec, enc.p ? enc.p : "", enc.len) == 0, "decodes");
        FUZZ_CHECK(dec.len == size && (size == 0 || memcmp(dec.p, s, size) == 0), "round trip");
    }
    ca_buf_free(&enc);
    ca_buf_free(&dec);
    return 0;
}
