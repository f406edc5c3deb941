-- How a Lua value becomes the text of a parameter, a query value or a path
-- value, for every client: strings as they are, booleans as true/false,
-- numbers without ".0" or exponent for integers; anything else is an error
-- naming the parameter. cloudapi.json(v) marks a value to send as one
-- JSON string.
local json = require "cloudapi.json"

local M = {}

local json_mt = { __name = "cloudapi.json" }

-- Send v as one JSON-encoded parameter (e.g. ECS InstanceIds).
function M.json(v)
  return setmetatable({ value = v }, json_mt)
end

-- is_json(t) -> whether t was made by M.json
function M.is_json(t)
  return getmetatable(t) == json_mt
end

-- scalar(v, what, name) -> string | nil, "<what> '<name>' ..." (the
-- message is only built on failure)
function M.scalar(v, what, name)
  local tv = type(v)
  if tv == "string" then
    if v:find("\0", 1, true) then return nil, what .. " '" .. name .. "' contains a NUL byte" end
    return v
  end
  if tv == "boolean" then return v and "true" or "false" end
  if tv == "number" then
    local s, why = json.format_number(v)
    if not s then return nil, what .. " '" .. name .. "': " .. why end
    return s
  end
  return nil, what .. " '" .. name .. "': a " .. tv .. " cannot be sent"
end

return M
