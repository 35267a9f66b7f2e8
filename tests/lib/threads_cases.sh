# Threads (issue 11): pthread programs run in a VM and natively, compared
# (tests/lib/compare.sh). tests/progs/threads.c says what each run exercises.

threads_cases() {
    local PREFIX=threads
    vm_case basic -- threads
    vm_case few -- threads 3
    vm_case many -- threads 200
}
register_group 45 threads vm threads_cases threads/
