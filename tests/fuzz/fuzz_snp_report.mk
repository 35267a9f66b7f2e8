FUZZ_TARGETS += snp_report
FUZZ_SRCS_snp_report := src/verify/snp_report.c src/common/error_line.c
FUZZ_LIBS_snp_report := -lcrypto
FUZZ_MAXLEN_snp_report := 2000
