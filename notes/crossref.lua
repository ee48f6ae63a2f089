-- crossref.lua: numbered equations and figures the text can link to.
--
-- Equations. A display equation numbered \tag{N.k} becomes the link target
-- eq-N.k (a span with that id around the math). A reference "(N.k)" in the
-- text, to a tag of any lesson, becomes a link to it: on the same page
-- "#eq-N.k", otherwise "NN-topic.html#eq-N.k". Only tags that exist are
-- linked, so "(0.5)" that is not an equation number stays text.
--
-- Figures. Every figure (an image alone in its paragraph, with a caption) of
-- a lesson is numbered in order: its caption starts "Figure N.k." and it gets
-- the id fig-N.k. "Figure N.k" (or "Fig. N.k") in the text links to it.
--
-- Interactive figures. A div with class "widget" and data-widget="NAME"
-- (::: {.widget data-widget="conv-taps"} in markdown) is kept when the
-- widget NAME was built for this site, and dropped otherwise: the static
-- figure beside it remains. A name that no widget has stops the build.
--
-- The driver runs the filter twice. In the first pass (NOTES_XREF_OUT set)
-- it appends to that file one line per equation tag and figure,
-- "eq<TAB>N.k<TAB>slug" and "fig<TAB>N.k<TAB>slug"; the second pass reads the
-- whole list from NOTES_XREF. NOTES_PRINT=1 renders for the one-page print
-- version, in which every id carries the chapter's prefix "slug-".

local lib = dofile(pandoc.path.join({
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "notes-lib.lua"}))

local function env(name)
  local v = os.getenv(name)
  if v == "" then return nil end
  return v
end

local out_path = env("NOTES_XREF_OUT")
local print_mode = os.getenv("NOTES_PRINT") == "1"
local chapter = tonumber(os.getenv("NOTES_CHAPTER") or "")
-- The lesson this page belongs to, e.g. "01-convolution".
local slug = lib.base:match("^chapters/(%d%d%-[^/]+)$")
    or lib.base:match("^solutions/(%d%d%-[^/]+)$")
local is_lesson = lib.source:match("^chapters/%d%d%-[^/]+/lesson%.md$") ~= nil

-- Known targets: kind .. " " .. number -> slug of the lesson holding it.
local known = {}
local xref_in = env("NOTES_XREF")
if xref_in and not out_path then
  local f = io.open(xref_in, "r")
  if f then
    for line in f:lines() do
      local kind, num, where = line:match("^(%a+)\t([^\t]+)\t(.+)$")
      if kind then known[kind .. " " .. num] = where end
    end
    f:close()
  end
end

local widgets_built = {}
for name in (os.getenv("NOTES_WIDGETS_BUILT") or ""):gmatch("[%w_-]+") do
  widgets_built[name] = true
end
local widgets_known = {}
for name in (os.getenv("NOTES_WIDGETS_KNOWN") or ""):gmatch("[%w_-]+") do
  widgets_known[name] = true
end

local records = {}
local function record(kind, num)
  if slug then table.insert(records, kind .. "\t" .. num .. "\t" .. slug) end
end

-- The href of target `kind num` (eq or fig), or nil when it is unknown.
local function href(kind, num)
  local where = known[kind .. " " .. num]
  if not where then return nil end
  local id = kind .. "-" .. num
  if print_mode then return "#" .. where .. "-" .. id end
  if is_lesson and where == slug then return "#" .. id end
  return where .. ".html#" .. id
end

local function link(text, kind, num, target)
  local cls = kind == "eq" and "eqref" or "figref"
  if print_mode then
    -- pandoc would prefix "#..." with this chapter's id prefix; the target
    -- may lie in another chapter, so the link is written as it must be.
    return pandoc.RawInline("html", string.format('<a class="%s" href="%s">%s</a>',
      cls, target, text:gsub("&", "&amp;"):gsub("<", "&lt;")))
  end
  return pandoc.Link({pandoc.Str(text)}, target, "", pandoc.Attr("", {cls}))
end

-- Splits a Str holding "(N.k)" references into text and links.
local function eq_refs(text)
  local result, pos, changed = pandoc.List(), 1, false
  while true do
    local s, e, num = text:find("%((%d+%.%d+)%)", pos)
    if not s then break end
    local target = href("eq", num)
    if target then
      if s > pos then result:insert(pandoc.Str(text:sub(pos, s - 1))) end
      result:insert(link(text:sub(s, e), "eq", num, target))
      changed = true
    else
      result:insert(pandoc.Str(text:sub(pos, e)))
    end
    pos = e + 1
  end
  if not changed then return nil end
  if pos <= #text then result:insert(pandoc.Str(text:sub(pos))) end
  return result
end

local FIG_WORDS = {Figure = true, figure = true, Figures = true,
  figures = true, ["Fig."] = true, ["fig."] = true}

local function link_inlines(inlines)
  local out, i, changed = pandoc.List(), 1, false
  while i <= #inlines do
    local el = inlines[i]
    local nxt, after = inlines[i + 1], inlines[i + 2]
    if el.t == "Str" and FIG_WORDS[el.text] and nxt and nxt.t == "Space"
        and after and after.t == "Str" then
      local num, rest = after.text:match("^(%d+%.%d+)(.*)$")
      local target = num and href("fig", num)
      if target then
        out:insert(el); out:insert(nxt)
        out:insert(link(num, "fig", num, target))
        if rest ~= "" then
          local more = eq_refs(rest)
          if more then out:extend(more) else out:insert(pandoc.Str(rest)) end
        end
        i = i + 3
        changed = true
        goto continue
      end
    end
    if el.t == "Str" then
      local parts = eq_refs(el.text)
      if parts then out:extend(parts); changed = true else out:insert(el) end
    else
      out:insert(el)
    end
    i = i + 1
    ::continue::
  end
  if changed then return out end
  return nil
end

local function is_figure(block)
  return block.t == "Para" and #block.content == 1 and
      block.content[1].t == "Image" and
      (block.content[1].title or ""):match("^fig:") ~= nil
end

function Pandoc(doc)
  local numbering = is_lesson and chapter ~= nil
  local figures = 0

  doc = doc:walk({
    Math = function(m)
      if m.mathtype ~= "DisplayMath" then return nil end
      local tag = m.text:match("\\tag%*?%s*{%s*([^}]-)%s*}")
      if not tag then return nil end
      if out_path then record("eq", tag); return nil end
      if not is_lesson then return nil end
      return pandoc.Span({m}, pandoc.Attr("eq-" .. tag, {"equation"}))
    end,
  })

  if numbering then
    doc = doc:walk({
      Para = function(p)
        if not is_figure(p) then return nil end
        figures = figures + 1
        local num = string.format("%d.%d", chapter, figures)
        if out_path then record("fig", num); return nil end
        local img = p.content[1]
        img.identifier = "fig-" .. num
        local label = pandoc.List({pandoc.Strong({pandoc.Str("Figure " .. num .. ".")}),
          pandoc.Space()})
        label:extend(img.caption)
        img.caption = label
        return pandoc.Para({img})
      end,
    })
  end

  if out_path then
    local f = io.open(out_path, "a")
    if not f then lib.fail("cannot write the cross-reference list " .. out_path .. ".") end
    for _, line in ipairs(records) do f:write(line, "\n") end
    f:close()
    return nil
  end

  local uses_widget = false
  doc = doc:walk({
    traverse = "topdown",
    Div = function(div)
      if not div.classes:includes("widget") then return nil end
      local name = div.attributes["widget"] or div.attributes["data-widget"] or ""
      if not widgets_known[name] then
        lib.fail(string.format('there is no interactive figure "%s"; the div '
          .. 'with class widget needs data-widget= one of: %s.', name,
          (os.getenv("NOTES_WIDGETS_KNOWN") or ""):gsub(" ", ", ")))
      end
      if not widgets_built[name] or print_mode then return {}, false end
      uses_widget = true
      return div, false
    end,
    Link = function(l) return l, false end,
    Code = function(c) return c, false end,
    Math = function(m) return m, false end,
    Inlines = link_inlines,
  })
  if uses_widget then doc.meta["widgets"] = true end
  return doc
end
