/*
 * Reads attestation reports the way SEV-SNP guest software does, through Linux's two
 * interfaces, and prints them in hex for the host to verify:
 *
 *   attest sev-guest HEX    /dev/sev-guest SNP_GET_REPORT, then SNP_GET_EXT_REPORT
 *   attest tsm HEX          configfs-tsm: mkdir, inblob, outblob, auxblob, attributes
 *   attest probe            whether the interfaces exist (none: "absent", as on Linux
 *                           without SEV)
 *
 * HEX is the report data (up to 64 bytes). Output lines: "report <hex>", "certs <hex>",
 * and facts about the interface's behaviour.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct snp_guest_request_ioctl {
    uint8_t msg_version;
    uint64_t req_data, resp_data, exitinfo2;
};
struct snp_report_req {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
};
struct snp_ext_report_req {
    struct snp_report_req data;
    uint64_t certs_address;
    uint32_t certs_len;
};
#define SNP_GET_REPORT     _IOWR('S', 0x0, struct snp_guest_request_ioctl)
#define SNP_GET_EXT_REPORT _IOWR('S', 0x2, struct snp_guest_request_ioctl)

static void hexdump(const char *tag, const uint8_t *p, size_t n)
{
    printf("%s ", tag);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    for (; s[0] && s[1] && n < max; s += 2)
        sscanf(s, "%2hhx", &out[n++]);
    return n;
}

static int sev_guest(const uint8_t data[64])
{
    int fd = open("/dev/sev-guest", O_RDWR);
    if (fd < 0) {
        printf("open /dev/sev-guest: %s\n", strerror(errno));
        return 1;
    }
    struct snp_report_req req = {.vmpl = 0};
    memcpy(req.user_data, data, 64);
    static uint8_t resp[4000];
    struct snp_guest_request_ioctl io = {.msg_version = 1, .req_data = (uintptr_t)&req,
                                         .resp_data = (uintptr_t)resp};
    if (ioctl(fd, SNP_GET_REPORT, &io) < 0) {
        printf("SNP_GET_REPORT: %s\n", strerror(errno));
        return 1;
    }
    uint32_t status, size;
    memcpy(&status, resp, 4);
    memcpy(&size, resp + 4, 4);
    printf("status %u size %u\n", status, size);
    hexdump("report", resp + 32, size);

    io.msg_version = 0;
    printf("msg_version 0: %s\n", ioctl(fd, SNP_GET_REPORT, &io) < 0 ? strerror(errno) : "ok");
    req.vmpl = 4;
    io.msg_version = 1;
    printf("vmpl 4: %s\n", ioctl(fd, SNP_GET_REPORT, &io) < 0 ? strerror(errno) : "ok");
    req.vmpl = 0;

    /* the extended report: first with no room, to learn the size, as tools do */
    static uint8_t certs[16384];
    struct snp_ext_report_req ext = {.data = req, .certs_address = (uintptr_t)certs,
                                     .certs_len = 0};
    io = (struct snp_guest_request_ioctl){.msg_version = 1, .req_data = (uintptr_t)&ext,
                                          .resp_data = (uintptr_t)resp};
    printf("ext, no certs buffer: %s\n", ioctl(fd, SNP_GET_EXT_REPORT, &io) < 0 ? strerror(errno) : "ok");
    ext.certs_len = 4096 + 1;
    printf("ext, unaligned length: %s\n", ioctl(fd, SNP_GET_EXT_REPORT, &io) < 0 ? strerror(errno) : "ok");
    ext.certs_len = 4096;
    int rc = ioctl(fd, SNP_GET_EXT_REPORT, &io);
    if (rc < 0 && errno == EIO && (io.exitinfo2 >> 32) == 1) {
        printf("ext, one page: too small, needs %u bytes\n", ext.certs_len);
        rc = ioctl(fd, SNP_GET_EXT_REPORT, &io);
    }
    if (rc < 0) {
        printf("SNP_GET_EXT_REPORT: %s\n", strerror(errno));
        return 1;
    }
    memcpy(&size, resp + 4, 4);
    hexdump("ext-report", resp + 32, size);
    hexdump("certs", certs, ext.certs_len);
    close(fd);
    return 0;
}

static int put(const char *dir, const char *attr, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, attr);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, p, n);
    int e = errno;
    close(fd);
    errno = e;
    return w == (ssize_t)n ? 0 : -1;
}

static ssize_t get(const char *dir, const char *attr, uint8_t *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, attr);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n, total = 0;
    while ((n = read(fd, buf + total, cap - (size_t)total)) > 0)
        total += n;
    close(fd);
    return total;
}

static int tsm(const uint8_t data[64])
{
    const char *dir = "/sys/kernel/config/tsm/report/cloister-test";
    if (mkdir(dir, 0700) < 0) {
        printf("mkdir: %s\n", strerror(errno));
        return 1;
    }
    static uint8_t buf[20000];
    ssize_t n = get(dir, "provider", buf, sizeof(buf));
    printf("provider: %.*s", (int)(n > 0 ? n : 0), buf);
    n = get(dir, "generation", buf, sizeof(buf));
    printf("generation before: %.*s", (int)(n > 0 ? n : 0), buf);
    static uint8_t big[65];
    printf("inblob of 65 bytes: %s\n", put(dir, "inblob", big, 65) < 0 ? strerror(errno) : "ok");
    printf("inblob of 64 bytes: %s\n", put(dir, "inblob", data, 64) < 0 ? strerror(errno) : "ok");
    n = get(dir, "generation", buf, sizeof(buf));
    printf("generation after: %.*s", (int)(n > 0 ? n : 0), buf);
    printf("privlevel 4: %s\n", put(dir, "privlevel", "4\n", 2) < 0 ? strerror(errno) : "ok");
    n = get(dir, "privlevel_floor", buf, sizeof(buf));
    printf("privlevel_floor: %.*s", (int)(n > 0 ? n : 0), buf);
    printf("read inblob: %s\n", get(dir, "inblob", buf, sizeof(buf)) < 0 ? strerror(errno) : "ok");
    n = get(dir, "outblob", buf, sizeof(buf));
    if (n <= 0) {
        printf("outblob: %s\n", strerror(errno));
        return 1;
    }
    hexdump("report", buf, (size_t)n);
    n = get(dir, "auxblob", buf, sizeof(buf));
    hexdump("certs", buf, n > 0 ? (size_t)n : 0);
    printf("rmdir: %s\n", rmdir(dir) < 0 ? strerror(errno) : "ok");
    printf("gone: %s\n", access(dir, F_OK) < 0 ? strerror(errno) : "still there");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "probe")) {
        printf("/dev/sev-guest: %s\n", access("/dev/sev-guest", F_OK) ? "absent" : "present");
        printf("configfs-tsm: %s\n",
               access("/sys/kernel/config/tsm/report", F_OK) ? "absent" : "present");
        return 0;
    }
    if (argc != 3)
        return 2;
    uint8_t data[64] = {0};
    unhex(argv[2], data, sizeof(data));
    if (!strcmp(argv[1], "sev-guest"))
        return sev_guest(data);
    if (!strcmp(argv[1], "tsm"))
        return tsm(data);
    return 2;
}
