/* The read timeout of a transfer in flight as an idle timeout over bytes:
 * it restarts whenever the connection receives anything. libcurl's
 * callbacks see body bytes at once but header bytes only a whole line at a
 * time, so a server trickling one header line would look silent. When the
 * timer seems to have expired, the socket itself (TCP_INFO's
 * tcpi_last_data_recv) says when it last received data: one system call
 * only then, none per request.
 *
 * libcurl opens its sockets through on_open_socket, which remembers them
 * (to find a transfer's socket) and why one could not be made (out of file
 * descriptors is then reported as such, not as "Couldn't connect"). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* struct tcp_info, SOCK_CLOEXEC */
#endif
#include "http_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <curl/curl.h>

static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a) {
    ca_http *h = (ca_http *)ud;
    int type = a->socktype;
    curl_socket_t fd;
    (void)purpose;
#ifdef SOCK_CLOEXEC
    type |= SOCK_CLOEXEC; /* a child process must not inherit API connections */
#endif
    fd = socket(a->family, type, a->protocol);
    if (fd == CURL_SOCKET_BAD) {
        h->socket_errno = errno;
        return fd;
    }
    h->last_fd = (int)fd;
    if (h->share && (int)fd > h->share->max_fd) h->share->max_fd = (int)fd;
    return fd;
}

void ca_http_watch_sockets(void *easy, ca_http *h) {
    h->last_fd = -1;
    curl_easy_setopt((CURL *)easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt((CURL *)easy, CURLOPT_OPENSOCKETDATA, h);
}

static long port_of(int fd, int peer) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len) : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (rc != 0) return -1;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

static int is_transfer_socket(int fd, long local, long peer) {
    return port_of(fd, 0) == local && port_of(fd, 1) == peer;
}

/* The socket of h's transfer: libcurl tells its ports, not its descriptor
 * (CURLINFO_ACTIVESOCKET is only set once a transfer is done), and a
 * connection from a shared multi's cache may have been opened by another
 * session of the same share. */
static int transfer_socket(ca_http *h) {
    long local = 0, peer = 0;
    int fd, max;
    if (curl_easy_getinfo((CURL *)h->easy, CURLINFO_LOCAL_PORT, &local) != CURLE_OK || local <= 0) return -1;
    if (curl_easy_getinfo((CURL *)h->easy, CURLINFO_PRIMARY_PORT, &peer) != CURLE_OK || peer <= 0) return -1;
    if (h->last_fd >= 0 && is_transfer_socket(h->last_fd, local, peer)) return h->last_fd;
    max = h->share ? h->share->max_fd : h->last_fd;
    for (fd = 0; fd <= max; fd++) {
        if (is_transfer_socket(fd, local, peer)) return fd;
    }
    return -1;
}

/* ms since the transfer's socket last received data, or -1: unknown. */
static long socket_quiet_ms(ca_http *h) {
#if defined(TCP_INFO) && defined(__linux__)
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    int fd = transfer_socket(h);
    if (fd < 0) return -1;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return -1;
    return (long)ti.tcpi_last_data_recv;
#else
    (void)h;
    return -1;
#endif
}

/* The timer starts once the request may be sent (pretransfer) and
 * restarts on every byte moved. */
int ca_http_idle_left(ca_http *h, double now) {
    double idle_ms;
    if (h->read_ms <= 0) return 1000;
    if (h->last_activity == 0) {
        curl_off_t pre = 0;
        if (curl_easy_getinfo((CURL *)h->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK || pre == 0)
            return 20; /* connecting: the connect timeout governs; look again soon */
        h->last_activity = now;
    }
    idle_ms = (now - h->last_activity) * 1000.0;
    if (idle_ms >= (double)h->read_ms) {
        long quiet = socket_quiet_ms(h);
        if (quiet < 0 || quiet >= h->read_ms) return 0;
        /* Bytes came that no callback saw (part of a header line, of a
         * TLS record): the connection was not idle. */
        h->last_activity = now - (double)quiet / 1000.0;
        idle_ms = (double)quiet;
    }
    idle_ms = (double)h->read_ms - idle_ms + 1;
    return idle_ms > 1000 ? 1000 : (int)idle_ms;
}

int ca_http_fd_error(char *msg, size_t msglen, int err) {
    if (err != EMFILE && err != ENFILE) return 0;
    snprintf(msg, msglen, "out of file descriptors (%s): raise the limit (ulimit -n) or lower the concurrency",
             strerror(err));
    return 1;
}
