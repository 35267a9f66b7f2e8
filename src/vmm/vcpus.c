/* The vCPU threads of a run (vcpus.h). */
#include "vmm/vcpus.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cloister/cloister.h>

#include "vmm/host_signals.h"
#include "vmm/supervise.h"
#include "vmm/hypercall.h"
#include "vmm/sandbox.h"
#include "vmm/timeout.h"
#include "vmm/vcpu.h"

#define KICK_INTERVAL_NS 20000000L /* 20 ms */

static void mark_ended(struct vcpu *v)
{
    struct vm *vm = v->vm;
    pthread_mutex_lock(&vm->lock);
    atomic_store(&v->ended, true);
    vm->any_ended = true;
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->lock);
    supervise_vcpu_done(vm);
}

/* A vCPU other than 0 waits for the shim to start it, or for the end of the run. */
static bool wait_for_start(struct vcpu *v)
{
    struct vm *vm = v->vm;
    pthread_mutex_lock(&vm->lock);
    while (!v->started && !atomic_load(&vm->done) && !vm_stopping(vm))
        pthread_cond_wait(&vm->cond, &vm->lock);
    bool go = v->started && !atomic_load(&vm->done);
    pthread_mutex_unlock(&vm->lock);
    return go;
}

static void *vcpu_thread(void *p)
{
    struct vcpu *v = p;
    struct vm *vm = v->vm;
    timeout_vcpu_thread_start();
    v->rc = 0;
    if (v->id) {
        /* with the in-kernel APIC, KVM holds a vCPU other than 0 until an INIT-SIPI;
         * ours starts in 64-bit mode where the launch put it */
        struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
        if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
            v->rc = vm_fail(vm, "KVM: ioctl (SET_MP_STATE) failed: %s", strerror(errno));
    }
    if (v->rc == 0 && sandbox_enter(vm, v) < 0)
        v->rc = -1;
    if (v->rc == 0 && (v->id == 0 || wait_for_start(v)))
        v->rc = vcpu_run(v);
    if (v->rc < 0 || v->id == 0 || atomic_load(&vm->done))
        atomic_store(&vm->done, true);
    mark_ended(v);
    return NULL;
}

static struct timespec after_ns(struct timespec t, long long ns)
{
    ns += t.tv_nsec;
    t.tv_sec += (time_t)(ns / 1000000000);
    t.tv_nsec = (long)(ns % 1000000000);
    return t;
}

/* Every other thread: told to stop, interrupted (KVM_RUN, epoll_wait and a blocked
 * read return EINTR) again every few milliseconds until it has ended, since a signal
 * that lands just before the thread enters KVM_RUN is lost. */
static void stop_all(struct vm *vm)
{
    atomic_store(&vm->done, true);
    for (;;) {
        pthread_mutex_lock(&vm->lock);
        pthread_cond_broadcast(&vm->cond); /* the ones never started */
        bool all = true;
        for (unsigned i = 0; i < vm->nr_vcpus; i++) {
            struct vcpu *v = vm->vcpus[i];
            if (v->thread_made && !atomic_load(&v->ended)) {
                all = false;
                timeout_kick(v->thread);
            }
        }
        if (all) {
            pthread_mutex_unlock(&vm->lock);
            return;
        }
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        next = after_ns(next, KICK_INTERVAL_NS);
        pthread_cond_clockwait(&vm->cond, &vm->lock, CLOCK_MONOTONIC, &next);
        pthread_mutex_unlock(&vm->lock);
    }
}

int vcpus_run(struct vm *vm)
{
    if (timeout_prepare(vm) < 0 || host_signals_prepare(vm) < 0 || supervise_prepare(vm) < 0)
        return -1;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        vm->vcpus[i]->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (vm->vcpus[i]->kick_fd < 0)
            return vm_fail(vm, "cannot make a vCPU's wake-up eventfd: %s", strerror(errno));
    }
    int rc = 0;
    for (unsigned i = 0; i < vm->nr_vcpus && rc == 0; i++) {
        struct vcpu *v = vm->vcpus[i];
        int err = pthread_create(&v->thread, NULL, vcpu_thread, v);
        if (err)
            rc = vm_fail(vm, "cannot start the thread of vCPU %u: %s", i, strerror(err));
        else
            v->thread_made = true;
    }
    if (rc == 0 && (vm->flags & CLOISTER_CONFINE_CALLER) &&
        sandbox_confine_caller(vm, vm->vcpus[0]) < 0) {
        /* vCPUs already run, confined; this thread must not go on unconfined */
        fprintf(stderr, "cloister: %s\n", vm->err);
        _exit(CLOISTER_FAILED);
    }
    if (rc == 0)
        supervise(vm);
    stop_all(vm);
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = vm->vcpus[i];
        if (v->thread_made)
            pthread_join(v->thread, NULL);
        if (v->rc < 0)
            rc = -1;
    }
    /* stopped by --timeout: the vCPUs saw `done` first, or a failure of their own */
    if (vm_stopping(vm))
        return vm_fail_timeout(vm);
    return rc;
}
