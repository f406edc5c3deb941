-- SHA-256 and HMAC-SHA256 for the emulator, straight from libcrypto through
-- LuaJIT's FFI (nginx is linked against it, so the symbols are normally
-- already loaded). Independent of the project's C core on purpose.
-- Only usable under LuaJIT; huawei/sign.lua takes these as injectable functions.

local ffi = require "ffi"

local M = {}

for _, decl in ipairs({
  "typedef struct evp_md_st EVP_MD;",
  "const EVP_MD *EVP_sha256(void);",
  "unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,"
    .. " const unsigned char *d, size_t n, unsigned char *md, unsigned int *md_len);",
  "unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);",
}) do
  pcall(ffi.cdef, decl) -- an identical earlier declaration is fine
end

local function has_symbols(lib)
  return pcall(function() return lib.EVP_sha256 and lib.HMAC and lib.SHA256 end)
end

local lib
if has_symbols(ffi.C) then
  lib = ffi.C
else
  for _, name in ipairs({ "crypto", "libcrypto.so.3", "libcrypto.so.1.1" }) do
    local ok, l = pcall(ffi.load, name)
    if ok and has_symbols(l) then lib = l; break end
  end
end
assert(lib, "emulator.crypto: libcrypto (HMAC, SHA256) not found")

local out = ffi.new("unsigned char[32]")
local outlen = ffi.new("unsigned int[1]")

-- Raw 32-byte digests.
function M.sha256(data)
  lib.SHA256(data, #data, out)
  return ffi.string(out, 32)
end

function M.hmac_sha256(key, msg)
  outlen[0] = 32
  assert(lib.HMAC(lib.EVP_sha256(), key, #key, msg, #msg, out, outlen) ~= nil, "HMAC failed")
  return ffi.string(out, outlen[0])
end

function M.hex(raw)
  return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function M.sha256_hex(data) return M.hex(M.sha256(data)) end

return M
