-- A CPU-bound Lua workload: recursion, table churn and string building, ~1 s natively.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 300000 do t[i] = tostring(i * 7 % 1000) end
table.sort(t)
local parts = {}
for i = 1, 100000 do parts[#parts + 1] = string.format("%d:%s", i, t[i]) end
print(fib(30), #table.concat(parts, ","))
