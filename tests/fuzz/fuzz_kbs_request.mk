FUZZ_TARGETS += kbs_request
FUZZ_SRCS_kbs_request := src/kbs/kbs_protocol.c src/kbs/kbs_jcs.c src/kbs/kbs_payload.c src/kbs/kbs_resource.c src/kbs/kbs_policy.c src/kbs/kbs_base64.c src/kbs/kbs_jwk.c src/kbs/kbs_primitives.c src/kbs/kbs_jwe.c src/kbs/kbs_jwt.c src/verify/snp_verify.c src/verify/snp_verify_chain.c src/verify/snp_verify_sig.c src/verify/snp_verify_binding.c src/verify/snp_report.c src/verify/amd_roots.c src/verify/amd_sig.c src/common/error_line.c src/common/file_read.c src/common/hex.c src/common/shown.c
FUZZ_LIBS_kbs_request := -lcrypto -ljansson -lpthread
FUZZ_MAXLEN_kbs_request := 16384
