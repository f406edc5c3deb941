-- The command line into its three parts: the fixed flags (cli/flags.lua),
-- the API call's free-form parameters (--Name value, --Tag.1.Key k,
-- --Name=value), and the positional words (product, action / service,
-- method, path). lua-argparse cannot take the free-form part: it refuses
-- any option it was not told of, and the parameters are open-ended.
local flags = require "cloudapi.cli.flags"

local M = {}

local function usage(fmt, ...)
  return nil, string.format(fmt, ...)
end

-- The key=value words after a "words" flag, from argv[i].
local function words(spec, argv, i)
  local out, n = {}, 0
  local first = argv[i]
  if first and spec.first and spec.first[first] then
    return { word = first }, i + 1
  end
  while argv[i] do
    local k, v = argv[i]:match("^([%a_]+)=(.*)$")
    if not k then break end
    if not spec.keys[k] then
      local known = {}
      for name in pairs(spec.keys) do known[#known + 1] = name .. "=" end
      table.sort(known)
      return usage("--%s: unknown field '%s=' (known: %s)", spec.name, k, table.concat(known, " "))
    end
    if out[k] ~= nil then return usage("--%s: %s= given twice", spec.name, k) end
    out[k] = v
    n = n + 1
    i = i + 1
  end
  if n == 0 and not spec.optional then return usage("--%s needs %s", spec.name, spec.arg) end
  return out, i
end

-- parse(argv) -> { flags = {name = value}, params = {{name, value}, ...},
-- positional = {...} } | nil, usage message
function M.parse(argv)
  local out = { flags = {}, params = {}, positional = {} }
  local seen = {}
  local i = 1
  while argv[i] do
    local a = argv[i]
    local name, inline = a:match("^%-%-([^=]+)=(.*)$")
    if not name then name = a:match("^%-%-(.+)$") end
    if a == "-h" then name = "help" end
    if not name then
      if a:sub(1, 1) == "-" and a ~= "-" then return usage("unknown option '%s'", a) end
      out.positional[#out.positional + 1] = a
      i = i + 1
    else
      local spec = flags.BY_NAME[name]
      local value
      if spec and spec.takes == "switch" then
        if inline then return usage("--%s takes no value", name) end
        value, i = true, i + 1
      elseif spec and spec.takes == "words" then
        if inline then return usage("--%s takes words after it: --%s %s", name, name, spec.arg) end
        value, i = words(spec, argv, i + 1)
        if not value then return nil, i end
      else
        value = inline
        if value == nil then
          value = argv[i + 1]
          if value == nil then return usage("--%s needs a value", name) end
          if value:sub(1, 2) == "--" and #value > 2 then -- the next flag, not this one's value
            return usage("--%s needs a value, got the flag %s (write --%s=%s for that value)", name, value, name,
                         value)
          end
          i = i + 2
        else
          i = i + 1
        end
      end
      if spec then
        if spec.repeatable then
          local list = out.flags[name] or {}
          list[#list + 1] = value
          out.flags[name] = list
        elseif out.flags[name] ~= nil then
          return usage("--%s given twice", name)
        else
          out.flags[name] = value
        end
      else
        if seen[name] then return usage("parameter --%s given twice", name) end
        seen[name] = true
        out.params[#out.params + 1] = { name, value }
      end
    end
  end
  for _, p in ipairs(out.flags.param or {}) do
    local k, v = p:match("^([^=]+)=(.*)$")
    if not k then return usage("--param needs NAME=VALUE, got '%s'", p) end
    if seen[k] then return usage("parameter %s given twice", k) end
    seen[k] = true
    out.params[#out.params + 1] = { k, v }
  end
  return out
end

return M
