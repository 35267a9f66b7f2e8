/*
 * TLB shootdown. All vCPUs share one set of page tables; when the shim takes a mapping
 * away or makes it stricter, every other CPU that may still cache it must forget it
 * before the memory is reused. A CPU running workload code gets an interrupt
 * (VEC_TLB) and is waited for; one in the shim or idle is marked stale and flushes
 * before it next returns to user mode, which it cannot do without the kernel lock.
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
/* Makes every other online CPU drop its TLB (kernel lock held); arch_flush_tlb and
 * arch_flush_tlb_page call it after their local flush. */
void tlb_shootdown(void);
/* VEC_TLB arrived (acknowledged already): flush, say so. */
void tlb_interrupt(void);
/* CPU id is up (arch_cpu_start). */
void tlb_cpu_online(u32 id, struct percpu *p);

#endif
