/*
 * Changing tasks on a CPU: the kernel stack is the task's context. switch_context
 * pushes what the C calling convention says a callee keeps, parks the stack pointer
 * in the old task, and pops the new task's. A new task's stack is built to pop into
 * task_entry_trampoline (kernel/sched.c, task_new_stack).
 */
    .text
    .globl switch_context
switch_context:             /* rdi = &prev->kernel_sp, rsi = next->kernel_sp */
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .globl task_entry_trampoline
task_entry_trampoline:      /* rsp = the new task's trap frame, 16-byte aligned */
    mov %rsp, %rdi
    xor %ebp, %ebp
    call task_first_run     /* does not return */
    ud2
