-- Exercises strings, tables, math, string.format, io.write and os.time in Lua 5.4; the
-- output is deterministic so a VM run compares byte for byte with a native one.
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do
  words[#words + 1] = w
end
table.sort(words)
io.write(table.concat(words, ","), "\n")

local counts = {}
for _, w in ipairs(words) do counts[w] = (counts[w] or 0) + 1 end
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys, function(a, b) return counts[a] > counts[b] or (counts[a] == counts[b] and a < b) end)
for i = 1, 3 do io.write(string.format("%-6s %d\n", keys[i], counts[keys[i]])) end

io.write(string.format("%5.3f %e %x %q %s\n", math.pi, 1e10 / 3, 48879, "a\"b", tostring(nil)))
io.write(string.rep("ab", 3, "-"), " ", ("Hello"):upper(), " ", ("x"):byte(), " ", utf8.char(233, 8364), "\n")
io.write(math.floor(-3.5), " ", math.ceil(-3.5), " ", math.max(3, 9, 1), " ", 7 // 2, " ", 7 % 3, " ", 2 ^ 10, "\n")
io.write(math.tointeger(3.0), " ", math.type(1), " ", math.type(1.0), " ", 0x7fffffffffffffff + 1 == math.mininteger and "wraps" or "no", "\n")

local fib = setmetatable({}, {__index = function(t, n)
  local v = n < 2 and n or t[n - 1] + t[n - 2]
  rawset(t, n, v)
  return v
end})
io.write("fib(80) = ", fib[80], "\n")

local s = 0
for i = 1, 2000000 do s = s + i % 7 end
io.write("loop sum ", s, "\n")

local t = os.time()
io.write("os.time plausible: ", tostring(t > 1700000000 and t < 4102444800), "\n")
io.write("epoch year: ", os.date("!%Y", 0), "\n")
io.write("clock advances: ", tostring(os.clock() >= 0), "\n")
local ok, err = pcall(error, {code = 42})
io.write("pcall: ", tostring(ok), " ", err.code, "\n")
local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
io.write("coroutine: ", co(), " ", co(), " ", co(), "\n")
