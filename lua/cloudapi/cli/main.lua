-- The cloudapi command's entry: the arguments parsed (cli/args.lua), then
-- --version, help, or an API command through its cloud's adapter:
--   cloudapi huaweicloud SERVICE METHOD /path ...   cli/huawei.lua
--   cloudapi PRODUCT METHOD /path ...               ROA (REST) products: not yet
--   cloudapi PRODUCT Action ...                     cli/rpc.lua
-- main(argv [, out, err]) -> exit status (0, 1, 2, 3: cli/report.lua).
local args = require "cloudapi.cli.args"
local report = require "cloudapi.cli.report"

local M = {}

local HTTP_METHODS = { GET = true, POST = true, PUT = true, PATCH = true, DELETE = true, HEAD = true }

-- adapter(positional) -> adapter module | nil, reason
local function adapter(pos)
  if pos[1] == "huaweicloud" then return require "cloudapi.cli.huawei" end
  if pos[2] and HTTP_METHODS[pos[2]:upper()] and (pos[3] or ""):sub(1, 1) == "/" then
    return nil, "cloudapi " .. pos[1] .. " " .. pos[2] .. " " .. pos[3] ..
                ": ROA (REST) products such as cs are not supported by the command yet"
  end
  return require "cloudapi.cli.rpc"
end

function M.main(argv, out, err)
  out, err = out or io.stdout, err or io.stderr
  local parsed, why = args.parse(argv)
  local as_json = parsed and parsed.flags.output and parsed.flags.output.word == "json"
  local function usage(msg)
    err:write(report.error(report.usage(msg), as_json))
    return report.USAGE
  end
  if not parsed then return usage(why) end
  local f, pos = parsed.flags, parsed.positional
  if f.version then
    out:write("cloudapi " .. require("cloudapi.version") .. "\n")
    return report.OK
  end
  local help = require "cloudapi.cli.help"
  if f.help then
    local text = help.usage()
    if pos[1] and pos[1] ~= "help" then
      text, why = help.product(pos[1], pos[2])
      if not text then return usage(why) end
    end
    out:write(text)
    return report.OK
  end
  if #pos == 0 then
    err:write(help.usage())
    return report.USAGE
  end
  if pos[1] == "help" then
    local text
    text, why = help.product(pos[2], pos[3])
    if not text then return usage(why) end
    out:write(text)
    return report.OK
  end
  if pos[1] == "configure" then
    return usage("cloudapi configure: credential profiles are not supported yet; use the environment")
  end
  local a
  a, why = adapter(pos)
  if not a then return usage(why) end
  return require("cloudapi.cli.command").run(parsed, a, out, err)
end

return M
