/* The hypercalls of several vCPUs: starting one, waking one (vcpus.h). */
#include <errno.h>
#include <unistd.h>

#include "vmm/hypercall.h"
#include "vmm/vcpus.h"

int hc_cpu_start(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    uint64_t id = c->req.args[0];
    if (id == 0 || id >= vm->nr_vcpus) {
        c->ret = -EINVAL;
        return 0;
    }
    pthread_mutex_lock(&vm->lock);
    c->ret = vm->vcpus[id]->started ? -EALREADY : 0;
    vm->vcpus[id]->started = true;
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->lock);
    return 0;
}

int hc_kick(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    uint64_t id = c->req.args[0];
    if (id >= vm->nr_vcpus) {
        c->ret = -EINVAL;
        return 0;
    }
    uint64_t one = 1;
    c->ret = write(vm->vcpus[id]->kick_fd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
    if (c->ret == -EAGAIN)
        c->ret = 0; /* the counter is full: it is awake already */
    return 0;
}
