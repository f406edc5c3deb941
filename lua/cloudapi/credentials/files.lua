-- Credential files: where they are ($HOME), reading one with errors that
-- name the file (never its content), and a warning event when a file is
-- readable by group or others (not a failure: the official tools accept it).
local core = require "cloudapi.core"
local credentials = require "cloudapi.credentials"

local M = {}

-- home_path(".aliyun/config.json") -> "$HOME/.aliyun/config.json" | nil
function M.home_path(rel)
  local home = os.getenv("HOME")
  if home == nil or home == "" then return nil end
  return (home:gsub("/+$", "")) .. "/" .. rel
end

-- read(path, ctx, source) -> content | nil, err (err.missing when the
-- file does not exist). source: how events name the provider.
function M.read(path, ctx, source)
  local mode, why = core.file_mode(path)
  if not mode then
    if why == "No such file or directory" then
      return nil, credentials.error(path .. " does not exist", { missing = true })
    end
    return nil, credentials.error(path .. " cannot be read: " .. tostring(why))
  end
  local f, err = io.open(path, "rb")
  if not f then return nil, credentials.error(path .. " cannot be read: " .. tostring(err):gsub("^.-: ", "")) end
  local content = f:read("*a")
  f:close()
  if not content then return nil, credentials.error(path .. " cannot be read") end
  if mode % 64 ~= 0 and ctx and ctx.on_event then -- any of the group's or others' bits (0077)
    ctx.on_event{ type = "credentials", client = ctx.label, source = source,
                  warning = string.format("%s is readable by group or others (mode %04o): chmod 600 it",
                                          path, mode) }
  end
  return content
end

return M
