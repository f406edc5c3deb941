-- How the command tells an Alibaba Cloud RPC product (cloudapi ecs
-- DescribeInstances ...) from a ROA (REST) one (cloudapi cs GET /clusters):
-- --style forces it, else the table below, else how the command is
-- written (an HTTP method after the product: ROA). A product's style depends on
-- its API version (CS 2015-12-15 is ROA); the table holds the versions the
-- library knows (aliyun/endpoints.lua).
local M = {}

M.STYLES = { cs = "roa", ecs = "rpc", vpc = "rpc", sts = "rpc" }

local METHODS = { GET = true, POST = true, PUT = true, PATCH = true, DELETE = true, HEAD = true }

-- is_method(word) -> whether word is an HTTP method, GET or get (an RPC
-- action such as Get is neither)
function M.is_method(word)
  return word ~= nil and METHODS[word:upper()] == true and (word == word:upper() or word == word:lower())
end

-- of(product [, forced]) -> "rpc" | "roa" | nil (not known)
function M.of(product, forced)
  return forced or M.STYLES[product:lower()]
end

-- choose(positional, forced) -> "rpc" | "roa" | nil, usage message.
-- forced: the --style flag's value, or nil.
function M.choose(pos, forced)
  if forced ~= nil and forced ~= "rpc" and forced ~= "roa" then
    return nil, "--style must be rpc or roa, got '" .. forced .. "'"
  end
  local product = pos[1]
  local written = pos[2] ~= nil and (M.is_method(pos[2]) and "roa" or "rpc") or nil
  local style = M.of(product, forced) or written or "rpc"
  if written == nil or written == style then return style end
  local name = product:lower()
  if style == "roa" then
    return nil, string.format("%s is a ROA (REST) product: cloudapi %s METHOD /path [--name value ...]%s", name,
                              name, forced and "" or " (--style rpc for an RPC version of it)")
  end
  return nil, string.format("%s is an RPC product: cloudapi %s Action [--Name value ...]%s", name, name,
                            forced and "" or " (--style roa for a ROA version of it)")
end

return M
