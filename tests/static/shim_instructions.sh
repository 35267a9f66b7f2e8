#!/usr/bin/env bash
# The shim must not contain an instruction that PVM's ring-0 emulator lacks or runs
# badly (docs/platform.md): a compiler upgrade or a new flag must not slip one in.
# Disassembles the shim and fails, naming each offending line, on any of them.
set -u
build=${BUILD:-build}
elf="$build/shim/shim.elf"
[ -f "$elf" ] || { echo "no $elf: build first"; exit 1; }

# string instructions with a rep prefix, the XSAVE family, SSE/AVX/x87/MMX registers,
# POPCNT/LZCNT/TZCNT, BMI1/BMI2, ADX, CRC32, CMPXCHG16B, RDTSCP, INVPCID, MOVBE, RDPID,
# the VMCALL family (they hang PVM), and `int $n` (only int3 is allowed)
forbidden='(^|[[:space:]])(rep|repz|repnz|repe|repne)[[:space:]]|xsave|xrstor|xgetbv|xsetbv|%[xyz]mm[0-9]|%mm[0-7]|%st\b|%st\(|[[:space:]](popcnt|lzcnt|tzcnt|andn|bextr|blsi|blsmsk|blsr|bzhi|pdep|pext|mulx|rorx|sarx|shlx|shrx|adcx|adox|crc32[bwlq]?|cmpxchg16b|rdtscp|invpcid|movbe|rdpid|vmcall|vmmcall|vmrun|vmlaunch|vmresume)([[:space:]]|$)|[[:space:]]int[[:space:]]+\$'

# First prove the pattern catches what it must: a snippet with one of each kind.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '.text\nrep movsb\nrepz cmpsb\nmovaps %%xmm0, %%xmm1\nvpxor %%ymm0, %%ymm0, %%ymm0\npopcnt %%rax, %%rbx\nshlx %%rax, %%rbx, %%rcx\nxsave (%%rax)\nxgetbv\ncrc32q %%rax, %%rbx\nrdtscp\nint $0x80\nvmcall\n' >"$tmp/bad.S"
cc -c "$tmp/bad.S" -o "$tmp/bad.o" || { echo "cannot assemble the self-check snippet"; exit 1; }
caught=$(objdump -d --no-show-raw-insn "$tmp/bad.o" | grep -E '^\s*[0-9a-f]+:' | grep -cE "$forbidden")
[ "$caught" -eq 12 ] || { echo "self-check: the pattern caught $caught of 12 forbidden instructions"; exit 1; }

# Functions named hw_only_* run only after the boot probe found hardware (ring 0 is not
# emulated there); they alone may use XSETBV, and nothing else on the list. Functions
# named full_fpu_* never run at PVM's emulated ring 0 (arch/x86/fpu.c decides at boot);
# they alone may use XSAVE64, XRSTOR64 and XGETBV (the XCR0 a signal frame names). FXSAVE64 and FXRSTOR64 work everywhere.
listing=$(objdump -d --no-show-raw-insn "$elf" |
    awk '/^[0-9a-f]+ <[^>]+>:$/ { hw = ($2 ~ /^<hw_only_/); xs = ($2 ~ /^<full_fpu_/) }
         { if (hw && $0 ~ /[[:space:]]xsetbv([[:space:]]|$)/) next
           if (xs && $0 ~ /[[:space:]](xsave64|xrstor64)[[:space:]]/) next
           if (xs && $0 ~ /[[:space:]]xgetbv([[:space:]]|$)/) next
           if ($0 ~ /[[:space:]](fxsave64|fxrstor64)[[:space:]]/) next
           print }')
count=$(printf '%s\n' "$listing" | grep -cE '^\s*[0-9a-f]+:')
bad=$(printf '%s\n' "$listing" | grep -E '^\s*[0-9a-f]+:' | grep -E "$forbidden")
if [ -n "$bad" ]; then
    echo "forbidden instructions in the shim:"
    printf '%s\n' "$bad" | head -40
    exit 1
fi
# the check must have seen the code, or it proves nothing
[ "$count" -gt 1000 ] || { echo "only $count instructions disassembled"; exit 1; }
echo "checked $count instructions: none forbidden"
