-- bench/report.lua RAW.jsonl OUT.json RUNS MEM_RUNS SECONDS
-- Turns bench/run's raw measurements into the table on stdout and
-- bench/results/latest.json. Figures are medians over the rounds; a ratio
-- is the median of the per-round ratios (each against the baseline measured
-- in the same round).
local cjson = require "cjson"

local raw_path, out_path = arg[1], arg[2]
local RUNS, MEM_RUNS, SECONDS = tonumber(arg[3]), tonumber(arg[4]), tonumber(arg[5])

-- data[bench][impl][round] = decoded JSON line
local data = {}
for line in io.lines(raw_path) do
  local rec = cjson.decode(line)
  data[rec.bench] = data[rec.bench] or {}
  data[rec.bench][rec.impl] = data[rec.bench][rec.impl] or {}
  data[rec.bench][rec.impl][rec.round] = rec.data
end

local function median(list)
  local t = {}
  for _, v in ipairs(list) do t[#t + 1] = v end
  if #t == 0 then return nil end
  table.sort(t)
  local m = (#t + 1) // 2
  if #t % 2 == 1 then return t[m] end
  return (t[m] + t[m + 1]) / 2
end

-- samples(bench, impl, field) -> list over rounds (in round order)
local function samples(bench, impl, field)
  local out = {}
  local runs = data[bench] and data[bench][impl]
  if not runs then return out end
  local rounds = {}
  for r in pairs(runs) do rounds[#rounds + 1] = r end
  table.sort(rounds)
  for _, r in ipairs(rounds) do
    local v = runs[r][field]
    if type(v) == "number" then out[#out + 1] = v end
  end
  return out
end

-- Per-round f(ours_round, base_round) for the rounds both have.
local function paired(bench_a, impl_a, bench_b, impl_b, f)
  local out = {}
  local a = data[bench_a] and data[bench_a][impl_a]
  local b = data[bench_b] and data[bench_b][impl_b]
  if not a or not b then return out end
  for r = 1, RUNS do
    if a[r] and b[r] then
      local v = f(a[r], b[r])
      if v then out[#out + 1] = v end
    end
  end
  return out
end

local function round(x, digits)
  if x == nil then return nil end
  local m = 10 ^ (digits or 3)
  return math.floor(x * m + 0.5) / m
end

local function t_ns(ns)
  if ns >= 1e6 then return string.format("%.2f ms", ns / 1e6) end
  if ns >= 1e3 then return string.format("%.2f µs", ns / 1e3) end
  return string.format("%.0f ns", ns)
end

local function rate(x, unit)
  if x >= 1e6 then return string.format("%.2fM %s", x / 1e6, unit) end
  if x >= 1e3 then return string.format("%.1fk %s", x / 1e3, unit) end
  return string.format("%.0f %s", x, unit)
end

local function mb(kb) return string.format("%.1f MB", kb / 1024) end

local rows = {}
local INTERPS = { { id = "lua54", name = "5.4" }, { id = "luajit", name = "JIT" } }
local INTERP_NAMES = { ["5.4"] = "lua5.4", JIT = "luajit", C = "c" }

local function add(row) rows[#rows + 1] = row end

local function status_of(ok) if ok == nil then return "n/a" end return ok and "PASS" or "MISS" end

for _, I in ipairs(INTERPS) do
  local im = I.id
  if data.sign_rpc and data.sign_rpc[im] then
    -- 1. Signing, Alibaba RPC
    local ours = median(samples("sign_rpc", im, "ns_per_op"))
    local base = median(samples("sign_rpc", "c", "ns_per_op"))
    local ratios = paired("sign_rpc", im, "sign_rpc", "c", function(a, b) return a.ns_per_op / b.ns_per_op end)
    local ratio = median(ratios)
    add{ id = "sign_rpc_time", lua = I.name,
         measure = "RPC prepare, 19 signed params: time/signature",
         ours = t_ns(ours), baseline = "C floor " .. t_ns(base),
         ratio = string.format("%.2fx", ratio), target = "≤ 2.5x", status = status_of(ratio <= 2.5),
         values = { ours_ns = ours, baseline_ns = base, ratio = ratio, ratio_samples = ratios,
                    ours_samples = samples("sign_rpc", im, "ns_per_op"),
                    baseline_samples = samples("sign_rpc", "c", "ns_per_op") } }
    local ours_ops = median(samples("sign_rpc", im, "ops_per_s"))
    local base_ops = median(samples("sign_rpc", "c", "ops_per_s"))
    local ops_ratios = paired("sign_rpc", im, "sign_rpc", "c", function(a, b) return a.ops_per_s / b.ops_per_s end)
    add{ id = "sign_rpc_rate", lua = I.name,
         measure = "RPC prepare, 19 signed params: signatures/s",
         ours = rate(ours_ops, "sig/s"), baseline = "C floor " .. rate(base_ops, "sig/s"),
         ratio = string.format("%.2fx", median(ops_ratios)), target = "≥ 250k/s",
         status = status_of(ours_ops >= 250000),
         values = { ours_ops = ours_ops, baseline_ops = base_ops, ratio = median(ops_ratios) } }
  end
  if data.sign_sdk and data.sign_sdk[im] then
    local ours = median(samples("sign_sdk", im, "ns_per_op"))
    local base = median(samples("sign_sdk", "c", "ns_per_op"))
    local ratios = paired("sign_sdk", im, "sign_sdk", "c", function(a, b) return a.ns_per_op / b.ns_per_op end)
    add{ id = "sign_sdk_time", lua = I.name,
         measure = "Huawei prepare GET, 3 query params",
         ours = string.format("%s (%s)", t_ns(ours), rate(1e9 / ours, "sig/s")),
         baseline = string.format("C floor %s (%s)", t_ns(base), rate(1e9 / base, "sig/s")),
         ratio = string.format("%.2fx", median(ratios)), target = "(none)", status = "info",
         values = { ours_ns = ours, baseline_ns = base, ratio = median(ratios), ratio_samples = ratios } }
  end
  if data.seq and data.seq[im] then
    -- 2. Sequential calls
    local ours = median(samples("seq", im, "req_per_s"))
    local base = median(samples("seq", "c", "req_per_s"))
    local ratios = paired("seq", im, "seq", "c", function(a, b) return a.req_per_s / b.req_per_s end)
    local ratio = median(ratios)
    add{ id = "seq", lua = I.name,
         measure = "client:call sequential, keep-alive",
         ours = string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
         baseline = string.format("curl loop %s (%.1f µs)", rate(base, "req/s"), 1e6 / base),
         ratio = string.format("%.2fx", ratio), target = "≥ 0.75x", status = status_of(ratio >= 0.75),
         values = { ours_rps = ours, baseline_rps = base, ratio = ratio, ratio_samples = ratios,
                    ours_samples = samples("seq", im, "req_per_s"),
                    baseline_samples = samples("seq", "c", "req_per_s") } }
  end
  if data.conc and data.conc[im] then
    -- 3. Concurrent calls
    local base = median(samples("conc", "c", "req_per_s"))
    local first = data.conc[im][1]
    if first and first.missing then
      add{ id = "conc", lua = I.name, measure = "cloudapi.all, 16 in flight",
           ours = "n/a (cloudapi.all missing)", baseline = "curl multi " .. rate(base, "req/s"),
           ratio = "n/a", target = "≥ 0.6x", status = "n/a", values = { baseline_rps = base } }
    else
      local ours = median(samples("conc", im, "req_per_s"))
      local ratios = paired("conc", im, "conc", "c", function(a, b) return a.req_per_s / b.req_per_s end)
      local ratio = median(ratios)
      add{ id = "conc", lua = I.name, measure = "cloudapi.all, 16 in flight",
           ours = string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
           baseline = string.format("curl multi %s (%.1f µs)", rate(base, "req/s"), 1e6 / base),
           ratio = string.format("%.2fx", ratio), target = "≥ 0.6x", status = status_of(ratio >= 0.6),
           values = { ours_rps = ours, baseline_rps = base, ratio = ratio, ratio_samples = ratios,
                      ours_samples = samples("conc", im, "req_per_s"),
                      baseline_samples = samples("conc", "c", "req_per_s") } }
    end
  end
  if data.memory and data.memory[im] then
    -- 4. Memory
    local g = median(samples("memory", im, "growth_kb"))
    local r1 = median(samples("memory", im, "rss1_kb"))
    local r2 = median(samples("memory", im, "rss2_kb"))
    local n = #samples("memory", im, "growth_kb")
    add{ id = "memory", lua = I.name, measure = "RSS growth, 1k -> 100k calls",
         ours = string.format("%+.0f KB (%s -> %s)", g, mb(r1), mb(r2)),
         baseline = "RSS after 1k: " .. mb(r1), ratio = "-", target = "< 2 MB", status = status_of(g < 2048),
         runs = n,
         values = { growth_kb = g, rss_1k_kb = r1, rss_100k_kb = r2, growth_samples = samples("memory", im, "growth_kb"),
                    lua_heap_1k_kb = median(samples("memory", im, "heap1_kb")),
                    lua_heap_100k_kb = median(samples("memory", im, "heap2_kb")) } }
  end
  if data.valgrind and data.valgrind[im] then
    local v = data.valgrind[im][1]
    local lost = v.definitely_lost
    add{ id = "valgrind", lua = I.name, measure = string.format("valgrind, %d calls: definitely lost", v.n),
         ours = lost >= 0 and string.format("%d bytes", lost) or "unparsed", baseline = "-", ratio = "-", target = "0 bytes",
         status = status_of(lost == 0 and v.exit == 0), runs = 1,
         values = { definitely_lost = lost, exit = v.exit } }
  end
end

-- 5. Context: decoding and where a sequential call's time goes.
if data.sign_rpc_core and data.sign_rpc_core.c then
  local core_ns = median(samples("sign_rpc_core", "c", "ns_per_op"))
  local ratios = paired("sign_rpc_core", "c", "sign_rpc", "c", function(a, b) return a.ns_per_op / b.ns_per_op end)
  add{ id = "sign_rpc_core", lua = "C", context = true,
       measure = "C floor, fixed nonce + timestamp", ours = t_ns(core_ns),
       baseline = "C floor (fresh nonce, clock)", ratio = string.format("%.2f", median(ratios)),
       target = "(context)", status = "info", values = { ns = core_ns, share = median(ratios) } }
end
for _, I in ipairs(INTERPS) do
  local im = I.id
  if data.decode and data.decode[im] then
    local lib = median(samples("decode", im, "lib_ns"))
    local raw = median(samples("decode", im, "cjson_ns"))
    local ratios = paired("decode", im, "decode", im, function(a) return a.lib_ns / a.cjson_ns end)
    local bytes = data.decode[im][1].bytes
    add{ id = "decode_2k", lua = I.name, context = true,
         measure = string.format("decode %d B JSON: cloudapi json.decode", bytes),
         ours = t_ns(lib), baseline = "cjson.decode " .. t_ns(raw),
         ratio = string.format("%.2fx", median(ratios)), target = "(context)", status = "info",
         values = { ours_ns = lib, cjson_ns = raw, ratio = median(ratios) } }
  end
  if data.transport and data.transport[im] and data.seq and data.seq.c then
    local ours = median(samples("transport", im, "req_per_s"))
    local ratios = paired("transport", im, "seq", "c", function(a, b) return a.req_per_s / b.req_per_s end)
    add{ id = "transport", lua = I.name, context = true,
         measure = "  transport alone: session:request",
         ours = string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
         baseline = "curl loop (same round)", ratio = string.format("%.2fx", median(ratios)),
         target = "(context)", status = "info", values = { ours_rps = ours, ratio = median(ratios) } }
  end
  local function share(bench, label, id)
    if not (data[bench] and data[bench][im] and data.seq and data.seq[im]) then return end
    local ns = median(samples(bench, im, "ns_per_op"))
    local ratios = paired(bench, im, "seq", im, function(a, b) return (a.ns_per_op / 1e3) / b.us_per_req end)
    add{ id = id, lua = I.name, context = true, measure = label, ours = t_ns(ns),
         baseline = "one call (same round)", ratio = string.format("%.2f", median(ratios)),
         target = "(context)", status = "info", values = { ours_ns = ns, share_of_call = median(ratios) } }
  end
  share("prepare_regions", "  prepare alone: DescribeRegions", "prepare_regions")
  share("decode_response", "  decode alone: 302 B response", "decode_response")
  if data.seq and data.seq[im] and data.transport and data.transport[im] and data.prepare_regions
     and data.prepare_regions[im] and data.decode_response and data.decode_response[im] then
    local rest = {}
    for r = 1, RUNS do
      local s, t = data.seq[im][r], data.transport[im][r]
      local p, d = data.prepare_regions[im][r], data.decode_response[im][r]
      if s and t and p and d then
        rest[#rest + 1] = s.us_per_req - t.us_per_req - p.ns_per_op / 1e3 - d.ns_per_op / 1e3
      end
    end
    local call_us = median(samples("seq", im, "us_per_req"))
    local rest_us = median(rest)
    add{ id = "call_rest", lua = I.name, context = true,
         measure = "  rest of a call (retry loop, headers...)", ours = string.format("%.1f µs", rest_us),
         baseline = string.format("one call %.1f µs", call_us), ratio = string.format("%.2f", rest_us / call_us),
         target = "(context)", status = "info", values = { rest_us = rest_us, call_us = call_us } }
  end
end

-- ---- the table ---------------------------------------------------------------
local COLS = { { "measure", "Measure" }, { "lua", "Lua" }, { "ours", "Ours" }, { "baseline", "Baseline" },
               { "ratio", "Ratio" }, { "target", "Target" }, { "status", "Status" } }
local width = {}
local function len(s) return utf8.len(s) or #s end
for _, c in ipairs(COLS) do
  width[c[1]] = len(c[2])
  for _, r in ipairs(rows) do width[c[1]] = math.max(width[c[1]], len(tostring(r[c[1]] or ""))) end
end
local function line(get)
  local parts = {}
  for _, c in ipairs(COLS) do
    local s = tostring(get(c))
    parts[#parts + 1] = s .. string.rep(" ", width[c[1]] - len(s))
  end
  return "| " .. table.concat(parts, " | ") .. " |"
end
local out = {}
out[#out + 1] = line(function(c) return c[2] end)
out[#out + 1] = line(function(c) return string.rep("-", width[c[1]]) end)
local context_started = false
for _, r in ipairs(rows) do
  if r.context and not context_started then
    context_started = true
    out[#out + 1] = line(function(c) return c[1] == "measure" and "*context*" or "" end)
  end
  out[#out + 1] = line(function(c) return r[c[1]] or "" end)
end
local cpu = "unknown"
for l in io.lines("/proc/cpuinfo") do
  local m = l:match("^model name%s*:%s*(.+)$")
  if m then cpu = m; break end
end
local nproc = io.popen("nproc"):read("*l")
local kernel = io.popen("uname -r"):read("*l")
local header = string.format("cloudapi bench: %s rounds (memory: %d run(s) on 5.4, 1 on LuaJIT), " ..
                             "%s cores (%s), %s s", RUNS, MEM_RUNS, nproc, cpu, SECONDS)
print(header)
print("figures: medians over the rounds; ratios: median of the per-round ratios")
print(table.concat(out, "\n"))
local misses = 0
for _, r in ipairs(rows) do if r.status == "MISS" then misses = misses + 1 end end
print(string.format("%d target(s) missed", misses))

-- ---- JSON ---------------------------------------------------------------------
local doc = {
  generated = os.date("!%Y-%m-%dT%H:%M:%SZ"),
  host = { cores = tonumber(nproc), cpu = cpu, kernel = kernel },
  rounds = RUNS, memory_runs = { lua54 = MEM_RUNS, luajit = 1 }, duration_s = SECONDS,
  method = "each figure is the median over the rounds; each ratio the median of the per-round " ..
           "ratios against the baseline measured in the same round",
  rows = {},
  misses = misses,
}
for _, r in ipairs(rows) do
  doc.rows[#doc.rows + 1] = {
    id = r.id, interpreter = INTERP_NAMES[r.lua], measure = r.measure,
    ours = r.ours, baseline = r.baseline, ratio = r.ratio, target = r.target, status = r.status,
    runs = r.runs or RUNS, context = r.context or false, values = r.values,
  }
end
local f = assert(io.open(out_path, "w"))
f:write(cjson.encode(doc), "\n")
f:close()
