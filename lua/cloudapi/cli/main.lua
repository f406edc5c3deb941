-- The cloudapi command's entry: the arguments parsed (cli/args.lua), then
-- --version, help, configure list (cli/configure.lua), or an API command
-- through its cloud's adapter:
--   cloudapi huaweicloud SERVICE METHOD /path ...   cli/huawei.lua
--   cloudapi PRODUCT METHOD /path ...               cli/roa.lua (ROA products: cli/styles.lua)
--   cloudapi PRODUCT Action ...                     cli/rpc.lua
-- main(argv [, out, err]) -> exit status (0, 1, 2, 3: cli/report.lua).
local args = require "cloudapi.cli.args"
local report = require "cloudapi.cli.report"

local M = {}

-- Whether the command line asks for --output json, read from the words
-- themselves: a line that does not parse gets its error as JSON too.
local function wants_json(argv)
  for i = 1, #argv - 1 do
    if argv[i] == "--output" then return argv[i + 1] == "json" end
  end
  return false
end

-- adapter(positional, flags) -> adapter module | nil, reason
local function adapter(pos, f)
  if pos[1] == "huaweicloud" then return require "cloudapi.cli.huawei" end
  local style, why = require("cloudapi.cli.styles").choose(pos, f.style)
  if not style then return nil, why end
  return require("cloudapi.cli." .. style)
end

local function run(argv, out, err)
  local parsed, why = args.parse(argv)
  local as_json = wants_json(argv)
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
      text, why = help.product(pos[1], pos[2], f.style)
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
    text, why = help.product(pos[2], pos[3], f.style)
    if not text then return usage(why) end
    out:write(text)
    return report.OK
  end
  if pos[1] == "configure" then return require("cloudapi.cli.configure").run(parsed, out, err) end
  local a
  a, why = adapter(pos, f)
  if not a then return usage(why) end
  return require("cloudapi.cli.command").run(parsed, a, out, err)
end

-- main(argv [, out, err]) -> the exit status. Output that could not be
-- written (a full disk, a closed pipe) is a failure, never a quiet 0.
function M.main(argv, out, err)
  out, err = out or io.stdout, err or io.stderr
  local status = run(argv, out, err)
  local ok, why = out:flush()
  if not ok then
    err:write("cloudapi: cannot write the output: " .. tostring(why) .. "\n")
    if status == report.OK then status = report.SERVICE end
  end
  return status
end

return M
