-- ClientToken idempotency: (AccessKeyId, Action, ClientToken) -> the action
-- parameters of the first call and its successful result, so a retry gets
-- the same resource instead of a second one.

local rpc_sign = require "emulator.aliyun.rpc_sign"

local M = {}

local store, total = {}, 0

-- Common parameters are not part of what the caller asked for: they change
-- on every retry (nonce, timestamp, signature) or only shape the answer.
local COMMON = {
  Timestamp = true, AccessKeyId = true, Format = true, Version = true,
  SecurityToken = true, ClientToken = true,
}
local function is_common(k)
  return COMMON[k] or k:sub(1, 9) == "Signature"
end

function M.valid_token(token)
  return #token <= 64 and not token:find("[^\32-\126]")
end

local function fingerprint(params)
  local rest = {}
  for k, v in pairs(params) do
    if not is_common(k) then rest[k] = v end
  end
  return rpc_sign.canonical_query(rest)
end

local function key(ak, action, token)
  return ak .. "\0" .. action .. "\0" .. token
end

-- Returns "replay", result | "mismatch" | "new", handle (pass to remember).
function M.lookup(ak, action, token, params)
  local k, fp = key(ak, action, token), fingerprint(params)
  local entry = store[k]
  if not entry then return "new", { key = k, fp = fp } end
  if entry.fp ~= fp then return "mismatch" end
  return "replay", entry.result
end

function M.remember(handle, result)
  if not store[handle.key] then total = total + 1 end
  store[handle.key] = { fp = handle.fp, result = result }
end

function M.count() return total end

function M.reset() store, total = {}, 0 end

return M
