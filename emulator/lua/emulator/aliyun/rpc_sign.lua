-- Alibaba Cloud RPC signature v1 (HMAC-SHA1), written independently of the
-- project's C core so a client-side bug cannot hide behind a shared bug.
-- Loadable outside nginx: the HMAC and base64 primitives are injectable.

local M = {}

local byte, format, gsub = string.byte, string.format, string.gsub

-- RFC 3986: only A-Z a-z 0-9 - _ . ~ stay literal; every other byte
-- (including each byte of a UTF-8 sequence) becomes %XX with uppercase hex.
local function enc_byte(c)
  return format("%%%02X", byte(c))
end

function M.encode(s)
  return (gsub(s, "[^A-Za-z0-9%-_%.~]", enc_byte))
end

-- Canonical query: every param but Signature, sorted by raw key bytes
-- (Lua's < on strings is a byte comparison in the C locale nginx runs in).
function M.canonical_query(params)
  local keys = {}
  for k in pairs(params) do
    if k ~= "Signature" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do
    parts[i] = M.encode(k) .. "=" .. M.encode(params[k])
  end
  return table.concat(parts, "&")
end

function M.string_to_sign(method, params)
  return method .. "&%2F&" .. M.encode(M.canonical_query(params))
end

-- hmac_sha1(key, msg) -> raw 20-byte digest; b64(raw) -> base64 text.
-- Default to nginx's primitives when running inside the emulator.
function M.signature(method, params, secret, hmac_sha1, b64)
  hmac_sha1 = hmac_sha1 or ngx.hmac_sha1
  b64 = b64 or ngx.encode_base64
  local sts = M.string_to_sign(method, params)
  return b64(hmac_sha1(secret .. "&", sts)), sts
end

return M
