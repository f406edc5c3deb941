-- sh(cmd) -> whether a shell command succeeded (Lua 5.1 and 5.4 alike).
return function(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end
