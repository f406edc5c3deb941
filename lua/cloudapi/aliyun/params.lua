-- Flatten a caller's parameter table into the flat string map an Alibaba
-- RPC API signs: arrays as RepeatLists (Tag.1.Key), maps as dotted names,
-- cloudapi.json(v) as one JSON string, scalars as cloudapi.values says.
-- The C core flattens the common cases itself (core.rpc_sign_args); this
-- is the general path, which names any parameter that cannot be sent.
local json = require "cloudapi.json"
local values = require "cloudapi.values"

local M = {}

local scalar, is_json = values.scalar, values.is_json

local function flatten(v, name, out, seen)
  if type(v) ~= "table" then
    local s, err = scalar(v, "parameter", name)
    if not s then return nil, err end
    out[name] = s
    return true
  end
  if is_json(v) then
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

-- flatten(params [, reserved]) -> flat table of string -> string | nil, reason
-- reserved: a set of top-level names the caller may not use.
function M.flatten(params, reserved)
  local out = {}
  if params == nil then return out end
  if type(params) ~= "table" then
    return nil, "parameters must be a table, got a " .. type(params)
  end
  local seen = {}
  for k, v in pairs(params) do
    if type(k) ~= "string" then
      return nil, "parameter names must be strings, got a " .. type(k) .. " (" .. tostring(k) .. ")"
    end
    if k == "" then return nil, "a parameter name is empty" end
    if reserved and reserved[k] then
      return nil, "parameter '" .. k .. "' is set by the client, not by the caller"
    end
    local ok, err = flatten(v, k, out, seen)
    if not ok then return nil, err end
  end
  return out
end

return M
