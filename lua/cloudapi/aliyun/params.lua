-- Flatten a caller's parameter table into the flat string map an Alibaba
-- RPC API signs: arrays as RepeatLists (Tag.1.Key), maps as dotted names,
-- cloudapi.json(v) as one JSON string, scalars as cloudapi.values says.
-- The C core flattens the common cases itself (core.rpc_sign_args); this
-- is the general path, which names any parameter that cannot be sent.
local json = require "cloudapi.json"
local values = require "cloudapi.values"
local tables = require "cloudapi.tables"

local M = {}

-- Parameters nested deeper than this are refused (a config error), long
-- before a deep table could exhaust the stack.
M.MAX_DEPTH = 100

local scalar, is_json = values.scalar, values.is_json

-- w: { out = name -> value, from = name -> the top-level parameter that
-- set it, seen = tables on the way down, top = the current top-level name }
local function flatten(v, name, w, depth)
  if type(v) ~= "table" then
    local s, err = scalar(v, "parameter", name)
    if not s then return nil, err end
    local before = w.from[name]
    if before then
      if before == w.top then return nil, "parameter '" .. before .. "' sets '" .. name .. "' twice" end
      local a, b = before, w.top
      if b < a then a, b = b, a end
      return nil, "parameters '" .. a .. "' and '" .. b .. "' both set '" .. name .. "'"
    end
    w.out[name], w.from[name] = s, w.top
    return true
  end
  if is_json(v) then
    local s, err = json.encode(v.value, name)
    if not s then return nil, "parameter " .. err end
    return flatten(s, name, w, depth)
  end
  if depth >= M.MAX_DEPTH then
    return nil, "parameter '" .. name:sub(1, 200) .. "...' is nested deeper than " .. M.MAX_DEPTH .. " levels"
  end
  local seen = w.seen
  if seen[v] then return nil, "parameter '" .. name .. "' contains a cycle" end
  local t, why = tables.plain(v)
  if not t then return nil, "parameter '" .. name .. "' " .. why end
  local kind
  kind, why = json.kind_of(t)
  if not kind then return nil, "parameter '" .. name .. "': " .. why end
  seen[v] = true
  if kind == "array" then
    for i = 1, #t do
      local ok, err = flatten(t[i], name .. "." .. i, w, depth + 1)
      if not ok then return nil, err end
    end
  else
    for k, item in pairs(t) do
      local ok, err = flatten(item, name .. "." .. k, w, depth + 1)
      if not ok then return nil, err end
    end
  end
  seen[v] = nil
  return true
end

-- flatten(params [, reserved]) -> flat table of string -> string | nil, reason
-- reserved: a set of top-level names the caller may not use. Two
-- parameters that flatten to the same name (["Tag.1.Key"] and Tag =
-- {{Key = ...}}) are an error naming both.
function M.flatten(params, reserved)
  local out = {}
  if params == nil then return out end
  if type(params) ~= "table" then
    return nil, "parameters must be a table, got a " .. type(params)
  end
  local top, why = tables.plain(params)
  if not top then return nil, "the parameters table " .. why end
  local w = { out = out, from = {}, seen = {}, top = nil }
  for k, v in pairs(top) do
    if type(k) ~= "string" then
      return nil, "parameter names must be strings, got a " .. type(k) .. " (" .. tostring(k) .. ")"
    end
    if k == "" then return nil, "a parameter name is empty" end
    if reserved and reserved[k] then
      return nil, "parameter '" .. k .. "' is set by the client, not by the caller"
    end
    w.top = k
    local ok, err = flatten(v, k, w, 0)
    if not ok then return nil, err end
  end
  return out
end

return M
