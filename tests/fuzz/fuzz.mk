# libFuzzer targets (tests/fuzz/), included by the Makefile.
#
#   make fuzz            builds every target into $(BUILD)/fuzz/fuzz_NAME
#   make fuzz-NAME       builds one
#   make fuzz-long       bench/fuzz.sh: every target for FUZZ_TIME (default 1h) each
#
# A target NAME is tests/fuzz/fuzz_NAME.c and a snippet tests/fuzz/fuzz_NAME.mk that says
# what it links (docs/testing.md, "Fuzzing"):
#     FUZZ_TARGETS += NAME
#     FUZZ_SRCS_NAME := host .c files besides tests/fuzz/fuzz_NAME.c
#     FUZZ_LIBS_NAME := -l flags
#     FUZZ_MAXLEN_NAME := libFuzzer's -max_len
# Its seeds are in tests/fuzz/corpus/NAME/, the inputs that once failed in
# tests/fuzz/regressions/NAME/. tests/static/fuzz.sh runs each briefly; bench/fuzz.sh for
# hours. Every target is built from source in one clang command (no objects shared with
# the host build: these are compiled with the fuzzer's coverage instrumentation).

FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc -Iinclude
FUZZ_TARGETS :=
include $(sort $(wildcard tests/fuzz/fuzz_*.mk))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

# fuzz_NAME depends on its sources, every header under src/ and include/ (a clang build
# of a few files does not track its own), and its snippet.
FUZZ_HDRS := $(shell find src include -name '*.h')
define FUZZ_RULE
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) tests/fuzz/fuzz_$(1).mk $$(FUZZ_HDRS)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $$(FUZZ_LIBS_$(1)) -o $$@
fuzz-$(1): $(BUILD)/fuzz/fuzz_$(1)
.PHONY: fuzz-$(1)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

# The targets and their -max_len, one "NAME MAXLEN" a line, for the scripts that run them.
fuzz-list:
	@$(foreach t,$(FUZZ_TARGETS),echo '$(t) $(FUZZ_MAXLEN_$(t))';)

fuzz: $(FUZZ_BINS)
.PHONY: fuzz fuzz-list

# Long runs (bench/fuzz.sh): make fuzz-long FUZZ_TIME=4h [FUZZ_JOBS=2] [FUZZ_ONLY="NAME..."]
FUZZ_TIME ?= 1h
FUZZ_JOBS ?= 1
fuzz-long:
	bench/fuzz.sh --time $(FUZZ_TIME) --jobs $(FUZZ_JOBS) $(FUZZ_ONLY)
.PHONY: fuzz-long
