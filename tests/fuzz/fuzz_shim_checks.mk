FUZZ_TARGETS += shim_checks
FUZZ_SRCS_shim_checks := src/shim/kernel/host_checks.c
FUZZ_LIBS_shim_checks :=
FUZZ_MAXLEN_shim_checks := 512
