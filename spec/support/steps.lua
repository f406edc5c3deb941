-- drain(iterator) -> every step of an iterator (pages, items), errors
-- included, as { {value, err}, ... }.
return function(iter)
  local steps = {}
  for v, err in iter do steps[#steps + 1] = { v, err } end
  return steps
end
