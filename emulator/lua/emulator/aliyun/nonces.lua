-- SignatureNonce replay protection: every nonce seen per AccessKeyId is
-- remembered for the server's life (or until a control reset).

local M = {}

local seen, total = {}, 0

-- True the first time (ak, nonce) is presented, false ever after.
function M.use(ak, nonce)
  local s = seen[ak]
  if not s then s = {}; seen[ak] = s end
  if s[nonce] then return false end
  s[nonce] = true
  total = total + 1
  return true
end

function M.count() return total end

function M.reset() seen, total = {}, 0 end

return M
