-- cloudapi: call Alibaba Cloud RPC and Huawei Cloud REST APIs from Lua.
-- Requiring it does no I/O; clients connect on their first call.
local values = require "cloudapi.values"
local json = require "cloudapi.json"

local M = {
  VERSION = require "cloudapi.version",
  json = values.json,   -- send a value as one JSON-string parameter
  array = json.array,   -- force a (possibly empty) table to encode as [ ]
  null = json.null,
}

-- Clients load on first use, so a script that needs one cloud pays for one.
local lazy = { aliyun = "cloudapi.aliyun", huaweicloud = "cloudapi.huaweicloud",
               errors = "cloudapi.errors", credentials = "cloudapi.credentials" }

-- all(calls, {concurrency = 16}) -> { {result, err, info}, ... } in order.
-- Each call is a function or {client, "method", args...}.
function M.all(calls, opts)
  return require("cloudapi.concurrent").all(calls, opts)
end
return setmetatable(M, {
  __index = function(t, k)
    local name = lazy[k]
    if not name then return nil end
    local mod = require(name)
    rawset(t, k, mod)
    return mod
  end,
})
