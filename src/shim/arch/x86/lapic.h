/*
 * The local APIC, in x2APIC mode (MSRs only, no MMIO page): the timer that preempts a
 * thread which runs too long and fires kernel timers while the workload computes.
 * KVM emulates it in the kernel (the monitor's KVM_CREATE_IRQCHIP); under SEV-SNP and
 * TDX the hypervisor still emulates it. The shim uses its TSC-deadline mode, so the
 * deadline is a TSC value and needs no calibration.
 */
#ifndef SHIM_LAPIC_H
#define SHIM_LAPIC_H

#include "lib/types.h"

/* Interrupt vectors (the IDT's gates for them are in shim.ld.in) */
#define VEC_TIMER    0xf0
#define VEC_RESCHED  0xf1 /* another CPU: look at your task's signals (sched_notify_task) */
#define VEC_HOST     0xf3 /* the monitor: host events wait (its KVM_SIGNAL_MSI) */
#define VEC_SPURIOUS 0xff

/* Boot, ring 0: x2APIC on, the timer's vector set; false when the CPU lacks x2APIC or
 * the TSC-deadline timer (the shim then runs without preemption, as before). */
bool lapic_boot(void);
bool lapic_timer_available(void);
/* Fires VEC_TIMER when the TSC reaches tsc; 0 disarms. */
void lapic_timer_set(u64 tsc);
/* Ends the interrupt being served. */
void lapic_eoi(void);
/* Sends vector to the CPU whose APIC ID is apic_id (the vCPU id: the monitor's CPUID). */
void lapic_send_ipi(u32 apic_id, u32 vector);

#endif
