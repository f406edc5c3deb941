/* base64 and hex: padded standard base64 that OpenSSL decodes back to the
 * input, lowercase hex of twice the length that parses back. */
#include "fuzz.h"

#include <openssl/evp.h>

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ca_buf b64, hex;
    unsigned char *back;
    size_t i;
    int n;
    if (size > 1 << 20) return 0;
    ca_buf_init(&b64);
    ca_buf_init(&hex);
    ca_base64(&b64, data, size);
    FUZZ_CHECK(b64.len == 4 * ((size + 2) / 3), "padded length");
    back = (unsigned char *)malloc(b64.len + 1);
    FUZZ_CHECK(back != NULL, "memory");
    n = EVP_DecodeBlock(back, (const unsigned char *)(b64.p ? b64.p : ""), (int)b64.len);
    /* EVP_DecodeBlock keeps the padding's zero bytes: count them off */
    if (size % 3) n -= 3 - (int)(size % 3);
    FUZZ_CHECK(n == (int)size && (size == 0 || memcmp(back, data, size) == 0), "base64 round trip");
    free(back);
    ca_hex(&hex, data, size);
    FUZZ_CHECK(hex.len == 2 * size, "two digits a byte");
    for (i = 0; i < size; i++) {
        int hi = hexval(hex.p[2 * i]), lo = hexval(hex.p[2 * i + 1]);
        FUZZ_CHECK(hi >= 0 && lo >= 0 && (unsigned char)(hi * 16 + lo) == data[i], "hex round trip");
    }
    ca_buf_free(&b64);
    ca_buf_free(&hex);
    return 0;
}
