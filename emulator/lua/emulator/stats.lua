-- Request counters for the control endpoint (/__emulator/stats).

local M = {}

local s

function M.reset()
  s = { requests = 0, errors = 0, by_action = {}, by_code = {} }
end
M.reset()

function M.request() s.requests = s.requests + 1 end

function M.action(name)
  s.by_action[name] = (s.by_action[name] or 0) + 1
end

function M.error(code)
  s.errors = s.errors + 1
  s.by_code[code] = (s.by_code[code] or 0) + 1
end

function M.get() return s end

return M
