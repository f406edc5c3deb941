-- busted --helper: keep a reference to every error object the library
-- creates during the whole run, so the last spec (zz_secret_scan_spec.lua)
-- can scan them, as the user would see them (after redaction), for secrets.
local errors = require "cloudapi.errors"

local log = { errors = {} }
package.loaded["support.error_log"] = log -- survives busted's per-file insulation

local new = errors.new
errors.new = function(fields)
  local e = new(fields)
  log.errors[#log.errors + 1] = e
  return e
end
