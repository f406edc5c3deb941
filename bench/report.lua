-- bench/report.lua RAW.jsonl OUT.json RUNS MEM_RUNS SECONDS
-- Turns bench/run's raw measurements into the table on stdout and
-- bench/results/latest.json. Figures are medians over the rounds; a ratio
-- is the median of the per-round ratios (each against the baseline measured
-- in the same round, or in the same process for the decode row).
local cjson = require "cjson"

local raw_path, out_path = arg[1], arg[2]
local RUNS, MEM_RUNS, SECONDS = tonumber(arg[3]), tonumber(arg[4]), tonumber(arg[5])

-- data[bench][impl][round] = decoded JSON line ({"error": true} when it failed)
local data = {}
for line in io.lines(raw_path) do
  local rec = cjson.decode(line)
  data[rec.bench] = data[rec.bench] or {}
  data[rec.bench][rec.impl] = data[rec.bench][rec.impl] or {}
  data[rec.bench][rec.impl][rec.round] = rec.data
end

local function has(bench, impl) return data[bench] ~= nil and data[bench][impl] ~= nil end

local function median(list)
  local t = {}
  for _, v in ipairs(list) do t[#t + 1] = v end
  if #t == 0 then return nil end
  table.sort(t)
  local m = (#t + 1) // 2
  if #t % 2 == 1 then return t[m] end
  return (t[m] + t[m + 1]) / 2
end

-- The rounds' values of one field, in round order (failed rounds skipped).
local function samples(bench, impl, field)
  local out = {}
  local runs = data[bench] and data[bench][impl]
  if not runs then return out end
  for r = 1, math.max(RUNS, MEM_RUNS) do
    local v = runs[r] and runs[r][field]
    if type(v) == "number" then out[#out + 1] = v end
  end
  return out
end

local function med(bench, impl, field) return median(samples(bench, impl, field)) end

-- Per-round f(a_round, b_round) for the rounds both have (and did not fail).
local function paired(bench_a, impl_a, bench_b, impl_b, f)
  local out = {}
  local a = data[bench_a] and data[bench_a][impl_a]
  local b = data[bench_b] and data[bench_b][impl_b]
  if not a or not b then return out end
  for r = 1, RUNS do
    if a[r] and b[r] and not a[r].error and not b[r].error then
      local v = f(a[r], b[r])
      if v then out[#out + 1] = v end
    end
  end
  return out
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
local function x(v) return string.format("%.2fx", v) end

local rows = {}
local INTERPS = { { id = "lua54", name = "5.4" }, { id = "luajit", name = "JIT" } }
local INTERP_NAMES = { ["5.4"] = "lua5.4", JIT = "luajit", C = "c" }

local function status_of(ok) return ok and "PASS" or "MISS" end

-- add(row, needed...): a row whose figures are missing (a failed
-- measurement) is shown as an error instead.
local function add(row, ...)
  for i = 1, select("#", ...) do
    if select(i, ...) == nil then
      row.ours, row.baseline, row.ratio = "error: see bench/results/errors.log", "-", "-"
      row.status = row.status == "info" and "info" or "FAIL"
      row.values = nil
      break
    end
  end
  rows[#rows + 1] = row
end

for _, I in ipairs(INTERPS) do
  local im, name = I.id, I.name
  -- 1. Signing
  if has("sign_rpc", im) then
    local ours, base = med("sign_rpc", im, "ns_per_op"), med("sign_rpc", "c", "ns_per_op")
    local ratio = median(paired("sign_rpc", im, "sign_rpc", "c", function(a, b) return a.ns_per_op / b.ns_per_op end))
    add({ id = "sign_rpc_time", lua = name, measure = "RPC prepare, 19 signed params: time/signature",
          ours = ours and t_ns(ours), baseline = base and ("C floor " .. t_ns(base)), ratio = ratio and x(ratio),
          target = "≤ 2.5x", status = ratio and status_of(ratio <= 2.5),
          values = { ours_ns = ours, baseline_ns = base, ratio = ratio,
                     ours_samples = samples("sign_rpc", im, "ns_per_op"),
                     baseline_samples = samples("sign_rpc", "c", "ns_per_op") } }, ours, base, ratio)
    local ops, base_ops = med("sign_rpc", im, "ops_per_s"), med("sign_rpc", "c", "ops_per_s")
    local oratio = median(paired("sign_rpc", im, "sign_rpc", "c", function(a, b) return a.ops_per_s / b.ops_per_s end))
    add({ id = "sign_rpc_rate", lua = name, measure = "RPC prepare, 19 signed params: signatures/s",
          ours = ops and rate(ops, "sig/s"), baseline = base_ops and ("C floor " .. rate(base_ops, "sig/s")),
          ratio = oratio and x(oratio), target = "≥ 250k sig/s", status = ops and status_of(ops >= 250000),
          values = { ours_per_s = ops, baseline_per_s = base_ops, ratio = oratio } }, ops, base_ops, oratio)
  end
  if has("sign_sdk", im) then
    local ours, base = med("sign_sdk", im, "ns_per_op"), med("sign_sdk", "c", "ns_per_op")
    local ratio = median(paired("sign_sdk", im, "sign_sdk", "c", function(a, b) return a.ns_per_op / b.ns_per_op end))
    add({ id = "sign_sdk_time", lua = name, measure = "Huawei prepare GET, 3 query params",
          ours = ours and string.format("%s (%s)", t_ns(ours), rate(1e9 / ours, "sig/s")),
          baseline = base and string.format("C floor %s (%s)", t_ns(base), rate(1e9 / base, "sig/s")),
          ratio = ratio and x(ratio), target = "(none set)", status = "info",
          values = { ours_ns = ours, baseline_ns = base, ratio = ratio } }, ours, base, ratio)
  end
  for _, fam in ipairs({ { "sign_acs3", "ACS3 prepare, RPC DescribeInstances (11 query params)" },
                        { "sign_roa", "ROA prepare (acs) GET /clusters, 3 query params" } }) do
    local b = fam[1]
    if has(b, im) then
      local ours, base = med(b, im, "ns_per_op"), med(b, "c", "ns_per_op")
      local ratio = median(paired(b, im, b, "c", function(p, q) return p.ns_per_op / q.ns_per_op end))
      add({ id = b .. "_time", lua = name, measure = fam[2],
            ours = ours and string.format("%s (%s)", t_ns(ours), rate(1e9 / ours, "sig/s")),
            baseline = base and string.format("C floor %s (%s)", t_ns(base), rate(1e9 / base, "sig/s")),
            ratio = ratio and x(ratio), target = "≤ 2.5x", status = ratio and status_of(ratio <= 2.5),
            values = { ours_ns = ours, baseline_ns = base, ratio = ratio,
                       ours_samples = samples(b, im, "ns_per_op"), baseline_samples = samples(b, "c", "ns_per_op") } },
          ours, base, ratio)
    end
  end
  -- 2. Sequential calls
  if has("seq", im) then
    local ours, base = med("seq", im, "req_per_s"), med("seq", "c", "req_per_s")
    local ratio = median(paired("seq", im, "seq", "c", function(a, b) return a.req_per_s / b.req_per_s end))
    add({ id = "seq", lua = name, measure = "client:call sequential, keep-alive",
          ours = ours and string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
          baseline = base and string.format("curl loop %s (%.1f µs)", rate(base, "req/s"), 1e6 / base),
          ratio = ratio and x(ratio), target = "≥ 0.75x", status = ratio and status_of(ratio >= 0.75),
          values = { ours_req_per_s = ours, baseline_req_per_s = base, ratio = ratio,
                     ours_samples = samples("seq", im, "req_per_s"),
                     baseline_samples = samples("seq", "c", "req_per_s") } }, ours, base, ratio)
  end
  -- 3. Concurrent calls
  if has("conc", im) then
    local base = med("conc", "c", "req_per_s")
    local ours = med("conc", im, "req_per_s")
    local ratio = median(paired("conc", im, "conc", "c", function(a, b) return a.req_per_s / b.req_per_s end))
    add({ id = "conc", lua = name, measure = "cloudapi.all, 16 in flight",
          ours = ours and string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
          baseline = base and string.format("curl multi %s (%.1f µs)", rate(base, "req/s"), 1e6 / base),
          ratio = ratio and x(ratio), target = "≥ 0.6x", status = ratio and status_of(ratio >= 0.6),
          values = { ours_req_per_s = ours, baseline_req_per_s = base, ratio = ratio,
                     ours_samples = samples("conc", im, "req_per_s"),
                     baseline_samples = samples("conc", "c", "req_per_s") } }, ours, base, ratio)
  end
  -- 4. Memory
  if has("memory", im) then
    local g, r1, r2 = med("memory", im, "growth_kb"), med("memory", im, "rss1_kb"), med("memory", im, "rss2_kb")
    local n = #samples("memory", im, "growth_kb")
    add({ id = "memory", lua = name, measure = "RSS growth, 1k -> 100k calls",
          ours = g and string.format("%+.0f KB (%s -> %s)", g, mb(r1), mb(r2)),
          baseline = r1 and ("RSS after 1k: " .. mb(r1)), ratio = "-", target = "< 2 MB",
          status = g and status_of(g < 2048), runs = n,
          values = { growth_kb = g, rss_1k_kb = r1, rss_100k_kb = r2,
                     growth_samples = samples("memory", im, "growth_kb"),
                     lua_heap_1k_kb = med("memory", im, "heap1_kb"),
                     lua_heap_100k_kb = med("memory", im, "heap2_kb") } }, g, r1, r2)
  end
  if has("valgrind", im) then
    local v = data.valgrind[im][1]
    local lost = v.definitely_lost
    add({ id = "valgrind", lua = name, measure = string.format("valgrind, %d calls: definitely lost", v.n),
          ours = lost and (lost >= 0 and string.format("%d bytes", lost) or "unparsed"),
          baseline = "-", ratio = "-", target = "0 bytes",
          status = lost and status_of(lost == 0 and v.exit == 0), runs = 1,
          values = { definitely_lost = lost, exit = v.exit } }, lost)
  end
end

-- 5. Context: the floor without nonce and clock, decoding, and where a
-- sequential call's time goes (each sub-step measured alone, same round).
if has("sign_rpc_core", "c") then
  local ns = med("sign_rpc_core", "c", "ns_per_op")
  local share = median(paired("sign_rpc_core", "c", "sign_rpc", "c",
                              function(a, b) return a.ns_per_op / b.ns_per_op end))
  add({ id = "sign_rpc_core", lua = "C", context = true, measure = "C floor, fixed nonce + timestamp",
        ours = ns and t_ns(ns), baseline = "C floor (fresh nonce, clock)",
        ratio = share and string.format("%.2f", share),
        target = "(context)", status = "info", values = { ns = ns, share = share } }, ns, share)
end
if has("sign_core", "lua54") then
  local ns = med("sign_core", "lua54", "ns_per_op")
  local ratio = median(paired("sign_core", "lua54", "sign_rpc", "c",
                              function(a, b) return a.ns_per_op / b.ns_per_op end))
  add({ id = "sign_core", lua = "5.4", context = true, measure = "core.rpc_sign from Lua, ready 19-pair table",
        ours = ns and t_ns(ns), baseline = "C floor (same round)", ratio = ratio and x(ratio),
        target = "(context)", status = "info", values = { ns = ns, ratio = ratio } }, ns, ratio)
end
for _, I in ipairs(INTERPS) do
  local im, name = I.id, I.name
  -- The concurrent batch again in the same process (its heap already
  -- grown), and streamed to each (none kept): against the same round's multi.
  for _, v in ipairs({ { "conc_again", "conc", "again_req_per_s", "cloudapi.all again, heap already grown" },
                       { "conc_each", "conc_each", "req_per_s", "cloudapi.all with each: none kept" } }) do
    local id, bench, field, measure = v[1], v[2], v[3], v[4]
    local ours = has(bench, im) and med(bench, im, field)
    if ours then
      local ratio = median(paired(bench, im, "conc", "c", function(a, b)
        return a[field] and a[field] / b.req_per_s
      end))
      add({ id = id, lua = name, context = true, measure = measure,
            ours = string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
            baseline = "curl multi (same round)", ratio = ratio and x(ratio), target = "(context)",
            status = "info", values = { ours_req_per_s = ours, ratio = ratio } }, ours, ratio)
    end
  end
  if has("decode", im) then
    local lib, raw = med("decode", im, "lib_ns"), med("decode", im, "cjson_ns")
    local ratio = median(paired("decode", im, "decode", im, function(a) return a.lib_ns / a.cjson_ns end))
    local bytes = med("decode", im, "bytes") or 0
    add({ id = "decode_2k", lua = name, context = true,
          measure = string.format("decode %d B JSON: cloudapi json.decode", bytes),
          ours = lib and t_ns(lib), baseline = raw and ("cjson.decode " .. t_ns(raw)), ratio = ratio and x(ratio),
          target = "(context)", status = "info", values = { ours_ns = lib, cjson_ns = raw, ratio = ratio } },
        lib, raw, ratio)
  end
  if has("split", im) and has("seq", "c") then
    local ours = med("split", im, "req_per_s")
    local ratio = median(paired("split", im, "seq", "c", function(a, b) return a.req_per_s / b.req_per_s end))
    add({ id = "transport", lua = name, context = true, measure = "  transport alone: session:request",
          ours = ours and string.format("%s (%.1f µs)", rate(ours, "req/s"), 1e6 / ours),
          baseline = "curl loop (same round)", ratio = ratio and x(ratio),
          target = "(context)", status = "info", values = { ours_req_per_s = ours, ratio = ratio } }, ours, ratio)
    local lua_us, call_us = med("split", im, "lua_us"), med("split", im, "call_us")
    local share = median(paired("split", im, "split", im, function(a) return a.lua_us / a.call_us end))
    add({ id = "lua_in_situ", lua = name, context = true, measure = "  Lua layer in situ: call - transport",
          ours = lua_us and string.format("%.1f µs", lua_us),
          baseline = call_us and string.format("one call %.1f µs (same process)", call_us),
          ratio = share and string.format("%.2f", share), target = "(context)", status = "info",
          values = { lua_us = lua_us, call_us = call_us, share = share } }, lua_us, call_us, share)
  end
  for _, s in ipairs({ { "call_noio", "  Lua layer hot, no network (fake transport)" },
                       { "prepare_regions", "    of which prepare DescribeRegions" },
                       { "decode_response", "    of which decode_response, 302 B" } }) do
    if has(s[1], im) and has("seq", im) then
      local ns = med(s[1], im, "ns_per_op")
      local share = median(paired(s[1], im, "seq", im, function(a, b) return (a.ns_per_op / 1e3) / b.us_per_req end))
      add({ id = s[1], lua = name, context = true, measure = s[2], ours = ns and t_ns(ns),
            baseline = "one call (same round)", ratio = share and string.format("%.2f", share),
            target = "(context)", status = "info", values = { ours_ns = ns, share_of_call = share } }, ns, share)
    end
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
print(string.format("cloudapi bench: %d rounds (memory: %d run(s) on Lua 5.4, 1 on LuaJIT), %s cores (%s), %d s",
                    RUNS, MEM_RUNS, nproc, cpu, SECONDS))
print("figures: medians over the rounds; ratios: median of the per-round ratios")
print(table.concat(out, "\n"))
local misses, failures = 0, 0
for _, r in ipairs(rows) do
  if r.status == "MISS" then misses = misses + 1 end
  if r.status == "FAIL" then failures = failures + 1 end
end
print(string.format("%d target(s) missed, %d measurement(s) failed", misses, failures))

-- ---- JSON ---------------------------------------------------------------------
local doc = {
  generated = os.date("!%Y-%m-%dT%H:%M:%SZ"),
  host = { cores = tonumber(nproc), cpu = cpu, kernel = kernel },
  rounds = RUNS, memory_runs = { lua54 = MEM_RUNS, luajit = 1 }, duration_s = SECONDS,
  method = "each figure is the median over the rounds; each ratio the median of the per-round " ..
           "ratios against the baseline measured in the same round",
  rows = {}, misses = misses, failures = failures,
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
-- Missed targets are results; a measurement that failed is a broken bench.
if failures > 0 then os.exit(1) end
