FUZZ_TARGETS += cwi_read
FUZZ_SRCS_cwi_read := src/image/cwi_read.c src/image/manifest.c src/image/net_decl.c src/image/file_tree.c src/common/md.c src/common/error_line.c
FUZZ_LIBS_cwi_read := -lcrypto
FUZZ_MAXLEN_cwi_read := 300000
