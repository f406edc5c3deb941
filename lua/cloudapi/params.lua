-- Flatten a caller's parameter table into the flat string map an RPC API
-- signs: booleans as true/false, integers without ".0" or exponent, arrays
-- as RepeatLists (Tag.1.Key), maps as dotted names, cloudapi.json(v) as one
-- JSON string. Anything else is an error naming the parameter.
local json = require "cloudapi.json"

local M = {}

local json_mt = { __name = "cloudapi.json" }

-- Send v as one JSON-encoded parameter (e.g. ECS InstanceIds).
function M.json(v)
  return setmetatable({ value = v }, json_mt)
end

local function scalar(v, name)
  local tv = type(v)
  if tv == "string" then
    if v:find("\0", 1, true) then
      return nil, "parameter '" .. name .. "' contains a NUL byte"
    end
    return v
  elseif tv == "number" then
    local s, why = json.format_number(v)
    if not s then return nil, "parameter '" .. name .. "': " .. why end
    return s
  elseif tv == "boolean" then
    return v and "true" or "false"
  end
  return nil, "parameter '" .. name .. "': a " .. tv .. " cannot be sent"
end

local function flatten(v, name, out, seen)
  if type(v) ~= "table" then
    local s, err = scalar(v, name)
    if not s then return nil, err end
    out[name] = s
    return true
  end
  if getmetatable(v) == json_mt then
    local s, err = json.encode(v.value, name)
    if not s then return nil, "parameter " .. err end
    out[name] = s
    return true
  end
  if seen[v] then return nil, "parameter '" .. name .. "' contains a cycle" end
  local kind, why = json.kind_of(v)
  if not kind then return nil, "parameter '" .. name .. "': " .. why end
  seen[v] = true
  if kind == "array" then
    for i = 1, #v do
      local ok, err = flatten(v[i], name .. "." .. i, out, seen)
      if not ok then return nil, err end
    end
  else
    for k, item in pairs(v) do
      local ok, err = flatten(item, name .. "." .. k, out, seen)
      if not ok then return nil, err end
    end
  end
  seen[v] = nil
  return true
end

local find, fmt = string.find, string.format
local math_type = math.type

-- flatten(params [, reserved]) -> flat table of string -> string | nil, reason
-- reserved: a set of top-level names the caller may not use. Plain strings,
-- integers and booleans take a fast path; tables the general one.
function M.flatten(params, reserved)
  local out = {}
  if params == nil then return out end
  if type(params) ~= "table" then
    return nil, "parameters must be a table, got a " .. type(params)
  end
  local seen
  for k, v in pairs(params) do
    if type(k) ~= "string" then
      return nil, "parameter names must be strings, got a " .. type(k) .. " (" .. tostring(k) .. ")"
    end
    if k == "" then return nil, "a parameter name is empty" end
    if reserved and reserved[k] then
      return nil, "parameter '" .. k .. "' is set by the client, not by the caller"
    end
    local tv = type(v)
    if tv == "string" and not find(v, "\0", 1, true) then
      out[k] = v
    elseif tv == "number" and math_type and math_type(v) == "integer" then
      out[k] = fmt("%d", v)
    elseif tv == "boolean" then
      out[k] = v and "true" or "false"
    else
      seen = seen or {}
      local ok, err = flatten(v, k, out, seen)
      if not ok then return nil, err end
    end
  end
  return out
end

return M
