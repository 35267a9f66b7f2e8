# Cloister: one non-recursive Makefile.
#
#   make                 release build: $(BUILD)/cloister with the shim embedded
#   make SANITIZE=1      host code under ASan+UBSan (into build-asan/ by default)
#   make check           the whole test suite (release, then sanitized host code)
#
# Two flag sets: HOST_* for the monitor, library and command (ordinary Linux C), and
# SHIM_* for the guest kernel, which is freestanding and must obey docs/platform.md:
# general registers only, no red zone, no string instructions (the PVM ring-0 emulator
# runs `rep movs` one iteration at a time and lacks SSE, POPCNT, BMI...).

# A bare `make` builds the command (the first rule below would otherwise be the vDSO's).
.DEFAULT_GOAL := all

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build-asan
else
BUILD ?= build
endif

CC      ?= gcc
BEARSSL_DIR ?= third_party/bearssl
HOST_CC ?= $(CC)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
               -Iinclude -Isrc -MMD -MP -D_GNU_SOURCE -DCLOISTER_VERSION='"$(VERSION)"'
# Linked statically: resolving libcrypto's relocations at every start costs ~2.5 ms,
# half of cloister's start-up budget (docs/performance.md).
HOST_LDLIBS := -Wl,-Bstatic -lcrypto -ljansson -lseccomp -Wl,-Bdynamic -lpthread -ldl
ifeq ($(SANITIZE),1)
HOST_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
HOST_LDFLAGS += -fsanitize=address,undefined
endif

SHIM_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
               -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) -fno-pic -fno-pie -mcmodel=kernel \
               -march=x86-64 -mtune=generic -mgeneral-regs-only -mno-red-zone \
               -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
               -fno-tree-loop-distribute-patterns -mstringop-strategy=loop \
               -fno-omit-frame-pointer -Iinclude -Isrc/shim -I$(BEARSSL_DIR)/inc -Isrc/shim/lib/libc -MMD -MP \
               -DCLOISTER_SHIM_VERSION='"$(VERSION)"'
SHIM_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
                -Wl,-z,noexecstack -T $(BUILD)/shim/shim.ld

# ---- the shim (guest kernel) ----
# Every .c and .S under src/shim, in its folders (docs/architecture.md has the map), but
# the vDSO's own code: that is user-mode code, built into $(VDSO_SO) below.
SHIM_SRCS := $(filter-out src/shim/vdso/vdso.c,$(sort $(shell find src/shim -name '*.c' -o -name '*.S')))
SHIM_OBJS := $(patsubst src/shim/%,$(BUILD)/shim/%.o,$(SHIM_SRCS))
SHIM_ELF  := $(BUILD)/shim/shim.elf
SHIM_BIN  := $(BUILD)/shim/shim.bin

$(BUILD)/shim/%.c.o: src/shim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -c $< -o $@
$(BUILD)/shim/%.S.o: src/shim/%.S
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -D__ASSEMBLY__ -c $< -o $@
# The vDSO: user-mode code, a tiny position-independent shared object with no
# relocations, embedded in the shim (src/shim/vdso/vdso_blob.S).
VDSO_SO := $(BUILD)/shim/vdso.so
$(VDSO_SO): src/shim/vdso/vdso.c src/shim/vdso/vvar.h src/shim/vdso/vdso.lds src/shim/vdso/vdso.ver
	@mkdir -p $(dir $@)
	$(CC) -O2 -fPIC -shared -nostdlib -ffreestanding -fno-builtin -fno-stack-protector \
	    -fcf-protection=none -Wall -Wextra -Werror -Wno-unused-parameter -Isrc/shim/vdso \
	    -Wl,-T,src/shim/vdso/vdso.lds -Wl,--version-script=src/shim/vdso/vdso.ver \
	    -Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both -Wl,--build-id=none \
	    -Wl,-z,max-page-size=4096 $< -o $@
$(BUILD)/shim/vdso/vdso_blob.S.o: $(VDSO_SO)
$(BUILD)/shim/vdso/vdso_blob.S.o: SHIM_CFLAGS += -DVDSO_SO_PATH='"$(VDSO_SO)"'

# BearSSL, from Debian's source package (scripts/fetch-bearssl), built with the shim's
# flags: only the parts the shim uses, never the SSE/AES-NI/PCLMUL variants. The second
# half is the TLS client for pinned key brokers (src/shim/tee/tls_client.c).
BEARSSL_SRCS := hash/sha2small.c hash/sha2big.c hash/ghash_ctmul64.c mac/hmac.c \
                rand/hmac_drbg.c ec/ec_keygen.c ec/ec_pubkey.c ec/ec_p256_m31.c \
                symcipher/aes_ct64.c symcipher/aes_ct64_enc.c symcipher/aes_ct64_dec.c \
                symcipher/aes_ct64_ctr.c symcipher/aes_ct64_cbcdec.c aead/gcm.c \
                codec/dec32be.c codec/enc32be.c codec/dec32le.c codec/enc32le.c \
                codec/dec64be.c codec/enc64be.c codec/dec64le.c codec/enc64le.c codec/ccopy.c \
                ssl/ssl_client.c ssl/ssl_engine.c ssl/ssl_hs_client.c ssl/ssl_io.c \
                ssl/ssl_rec_gcm.c ssl/prf.c ssl/prf_sha256.c ssl/prf_sha384.c hash/multihash.c \
                x509/x509_decoder.c ec/ecdsa_i31_vrfy_asn1.c ec/ecdsa_i31_vrfy_raw.c \
                ec/ecdsa_atr.c ec/ecdsa_i31_bits.c rsa/rsa_i31_pkcs1_vrfy.c rsa/rsa_i31_pub.c \
                rsa/rsa_pkcs1_sig_unpad.c ec/ec_secp256r1.c ec/ec_secp384r1.c ec/ec_secp521r1.c \
                ec/ec_all_m31.c ec/ec_prime_i31.c ec/ec_c25519_m31.c \
                int/i31_decode.c int/i31_decmod.c int/i31_encode.c int/i31_fmont.c \
                int/i31_iszero.c int/i31_modpow.c int/i31_modpow2.c int/i31_montmul.c \
                int/i31_ninv31.c int/i31_rshift.c int/i31_sub.c int/i31_bitlen.c \
                int/i31_muladd.c int/i31_tmont.c int/i31_add.c int/i32_div32.c
BEARSSL_OBJS := $(patsubst %.c,$(BUILD)/shim/bearssl/%.o,$(BEARSSL_SRCS))
BEARSSL_CFLAGS := $(filter-out -Wshadow,$(SHIM_CFLAGS)) -I$(BEARSSL_DIR)/inc -I$(BEARSSL_DIR)/src \
                  -Isrc/shim/lib/libc -DBR_AES_X86NI=0 -DBR_SSE2=0 -DBR_POWER8=0 -DBR_RDRAND=0 \
                  -DBR_USE_URANDOM=0 -DBR_USE_UNIX_TIME=0 -DBR_64=1 -DBR_INT128=1
$(BEARSSL_DIR)/src/hash/sha2small.c:
	@echo "BearSSL's source is missing: run scripts/fetch-bearssl (or scripts/install-deps)" >&2
	@exit 1
$(BUILD)/shim/bearssl/%.o: $(BEARSSL_DIR)/src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BEARSSL_CFLAGS) -c $< -o $@
$(SHIM_OBJS): | $(BEARSSL_DIR)/src/hash/sha2small.c

# the linker script goes through cpp: it builds the IDT with a macro, and takes the
# shim's address from abi.h, the one place the monitor's page tables take it from too
$(BUILD)/shim/shim.ld: src/shim/arch/x86/shim.ld.in include/cloister/abi.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ -include include/cloister/abi.h \
	    -DCL_KERNEL_BASE_LD=CL_KERNEL_BASE -DCL_GPA_SHIM_LD=CL_GPA_SHIM $< -o $@
$(SHIM_ELF): $(SHIM_OBJS) $(BEARSSL_OBJS) $(BUILD)/shim/shim.ld
	$(CC) $(SHIM_LDFLAGS) $(SHIM_OBJS) $(BEARSSL_OBJS) -o $@
$(SHIM_BIN): $(SHIM_ELF)
	objcopy -O binary --remove-section .bss $< $@
	truncate -s %4096 $@

# ---- host library (docs/architecture.md, "The host side") and the command ----
HOST_DIRS := common image seal launch verify simtee kbs vmm
LIB_SRCS := $(sort $(foreach d,$(HOST_DIRS),$(wildcard src/$(d)/*.c)))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/host/%.o,$(LIB_SRCS)) $(BUILD)/host/seal/shim_blob.o
LIB_A    := $(BUILD)/libcloister.a
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
CLI_OBJS := $(patsubst src/%.c,$(BUILD)/host/%.o,$(CLI_SRCS))
CLOISTER := $(BUILD)/cloister

$(BUILD)/host/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/host/seal/shim_blob.o: src/seal/shim_blob.S $(SHIM_BIN)
	@mkdir -p $(dir $@)
	$(HOST_CC) -c -DSHIM_BIN_PATH='"$(SHIM_BIN)"' $< -o $@
$(LIB_A): $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^
$(CLOISTER): $(CLI_OBJS) $(LIB_A)
	$(HOST_CC) $(HOST_LDFLAGS) $(CLI_OBJS) $(LIB_A) $(HOST_LDLIBS) -o $@

# ---- unit tests (host side), one program per tests/unit/test_*.c ----
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(LIB_A)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Itests/unit $< $(LIB_A) $(HOST_LDLIBS) -o $@

# ---- test tools (host programs the harness uses), one per tests/tools/*.c ----
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) $< $(LIB_A) $(HOST_LDLIBS) -o $@

# ---- the lying monitor (docs/iago.md): for tests only, never the release command ----
# The monitor's own objects again with -DCLOISTER_IAGO, linked with the rest as released
# into $(IAGO); CLOISTER_IAGO=KIND[,KIND] picks its lies at run time.
IAGO := $(BUILD)/tests/cloister-iago
IAGO_VMM_OBJS := $(patsubst src/%.c,$(BUILD)/iago/%.o,$(sort $(wildcard src/vmm/*.c)))
$(BUILD)/iago/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -DCLOISTER_IAGO -c $< -o $@
$(IAGO): $(CLI_OBJS) $(IAGO_VMM_OBJS) $(filter-out $(BUILD)/host/vmm/%,$(LIB_OBJS))
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_LDFLAGS) $^ $(HOST_LDLIBS) -o $@
unit: $(IAGO)
-include $(IAGO_VMM_OBJS:.o=.d)

# ---- hostile raw guests: flat images that take the shim's place (tests/hostile/README.md) ----
# linked where the shim runs: CL_KERNEL_BASE + CL_GPA_SHIM (include/cloister/abi.h)
HOSTILE_SRCS := $(sort $(wildcard tests/hostile/*.S))
HOSTILE_BINS := $(patsubst tests/hostile/%.S,$(BUILD)/tests/hostile/%.bin,$(HOSTILE_SRCS))
$(BUILD)/tests/hostile/%.bin: tests/hostile/%.S $(wildcard tests/hostile/*.h) include/cloister/abi.h
	@mkdir -p $(dir $@)
	gcc -c -D__ASSEMBLY__ -Iinclude -Itests/hostile $< -o $@.o
	ld -nostdlib -static -Ttext=0xffffffff80800000 -e _start --oformat binary $@.o -o $@
	rm -f $@.o

# ---- test workloads: each tests/progs/*.c built four ways ----
PROG_SRCS := $(sort $(wildcard tests/progs/*.c))
PROG_NAMES := $(patsubst tests/progs/%.c,%,$(PROG_SRCS))
PROG_CFLAGS := -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter
PROGS := $(foreach n,$(PROG_NAMES),$(BUILD)/progs/musl/$(n) $(BUILD)/progs/musl-pie/$(n) \
           $(BUILD)/progs/glibc/$(n) $(BUILD)/progs/glibc-pie/$(n))
$(BUILD)/progs/musl/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	musl-gcc $(PROG_CFLAGS) -static -no-pie $< -o $@
# Debian's musl-gcc wrapper always names a dynamic linker, so static PIE is linked by
# hand: musl's rcrt1.o (self-relocating start) and no PT_INTERP.
MUSL_LIB := /usr/lib/x86_64-linux-musl
GCC_LIB   = $(dir $(shell gcc -print-libgcc-file-name))
$(BUILD)/progs/musl-pie/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	gcc $(PROG_CFLAGS) -fPIE -nostdinc -isystem /usr/include/x86_64-linux-musl \
	    -isystem $(GCC_LIB)include -c $< -o $@.o
	gcc -static-pie -nostdlib $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $(GCC_LIB)crtbeginS.o \
	    $@.o -L$(MUSL_LIB) -lc $(GCC_LIB)libgcc.a $(GCC_LIB)crtendS.o $(MUSL_LIB)/crtn.o -o $@
	rm -f $@.o
$(BUILD)/progs/glibc/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	gcc $(PROG_CFLAGS) -static -no-pie $< -o $@
$(BUILD)/progs/glibc-pie/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	gcc $(PROG_CFLAGS) -static-pie -fpie $< -o $@

# ---- dynamically linked test programs (issue 4): built with Debian's gcc and glibc ----
DYN_DIR := $(BUILD)/dyn
$(DYN_DIR)/libplugin.so: tests/dyn/plugin.c
	@mkdir -p $(dir $@)
	gcc -O1 -g -Wall -Wextra -Werror -fPIC -shared $< -o $@
$(DYN_DIR)/dlopen_main: tests/dyn/dlopen_main.c
	@mkdir -p $(dir $@)
	gcc -O1 -g -Wall -Wextra -Werror $< -o $@ -ldl
progs: $(DYN_DIR)/libplugin.so $(DYN_DIR)/dlopen_main

# ---- the README's demo ----
$(BUILD)/examples/hello: examples/hello.c
	@mkdir -p $(dir $@)
	musl-gcc -O2 -static $< -o $@

# libcloister embedded in a program of its own (examples/embed.c)
EMBED := $(BUILD)/examples/embed
$(EMBED): examples/embed.c include/cloister/cloister.h $(LIB_A)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) $< $(LIB_A) $(HOST_LDLIBS) -o $@
examples: $(BUILD)/examples/hello $(EMBED)

# Without a usable /dev/kvm the demo runs in a nested QEMU machine (docs/testing.md).
demo: $(CLOISTER) $(BUILD)/examples/hello
	@if [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null; then \
	    echo "$(CLOISTER) run --stats $(BUILD)/examples/hello"; \
	    $(CLOISTER) run --stats $(BUILD)/examples/hello; \
	else \
	    echo "demo: this machine has no usable /dev/kvm: running the demo in a nested QEMU machine (docs/testing.md)"; \
	    tests/nested/vm -- $(CLOISTER) run --stats $(BUILD)/examples/hello; \
	fi

.PHONY: all progs unit examples demo check format clean
all: $(CLOISTER)
progs: $(PROGS)
unit: $(UNIT_BINS) $(TOOL_BINS) $(HOSTILE_BINS)

include tests/fuzz/fuzz.mk

# The README's test command. Runs the suite on the release build, then the host-side
# parts again under ASan+UBSan (the shim is the same bytes in both).
# The builds use every core (a plain `make check` would otherwise build serially).
JOBS ?= $(shell nproc)
check:
	$(MAKE) -j$(JOBS) all progs unit examples
	$(MAKE) -j$(JOBS) SANITIZE=1 all unit examples
	tests/run --build build --asan-build build-asan

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan

-include $(SHIM_OBJS:.o=.d) $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_BINS:=.d) $(TOOL_BINS:=.d)
