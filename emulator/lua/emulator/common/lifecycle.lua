-- Resources that pass through a state before the one a client waits for
-- (an ECS instance is Starting before Running, a VPCEP service creating
-- before available). A change is a record {passing, final, at}; the state a
-- reader sees is computed when read, so no timer runs. The time a change
-- takes is one control switch (POST /__emulator/lifecycle).

local M = {}

M.DEFAULT_SECONDS = 1

local seconds = M.DEFAULT_SECONDS

function M.reset() seconds = M.DEFAULT_SECONDS end

function M.seconds() return seconds end

-- set(s) -> true | nil, reason
function M.set(s)
  if type(s) ~= "number" or s ~= s or s < 0 or s > 3600 then
    return nil, "seconds must be a number from 0 to 3600"
  end
  seconds = s
  return true
end

-- change(passing, final) -> a record: `passing` until the time is up, then `final`.
function M.change(passing, final)
  return { passing = passing, final = final, at = ngx.now() + seconds }
end

-- state(v) -> the state now: v itself unless it is a change record.
function M.state(v)
  if type(v) ~= "table" then return v end
  if ngx.now() >= v.at then return v.final end
  return v.passing
end

return M
