-- Paging styles on plain answer tables (no network): detection from the
-- request and the first answer, advancing, the loop guards; and the dotted
-- path lookup every reader of paths shares. The ROA styles are checked
-- here; against a server they come with the ROA client.
local styles = require "cloudapi.page_styles"
local lookup = require "cloudapi.lookup"
local paginate = require "cloudapi.paginate"
local json = require "cloudapi.json"

-- Feeds answers to a cursor and collects what it asks for next.
local function run(named, params, answers, counts)
  local c = assert(styles.cursor(named, params))
  local out = {}
  for i, a in ipairs(answers) do
    local nxt, why = c:feed(a, counts and counts[i])
    out[i] = nxt == false and ("error: " .. why) or nxt or "last"
  end
  return out, c
end

describe("page styles", function()
  it("Alibaba RPC token: NextToken/MaxResults, from the request", function()
    local out, c = run(nil, { MaxResults = 2 }, {
      { NextToken = "t1", Instances = {} }, { NextToken = "t2" }, { NextToken = "" } }, { 2, 2, 1 })
    assert.are.same({ { NextToken = "t1" }, { NextToken = "t2" }, "last" }, out)
    assert.are.equal("token", c.variant.style)
    assert.are.equal("NextToken", c:next_field())
  end)

  it("token detected from the first answer; an absent or null token ends", function()
    assert.are.same({ { NextToken = "a" }, "last" }, (run(nil, {}, { { NextToken = "a", TotalCount = 9 }, {} })))
    assert.are.same({ { NextToken = "a" }, "last" }, (run(nil, {}, { { NextToken = "a" }, { NextToken = json.null } })))
  end)

  it("a repeated token ends with the reason, also a token given first", function()
    local out = run(nil, { NextToken = "start" }, { { NextToken = "t1" }, { NextToken = "t1" } })
    assert.are.same({ NextToken = "t1" }, out[1])
    assert.are.equal("error: the answer to page 2 repeats NextToken 't1', which an earlier page gave: " ..
                     "paging would never end", out[2])
    local again = run(nil, { NextToken = "start" }, { { NextToken = "start" } })
    assert.are.equal("error: the answer to page 1 repeats NextToken 'start', which an earlier page gave: " ..
                     "paging would never end", again[1])
    local cycle = run(nil, {}, { { NextToken = "a" }, { NextToken = "b" }, { NextToken = "a" } })
    assert.is_truthy(cycle[3]:find("^error: the answer to page 3 repeats NextToken 'a'"))
  end)

  it("an empty token page with a new token goes on (servers may filter a whole page away)", function()
    assert.are.same({ { NextToken = "t1" }, { NextToken = "t2" } },
                    (run("token", {}, { { NextToken = "t1" }, { NextToken = "t2" } }, { 0, 0 })))
  end)

  it("Alibaba RPC number: PageNumber/PageSize/TotalCount", function()
    local out, c = run(nil, { PageSize = 10 }, {
      { TotalCount = 25, PageNumber = 1, PageSize = 10 },
      { TotalCount = 25, PageNumber = 2, PageSize = 10 },
      { TotalCount = 25, PageNumber = 3, PageSize = 10 } }, { 10, 10, 5 })
    assert.are.same({ { PageNumber = 2 }, { PageNumber = 3 }, "last" }, out)
    assert.are.equal("number", c.variant.style)
    assert.is_nil(c:next_field())
  end)

  it("number starts where the request says, and knows the size from the answer", function()
    assert.are.same({ { PageNumber = 4 }, "last" }, (run(nil, { PageNumber = 3 }, {
      { TotalCount = 40, PageNumber = 3, PageSize = 10 }, { TotalCount = 40, PageNumber = 4, PageSize = 10 } },
      { 10, 10 })))
    -- exactly full: no extra request
    local full = { TotalCount = 5, PageNumber = 1, PageSize = 5 }
    assert.are.same({ "last" }, (run(nil, { PageSize = 5 }, { full }, { 5 })))
    local none = { TotalCount = 0, PageNumber = 1, PageSize = 5 }
    assert.are.same({ "last" }, (run(nil, { PageSize = 5 }, { none }, { 0 })))
  end)

  it("number: an empty page while the total says more, or another page echoed, is an error", function()
    local out = run(nil, { PageSize = 10 }, {
      { TotalCount = 30, PageNumber = 1, PageSize = 10 }, { TotalCount = 30, PageNumber = 2, PageSize = 10 } },
      { 10, 0 })
    assert.are.equal("error: page 2 is empty but TotalCount says 30 (10 before it): the server lost items " ..
                     "while paging", out[2])
    local echo = run(nil, { PageSize = 10 }, {
      { TotalCount = 30, PageNumber = 1, PageSize = 10 }, { TotalCount = 30, PageNumber = 1, PageSize = 10 } },
      { 10, 10 })
    assert.are.equal("error: asked for page 2, the answer says PageNumber 1", echo[2])
  end)

  it("ROA number: page_number/page_size with page_info.total_count", function()
    local out, c = run(nil, { page_size = 2 }, {
      { clusters = { 1, 2 }, page_info = { page_number = 1, page_size = 2, total_count = 5 } },
      { clusters = { 3, 4 }, page_info = { page_number = 2, page_size = 2, total_count = 5 } },
      { clusters = { 5 }, page_info = { page_number = 3, page_size = 2, total_count = 5 } } }, { 2, 2, 1 })
    assert.are.same({ { page_number = 2 }, { page_number = 3 }, "last" }, out)
    assert.are.equal("page_info.total_count", c.variant.total)
    -- detected from the answer alone
    assert.are.same({ { page_number = 2 } }, (run(nil, {}, {
      { page_info = { page_number = 1, page_size = 2, total_count = 5 } } }, { 2 })))
    local lost = run("number", { page_number = 2, page_size = 2 }, {
      { page_info = { page_number = 2, page_size = 2, total_count = 5 } } }, { 0 })
    assert.are.equal("error: page 1 is empty but page_info.total_count says 5 (2 before it): the server lost " ..
                     "items while paging", lost[1])
  end)

  it("ROA token: next_token/max_results", function()
    local out, c = run(nil, { max_results = 50 }, { { next_token = "n1" }, { next_token = "n1" } })
    assert.are.same({ next_token = "n1" }, out[1])
    assert.is_truthy(out[2]:find("repeats next_token 'n1'", 1, true))
    assert.are.equal("next_token", c.variant.cursor)
  end)

  it("Huawei offset/limit with total_count: the offset moves by the items received", function()
    local out, c = run(nil, { limit = 10 }, { { total_count = 25 }, { total_count = 25 }, { total_count = 25 } },
                       { 10, 10, 5 })
    assert.are.same({ { offset = 10 }, { offset = 20 }, "last" }, out)
    assert.are.equal("offset", c.variant.style)
    -- a server capping the page below the limit: still every item, once
    assert.are.same({ { offset = 3 }, { offset = 6 } },
                    (run("offset", { limit = 1000 }, { { total_count = 9 }, { total_count = 9 } }, { 3, 3 })))
    local lost = run(nil, { offset = 10, limit = 10 }, { { total_count = 25 } }, { 0 })
    assert.are.equal("error: page 1 is empty but total_count says 25 (10 before it): the server lost items " ..
                     "while paging", lost[1])
  end)

  it("Huawei marker/limit with page_info.next_marker; limit alone is decided by the answer", function()
    local out, c = run(nil, { limit = 5 }, {
      { page_info = { next_marker = "id5", current_count = 5 } },
      { page_info = { next_marker = "id10", previous_marker = "id6" } },
      { page_info = { current_count = 2 } } }, { 5, 5, 2 })
    assert.are.same({ { marker = "id5" }, { marker = "id10" }, "last" }, out)
    assert.are.equal("marker", c.variant.style)
    local same = { page_info = { next_marker = "id5" } }
    local loop = run(nil, { limit = 5 }, { same, same })
    assert.is_truthy(loop[2]:find("repeats page_info.next_marker 'id5'", 1, true))
  end)

  it("an answer without paging fields is a single page; a named style narrows detection", function()
    assert.are.same({ "last" }, (run(nil, {}, { { Regions = { Region = { 1, 2 } } } }, { 2 })))
    -- named offset: the answer's NextToken is not followed
    assert.are.same({ { offset = 1 } }, (run("offset", {}, { { NextToken = "x", total_count = 3 } }, { 1 })))
  end)

  it("refuses an unknown style by name", function()
    local c, why = styles.cursor("pages")
    assert.is_nil(c)
    assert.are.equal('paging must be "token", "number", "offset" or "marker", got "pages"', why)
    assert.are.equal('paging must be "token", "number", "offset" or "marker", got a number',
                     select(2, styles.cursor(1)))
  end)
end)

describe("dotted paths", function()
  local doc = { Instances = { Instance = { { InstanceId = "i-1", Tags = { Tag = { { TagKey = "env" } } } },
                                           { InstanceId = "i-2" } } },
                map = { ["1"] = "one" }, n = json.null }

  it("reads fields and 1-based indexes", function()
    assert.are.equal("i-1", lookup.get(doc, "Instances.Instance.1.InstanceId"))
    assert.are.equal("i-2", lookup.get(doc, "Instances.Instance.2.InstanceId"))
    assert.are.equal("env", lookup.get(doc, "Instances.Instance.1.Tags.Tag.1.TagKey"))
    assert.are.equal("one", lookup.get(doc, "map.1"))
    assert.are.equal(2, #lookup.get(doc, "Instances.Instance"))
  end)

  it("gives nil for a missing step, a null, or a step into a string", function()
    assert.is_nil(lookup.get(doc, "Instances.Instance.3.InstanceId"))
    assert.is_nil(lookup.get(doc, "n"))
    assert.is_nil(lookup.get(doc, "Instances.Instance.1.InstanceId.x"))
    assert.is_nil(lookup.get("text", "a"))
  end)

  it("refuses malformed paths with the reason", function()
    assert.are.same({ nil, "path 'a..b' has an empty segment" }, { lookup.parse("a..b") })
    assert.are.same({ nil, "path 'a.0': indexes start at 1" }, { lookup.parse("a.0") })
    assert.are.same({ nil, "the path is empty" }, { lookup.parse("") })
    assert.are.same({ nil, 'a path must be a string such as "Instances.Instance"' }, { lookup.parse(5) })
  end)

  it("sets values, making tables on the way", function()
    local t = {}
    lookup.set(t, "a.b.c", 1)
    assert.are.same({ a = { b = { c = 1 } } }, t)
  end)

  it("finds the list of a page whose item path is not given", function()
    assert.are.same({ "Instances.Instance", doc.Instances.Instance }, { paginate.find_list(doc) })
    assert.are.equal("endpoint_services", (paginate.find_list({ total_count = 1, endpoint_services = { {} } })))
    assert.is_nil(paginate.find_list({ Instances = { Instance = {} }, TotalCount = 0 }))
  end)
end)
