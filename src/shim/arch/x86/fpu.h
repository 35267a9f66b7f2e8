/*
 * The workload's FPU, SSE and AVX registers, saved and restored when the CPU changes
 * threads. The shim never touches them itself (it is built -mgeneral-regs-only), so
 * a thread's state stays in the registers for as long as it owns the CPU, system calls
 * included, and is saved only at a switch.
 *
 * XSAVE/XRSTOR, which cover every feature XCR0 enables, where the shim's kernel mode
 * may run them: ring 0 on hardware, ring 3 on PVM's ring-3 route. PVM's ring-0
 * emulator lacks the whole XSAVE family (docs/platform-pvm.md), so the PVM trap route
 * falls back to FXSAVE: x87 and SSE survive a switch there, the upper halves of the
 * AVX registers do not.
 */
#ifndef SHIM_FPU_H
#define SHIM_FPU_H

#include "lib/types.h"

/* Decides XSAVE or FXSAVE and the area's size; after arch_boot. */
void fpu_boot(void);
/* Bytes of a save area (a multiple of 64, at least 512); areas are 64-byte aligned. */
u32 fpu_state_size(void);
void fpu_save(void *area);
void fpu_restore(const void *area);
/* The state a new program starts with: FCW 0x37f, MXCSR 0x1f80, every register zero. */
void fpu_init_state(void *area);

/* For signal frames (kernel/signal_frame.c), which carry the area in Linux's format. */
#define FPU_AREA_ALIGN  64
#define FPU_LEGACY_SIZE 512u /* the FXSAVE image, also the start of an XSAVE area */
#define FPU_HEADER_SIZE 64u  /* the XSAVE header, right after it */
#define FPU_FCW         0
#define FPU_FSW         2
#define FPU_MXCSR       24
#define FPU_SW_RESERVED 464 /* 48 bytes software may use (Linux: struct _fpx_sw_bytes) */
/* Whether areas are in XSAVE's standard format (else the FXSAVE image alone). */
bool fpu_full_format(void);
/* The features an area may hold: XCR0 with XSAVE, else x87 and SSE (0x3). */
u64 fpu_xfeatures(void);
/* Whether an area that came from the workload (rt_sigreturn) can be restored without a
 * fault: MXCSR's reserved bits clear and, in XSAVE format, a header XRSTOR accepts. */
bool fpu_area_valid(const void *area);

#endif
