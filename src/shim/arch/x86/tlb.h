/*
 * TLB shootdown. The threads of a process share its page tables on every vCPU that
 * runs them; when the shim takes a mapping away or makes it stricter, every other CPU
 * that has that root loaded (percpu.loaded_root) must forget it before the memory is
 * reused. A CPU running workload code gets an interrupt (VEC_TLB) and is waited for;
 * one in the shim or idle is marked stale and flushes before it next returns to user
 * mode, which it cannot do without the kernel lock. A CPU on another root needs
 * nothing: loading this one later flushes its TLB (no PCID, docs/processes.md).
 */
#ifndef SHIM_TLB_H
#define SHIM_TLB_H

#include "lib/types.h"

struct percpu;

#define VEC_TLB 0xf2

/* This CPU is about to run workload code (kernel lock held): flush if stale. */
void tlb_user_return(void);
/* This CPU came into the shim from user mode (kernel lock held). */
void tlb_user_left(void);
/* Makes every other online CPU with root loaded drop its TLB (kernel lock held);
 * arch_flush_tlb and arch_flush_tlb_page call it after their local flush. */
void tlb_shootdown(u64 root);
/* VEC_TLB arrived (acknowledged already): flush, say so. */
void tlb_interrupt(void);
/* CPU id is up (arch_cpu_start). */
void tlb_cpu_online(u32 id, struct percpu *p);

#endif
