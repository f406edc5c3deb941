-- Which failures are worth another attempt (Alibaba API conventions:
-- throttling and 5xx retry; other 4xx do not, unless the service says
-- "Try it later"; network failures retry).
local M = {}

local THROTTLING = {
  Throttling = true, ServiceBusy = true, FlowControlError = true,
  ["APIGW.0308"] = true,
}

-- retryable{kind=, status=, code=, message=} -> boolean
function M.retryable(e)
  if e.kind == "network" or e.kind == "timeout" then return true end
  if e.kind ~= "service" then return false end
  local code = type(e.code) == "string" and e.code or ""
  if THROTTLING[code] or code:match("^Throttling%.") then return true end
  if code:match("^InvalidIdempotenceParameter") then return false end
  if type(e.status) == "number" then
    if e.status >= 500 or e.status == 429 then return true end
  end
  if type(e.message) == "string" and e.message:lower():find("try it later", 1, true) then
    return true
  end
  return false
end

return M
