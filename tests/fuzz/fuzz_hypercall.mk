FUZZ_TARGETS += hypercall
FUZZ_SRCS_hypercall := src/vmm/hypercall.c src/vmm/hc_stdio.c src/vmm/hc_net.c src/vmm/hc_sock.c src/vmm/net_policy.c src/vmm/host_events.c src/vmm/host_signals.c src/vmm/timeout.c src/vmm/hc_cpu.c src/vmm/hc_attest.c src/vmm/vm.c src/simtee/sim_chip.c src/simtee/sim_chip_certs.c src/simtee/sim_chip_ext.c src/simtee/sim_chip_load.c src/simtee/sim_chip_table.c src/simtee/sim_chip_write.c src/simtee/sim_report.c src/verify/snp_report.c src/common/error_line.c src/common/hex.c src/verify/amd_sig.c src/verify/snp_verify_sig.c src/verify/snp_verify.c src/verify/snp_verify_chain.c src/verify/snp_verify_binding.c src/verify/amd_roots.c src/common/file_read.c src/common/shown.c
FUZZ_LIBS_hypercall := -lcrypto -ljansson
FUZZ_MAXLEN_hypercall := 8192
