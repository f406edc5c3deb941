-- Unsigned test-control endpoints under /__emulator/:
--   GET  ping    liveness probe (used by the start script)
--   GET  stats   counters and sizes of the in-memory state
--   POST reset   forget everything mutable (EIPs, snapshots, nonces, client
--                tokens, instance statuses, counters, pending faults)
--   GET  faults  pending faults;  POST faults  queue one (JSON body, see
--                faults.lua);  DELETE faults  drop them all

local cjson       = require "cjson.safe"
local stats       = require "emulator.stats"
local nonces      = require "emulator.nonces"
local idempotency = require "emulator.idempotency"
local faults      = require "emulator.faults"
local ecs         = require "emulator.ecs"
local vpc         = require "emulator.vpc"

local M = {}

local function reply(status, t)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(cjson.encode(t))
end

local function get_stats()
  local s = stats.get()
  local e, v = ecs.counts(), vpc.counts()
  return {
    requests = s.requests, errors = s.errors, by_action = s.by_action, by_code = s.by_code,
    eips = v.eips, snapshots = e.snapshots, instances_changed = e.instances_changed,
    nonces = nonces.count(), client_tokens = idempotency.count(),
    faults_pending = faults.pending(),
  }
end

local function reset()
  for _, m in ipairs({ stats, nonces, idempotency, faults, ecs, vpc }) do m.reset() end
end

local function add_fault()
  ngx.req.read_body()
  local spec = cjson.decode(ngx.req.get_body_data() or "")
  local ok, err = faults.add(spec)
  if not ok then return reply(400, { Code = "InvalidFault", Message = err }) end
  return reply(200, { ok = true, faults_pending = faults.pending() })
end

-- Encoded by hand: stock lua-cjson would render an empty list as {}.
local function list_faults()
  local items = {}
  for i, f in ipairs(faults.list()) do items[i] = cjson.encode(f) end
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print('{"pending":', faults.pending(), ',"faults":[', table.concat(items, ","), "]}")
end

local ROUTES = {
  ["GET ping"]      = function() reply(200, { ok = true }) end,
  ["GET stats"]     = function() reply(200, get_stats()) end,
  ["POST reset"]    = function() reset(); reply(200, { ok = true }) end,
  ["GET faults"]    = function() list_faults() end,
  ["POST faults"]   = add_fault,
  ["DELETE faults"] = function() faults.reset(); reply(200, { ok = true }) end,
}

function M.handle(name)
  local route = ROUTES[ngx.req.get_method() .. " " .. name]
  if not route then
    return reply(404, { Code = "NotFound", Message = "Unknown control endpoint or method: /__emulator/" .. name })
  end
  return route()
end

return M
