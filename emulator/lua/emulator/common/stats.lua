-- Request counters for the control endpoint (/__emulator/stats).

local M = {}

local s
local seen_connections -- nginx connection serial numbers seen since reset

function M.reset()
  s = { requests = 0, errors = 0, by_action = {}, by_code = {}, connections = 0, faults_applied = {} }
  seen_connections = {}
end
M.reset()

function M.request() s.requests = s.requests + 1 end

function M.action(name)
  s.by_action[name] = (s.by_action[name] or 0) + 1
end

-- An injected fault of `kind` was applied to an API request.
function M.fault(kind)
  s.faults_applied[kind] = (s.faults_applied[kind] or 0) + 1
end

function M.error(code)
  s.errors = s.errors + 1
  s.by_code[code] = (s.by_code[code] or 0) + 1
end

-- Called for every API (non-control) request with ngx.var.connection:
-- counts the distinct TCP connections that carried API requests, so a test
-- can tell keep-alive reuse (1 connection) from reconnecting (N).
function M.connection(serial)
  if serial and not seen_connections[serial] then
    seen_connections[serial] = true
    s.connections = s.connections + 1
  end
end

function M.get() return s end

return M
