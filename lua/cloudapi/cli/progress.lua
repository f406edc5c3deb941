-- A progress line on stderr for --pager and --waiter, rewritten in place,
-- only when stderr is a terminal (a person watching, not a pipe or a log).
local core = require "cloudapi.core"

local M = {}

local Progress = {}
Progress.__index = Progress

-- new(stream [, enabled]) -> progress; enabled defaults to isatty(2)
function M.new(stream, enabled)
  if enabled == nil then enabled = core.isatty(2) end
  return setmetatable({ stream = stream, enabled = enabled, shown = false }, Progress)
end

function Progress:update(text)
  if not self.enabled then return end
  self.stream:write("\r", text, "\27[K")
  self.stream:flush()
  self.shown = true
end

function Progress:done()
  if self.shown then self.stream:write("\r\27[K") end
  self.shown = false
end

return M
