/*
 * The Cloister workload image (.cwi): on-disk layout.
 *
 * Shared by the host (writer, reader, monitor) and the shim, which parses the manifest
 * and the file index itself because it does not trust the host that delivers them.
 * Freestanding: fixed-width integers only, all little-endian, no pointers.
 *
 *   offset 0       struct cwi_header
 *   128            struct cwi_section[section_count]
 *   ...            the sections, in ascending offset order, never overlapping;
 *                  SHIM, FILE_INDEX, CHUNK_HASHES and FILE_DATA start on a 4 KiB boundary
 *
 * Version 2 added the optional NOTES section and, without a version of its own, the
 * SECRET manifest key. Version 3 added the header's table_sha256, so that every byte a
 * reader acts on is hashed (a section's type was not), and fixed the SIGNATURE section
 * at exactly CWI_SIGNATURE_SIZE bytes. A reader accepts its own version only.
 *
 * docs/image-format.md describes every field; this header is the normative source.
 * Any change to a layout or a meaning bumps CWI_VERSION.
 */
#ifndef CLOISTER_CWI_H
#define CLOISTER_CWI_H

#include <stdint.h>

#define CWI_MAGIC                                                                                  \
    "\x7f"                                                                                         \
    "CWI\r\n\x1a\n" /* 8 bytes; catches text-mode mangling */
#define CWI_VERSION      3u
#define CWI_HEADER_SIZE  128u
#define CWI_MAX_SECTIONS 8u
#define CWI_ALIGN        4096u

struct cwi_header {
    uint8_t magic[8];       /* CWI_MAGIC */
    uint32_t version;       /* CWI_VERSION */
    uint32_t flags;         /* 0; readers reject unknown bits */
    uint32_t header_size;   /* CWI_HEADER_SIZE */
    uint32_t section_count; /* 1..CWI_MAX_SECTIONS */
    uint64_t file_size;     /* the whole image, in bytes: catches truncation */
    /* SHA-256 of the section table, section_count * 56 bytes from offset 128: each
     * section's type, flags, offset, length and hash. With the header's exact values and
     * the sections' own hashes, no byte of an image goes unchecked. */
    uint8_t table_sha256[32];
    uint8_t reserved[64]; /* 0 */
};

enum cwi_section_type {
    CWI_SEC_MANIFEST = 1,     /* canonical manifest records (below) */
    CWI_SEC_SHIM = 2,         /* the shim image (starts with struct cl_shim_header) */
    CWI_SEC_FILE_INDEX = 3,   /* struct cwi_index_header, entries, strings */
    CWI_SEC_CHUNK_HASHES = 4, /* SHA-256 of every file chunk, 32 bytes each */
    CWI_SEC_FILE_DATA = 5,    /* file contents, each file starting on a 4 KiB boundary */
    CWI_SEC_SIGNATURE = 6,    /* optional: SEV-SNP ID block + ID_AUTH_INFO (launch/id_block.h),
                               * exactly CWI_SIGNATURE_SIZE bytes; hashed, not measured: it
                               * signs the launch digest */
    CWI_SEC_NOTES = 7,        /* optional: text for people (what build collected and why);
                               * hashed like every section, never measured or used at run */
};

/* The SIGNATURE section: the 0x60-byte ID block, then the 0x1000-byte ID_AUTH_INFO. */
#define CWI_SIGNATURE_SIZE 0x1060u

struct cwi_section {
    uint32_t type;  /* enum cwi_section_type; each at most once */
    uint32_t flags; /* 0 */
    uint64_t offset;
    uint64_t length;
    uint8_t sha256[32]; /* of the section's bytes */
};

/*
 * The manifest: a sequence of records, each a struct cwi_record then `length` value
 * bytes, then zero padding to a multiple of 8. Keys appear in ascending order; ARG, ENV
 * and SECRET may repeat (adjacent, in order); every other key exactly once. A reader
 * rejects unknown keys, out-of-order keys and bad lengths. Strings are raw bytes
 * without a terminating NUL and contain no NUL. Integers are little-endian.
 * Canonical: one configuration has exactly one encoding, so it measures the same.
 */
struct cwi_record {
    uint16_t key;      /* enum cwi_key */
    uint16_t reserved; /* 0 */
    uint32_t length;   /* bytes of value */
};

enum cwi_key {
    CWI_KEY_ENTRY = 1,          /* string: absolute path of the program in the image (required) */
    CWI_KEY_ARG = 2,            /* string: argv[i], in order; argv[0] included */
    CWI_KEY_ENV = 3,            /* string: "NAME=value" */
    CWI_KEY_CWD = 4,            /* string: absolute working directory; default "/" */
    CWI_KEY_MEM_SIZE = 5,       /* u64: guest RAM in bytes, a multiple of 2 MiB (required) */
    CWI_KEY_VCPUS = 6,          /* u32: vCPUs, 1..64 (required) */
    CWI_KEY_TMPFS_SIZE = 7,     /* u64: bytes /tmp may hold; 0 = no /tmp */
    CWI_KEY_EXTRA_ARGS = 8,     /* u8: 1 if `cloister run` may append arguments */
    CWI_KEY_SNP_POLICY = 9,     /* u64: the SEV-SNP guest policy to launch with */
    CWI_KEY_SECRET = 10,        /* string, may repeat: a secret to fetch before the workload
                                 * starts, "HOST:PORT|REPO/TYPE/TAG|file:/run/secrets/NAME" or
                                 * "...|env:NAME" (the key broker, the resource, where it goes),
                                 * then optionally "|sha256:<64 hex>": TLS, and the SHA-256 of
                                 * the broker's certificate (DER) that the shim accepts */
    CWI_KEY_LISTEN = 11,        /* struct cwi_net_decl, may repeat: a port the workload may
                                 * listen on (addr zero, family 0) */
    CWI_KEY_CONNECT = 12,       /* struct cwi_net_decl, may repeat: a destination the workload
                                 * may connect or send to */
    CWI_KEY_MAX_PROCESSES = 13, /* u32: the most processes (pid 1 included, zombies
                                 * included) the workload may have at once, 1..32768;
                                 * fork/clone beyond it fail with EAGAIN */
    CWI_KEY_MAX
};

/* MAX_PROCESSES: the default a build writes (room for a shell pipeline or a server's
 * workers, not for a fork bomb to exhaust the guest), and the most it accepts. An image
 * built before the key existed gets the default from the shim. */
#define CWI_PROCESSES_DEFAULT 1024u
#define CWI_PROCESSES_MAX     32768u

/*
 * The workload's declared network (LISTEN and CONNECT records, docs/network.md): binary,
 * so that the shim checks an address without parsing text. Canonical: the unused bytes
 * (an IPv4 address's last 12, a LISTEN's family and address) are zero, and no record
 * repeats another. Added, like SECRET, without a version of its own: a reader that
 * predates them refuses the unknown keys.
 */
struct cwi_net_decl {
    uint8_t proto;    /* CWI_NET_TCP or CWI_NET_UDP */
    uint8_t family;   /* CONNECT: 4 or 6; LISTEN: 0 */
    uint16_t port;    /* 1..65535, little-endian like every integer here */
    uint8_t addr[16]; /* CONNECT: the IPv4 address in the first 4 bytes, or the IPv6 one */
};
#define CWI_NET_TCP       1u
#define CWI_NET_UDP       2u
#define CWI_NET_MAX_DECLS 64u /* of each kind */
_Static_assert(sizeof(struct cwi_net_decl) == 20, "net declaration layout");

#define CWI_MAX_MANIFEST (1024u * 1024 - 256) /* fits the launch area with its header */
#define CWI_MAX_PATH     4096u
#define CWI_CHUNK_SHIFT  16u /* files are hashed in 64 KiB chunks */
#define CWI_CHUNK_SIZE   (1u << CWI_CHUNK_SHIFT)

/*
 * The file index: the header, entry_count entries sorted by path (bytewise, strictly
 * ascending, so no duplicates), then the strings. Offsets are from the section start.
 * Paths are absolute, "/" or "/a/b" with no empty, "." or ".." component and no
 * trailing "/"; every parent directory has its own entry ("/" is always present).
 */
struct cwi_index_header {
    uint32_t entry_count;
    uint32_t chunk_shift;    /* CWI_CHUNK_SHIFT */
    uint64_t entries_offset; /* sizeof(struct cwi_index_header) */
    uint64_t strings_offset;
    uint64_t strings_size;
};

#define CWI_S_IFMT  0170000u
#define CWI_S_IFDIR 0040000u
#define CWI_S_IFREG 0100000u
#define CWI_S_IFLNK 0120000u

struct cwi_entry {
    uint32_t path_offset; /* into strings */
    uint32_t path_length;
    uint32_t mode;        /* CWI_S_IF* | permission bits (no setuid/setgid/sticky) */
    uint32_t reserved;    /* 0 */
    uint64_t size;        /* regular: content bytes; symlink: target length; dir: 0 */
    uint64_t data_offset; /* regular: offset in FILE_DATA, 4 KiB aligned; symlink: target
                           * offset in strings; dir: 0 */
    uint64_t first_chunk; /* regular: index of its first hash in CHUNK_HASHES; else 0 */
    uint8_t sha256[32];   /* regular: SHA-256 over its chunk hashes (the file's tree
                           * hash; SHA-256 of nothing for an empty file); else 0 */
};

_Static_assert(sizeof(struct cwi_header) == CWI_HEADER_SIZE, "cwi header");
_Static_assert(sizeof(struct cwi_section) == 56, "cwi section");
_Static_assert(sizeof(struct cwi_record) == 8, "cwi record");
_Static_assert(sizeof(struct cwi_index_header) == 32, "cwi index header");
_Static_assert(sizeof(struct cwi_entry) == 72, "cwi entry");

#endif
