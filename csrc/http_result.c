/* What a finished transfer's outcome means, told as what the server did:
 * the kind (timeout, network, config) and a message for each way a
 * request ends; the caps' messages are the ones the ngx transport repeats
 * (transport/ngx_read.lua). */
#include "http_int.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* What a callback's refusal (CURLE_WRITE_ERROR) or a cap libcurl applied
 * means. */
static void stopped(ca_http *h, ca_http_result *res, CURLcode rc) {
    char msg[160];
    if (rc == CURLE_FILESIZE_EXCEEDED || h->stop == CA_STOP_BODY) {
        snprintf(msg, sizeof msg, "the response body is over the %zu-byte limit (max_body)", h->max_body);
    } else if (h->stop == CA_STOP_HEADERS) {
        snprintf(msg, sizeof msg, "the response headers are over the %d-byte limit", CA_HTTP_MAX_HEADER_BYTES);
    } else if (h->stop == CA_STOP_INFORMATIONAL) {
        snprintf(msg, sizeof msg, "the server sent more than %d informational (1xx) answers",
                 CA_HTTP_MAX_INFORMATIONAL);
    } else if (rc == CURLE_OUT_OF_MEMORY && !h->headers_ended) {
        /* libcurl refuses to buffer a header line over its bound, silently */
        snprintf(msg, sizeof msg, "a response header line is over the %d-byte limit", CA_HTTP_MAX_HEADER_LINE);
    } else {
        snprintf(msg, sizeof msg, "out of memory while reading the response");
    }
    ca_http_fail(res, CA_HTTP_NETWORK, msg);
}

void ca_http_result_of(ca_http *h, ca_http_result *res) {
    CURL *e = (CURL *)h->easy;
    CURLcode rc = (CURLcode)h->rc;
    long req_size = 0;
    const char *detail;
    char msg[320];

    ca_http_end(h);
    h->last_body = h->body.len;
    res->status = CA_HTTP_OK;
    res->code = 0;
    res->message[0] = '\0';
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &req_size);
    res->maybe_sent = req_size > 0;
    detail = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OK:
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &res->code);
        /* libcurl takes a status line and a close for a whole answer */
        if (!h->headers_ended)
            ca_http_fail(res, CA_HTTP_NETWORK, "the server closed the connection before the end of the response headers");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        ca_http_fail(res, CA_HTTP_TIMEOUT, detail);
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        if (h->read_timed_out) {
            snprintf(msg, sizeof msg, "read timeout: no data for %ld ms", h->read_ms);
            ca_http_fail(res, CA_HTTP_TIMEOUT, msg);
        } else {
            ca_http_fail(res, CA_HTTP_NETWORK, detail);
        }
        break;
    case CURLE_URL_MALFORMAT:
        ca_http_fail(res, CA_HTTP_CONFIG, detail);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        if (req_size > 0) { /* "Received HTTP/0.9 when not allowed": garbage for a status line */
            snprintf(msg, sizeof msg, "the server's answer is not HTTP (%s)", detail);
            ca_http_fail(res, CA_HTTP_NETWORK, msg);
        } else {
            ca_http_fail(res, CA_HTTP_CONFIG, detail);
        }
        break;
    case CURLE_WEIRD_SERVER_REPLY:
        snprintf(msg, sizeof msg, "the server's answer is not valid HTTP (%s)", detail);
        ca_http_fail(res, CA_HTTP_NETWORK, msg);
        break;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_OUT_OF_MEMORY:
        stopped(h, res, rc);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        res->maybe_sent = 0;
        if (!ca_http_fd_error(msg, sizeof msg, h->socket_errno)) snprintf(msg, sizeof msg, "%s", detail);
        ca_http_fail(res, CA_HTTP_NETWORK, msg);
        break;
    default:
        if (strncmp(detail, "Too large response headers", 26) == 0) { /* libcurl's bound */
            h->stop = CA_STOP_HEADERS;
            stopped(h, res, rc);
        } else {
            ca_http_fail(res, CA_HTTP_NETWORK, detail);
        }
    }
}
