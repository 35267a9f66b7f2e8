/*
 * hostile_kbs: a "key broker" that answers the shim's requests with malformed or
 * malicious HTTP, to show that the shim's client (src/shim/tee/http.c, tee/kbs_client.c) refuses
 * each one cleanly: the launch stops with one line, the VM never crashes or hangs.
 *
 *   hostile_kbs MODE     prints "port N" on stdout, then serves until killed
 *
 * Each connection gets the same treatment; a mode decides what the answer to the
 * first request (POST /kbs/v0/auth) is, or, for the modes named after a later step,
 * plays a well-formed exchange up to that step.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *mode;

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

/* n bytes of c: large bodies and endless headers */
static void send_fill(int fd, char c, size_t n)
{
    char buf[4096];
    memset(buf, c, sizeof(buf));
    while (n) {
        size_t k = n < sizeof(buf) ? n : sizeof(buf);
        if (send(fd, buf, k, MSG_NOSIGNAL) <= 0)
            return;
        n -= k;
    }
}

/* Reads one request (head, then the body its Content-Length announces). 0 at the end. */
static int read_request(int fd, char *path, size_t cap)
{
    static char buf[1 << 16];
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        if (got == sizeof(buf) - 1)
            return 0;
        ssize_t k = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
        if (k <= 0)
            return 0;
        got += (size_t)k;
        buf[got] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strcasestr(buf, "\r\ncontent-length:");
    size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0;
    size_t have = got - (size_t)(end + 4 - buf);
    while (have < body) {
        char sink[4096];
        ssize_t k = recv(fd, sink, sizeof(sink), 0);
        if (k <= 0)
            return 0;
        have += (size_t)k;
    }
    sscanf(buf, "%*s %1023s", path);
    (void)cap;
    return 1;
}

static void answer_json(int fd, const char *json)
{
    char head[256];
    snprintf(head, sizeof(head),
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             "Set-Cookie: kbs-session-id=0123456789abcdef0123456789abcdef; Path=/kbs/v0\r\n"
             "Content-Length: %zu\r\n\r\n",
             strlen(json));
    send_str(fd, head);
    send_str(fd, json);
}

static const char good_nonce[] =
    "{\"nonce\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\",\"extra-params\":\"\"}";

/* The answer to a resource request in the jwe-* modes. */
static void answer_resource(int fd)
{
    if (!strcmp(mode, "jwe-garbage")) {
        answer_json(fd, "{\"protected\":\"!!!\",\"encrypted_key\":\"\",\"iv\":\"\","
                        "\"ciphertext\":\"\",\"tag\":\"\"}");
    } else if (!strcmp(mode, "jwe-wrong-key")) {
        /* well-formed, but encrypted to nobody's key: the tag cannot verify */
        answer_json(fd, "{\"protected\":\""
                        "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00iLCJlcGsiOnsiY3J2Ijoi"
                        "UC0yNTYiLCJrdHkiOiJFQyIsIngiOiJPQTZHbGd0S1JyNzlPS2h0VUJWdVk2SEp2TE9QNU1D"
                        "LUlGcG1YSlh2RF8wIiwieSI6IjdwX1Y0R3BIdTQ0UjM0MWs4WGZ6RWdnSkw3TS1femhfTDAz"
                        "aFVrR1hSUXMifX0\",\"encrypted_key\":\""
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
                        "\"iv\":\"AAAAAAAAAAAAAAAA\",\"ciphertext\":\"AAAA\","
                        "\"tag\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
    } else { /* jwe-huge: 3 MiB of ciphertext, past any sane bound */
        const size_t n = 3u << 20;
        char head[256];
        const char *pre = "{\"protected\":\"e30\",\"encrypted_key\":\"\",\"iv\":\"\","
                          "\"ciphertext\":\"";
        const char *post = "\",\"tag\":\"\"}";
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                 strlen(pre) + n + strlen(post));
        send_str(fd, head);
        send_str(fd, pre);
        send_fill(fd, 'A', n);
        send_str(fd, post);
    }
}

static void serve(int fd)
{
    char path[1024] = "";
    if (!strcmp(mode, "close"))
        return;
    if (!strcmp(mode, "silent")) { /* the monitor's socket timeout must end it */
        sleep(30);
        return;
    }
    while (read_request(fd, path, sizeof(path))) {
        if (!strcmp(mode, "huge-length")) {
            send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n{");
            send_fill(fd, 'A', 1 << 20);
            return;
        } else if (!strcmp(mode, "endless-header")) {
            send_str(fd, "HTTP/1.1 200 OK\r\nX-Pad: ");
            send_fill(fd, 'A', 1 << 20);
            return;
        } else if (!strcmp(mode, "bad-status")) {
            send_str(fd, "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}");
        } else if (!strcmp(mode, "chunked")) {
            send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "2\r\n{}\r\n0\r\n\r\n");
        } else if (!strcmp(mode, "short-body")) {
            send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"nonce\":");
            return;
        } else if (!strcmp(mode, "no-nonce")) {
            answer_json(fd, "{\"nonc\":\"x\"}");
        } else if (!strcmp(mode, "huge-nonce")) {
            char *json = malloc(300000);
            memcpy(json, "{\"nonce\":\"", 10);
            memset(json + 10, 'A', 299980);
            strcpy(json + 299990, "\"}");
            answer_json(fd, json);
            free(json);
        } else if (!strcmp(mode, "cookie-injection")) {
            send_str(fd, "HTTP/1.1 200 OK\r\nSet-Cookie: kbs-session-id=ab\nX-Evil: 1\r\n"
                         "Content-Length: 0\r\n\r\n");
        } else if (!strcmp(path, "/kbs/v0/auth")) {
            answer_json(fd, good_nonce);
        } else if (!strcmp(path, "/kbs/v0/attest")) {
            answer_json(fd, "{\"token\":\"x.y.z\"}");
        } else {
            answer_resource(fd);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hostile_kbs MODE\n");
        return 2;
    }
    mode = argv[1];
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0) {
        perror("hostile_kbs");
        return 1;
    }
    printf("port %u\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        serve(c);
        close(c);
    }
}
