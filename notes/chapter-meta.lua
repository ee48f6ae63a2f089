-- chapter-meta.lua: gives every page a title. A page may set `title:` in its
-- YAML block or simply start with a level-1 heading; in the second case the
-- heading becomes the title (and leaves the body, so it is neither shown
-- twice nor listed in the table of contents). Without either, the title is
-- NOTES_FALLBACK_TITLE_HTML, an HTML fragment chosen by build_notes.sh.

local function first_header(blocks)
  for i, block in ipairs(blocks) do
    if block.t == "Header" then return i, block end
  end
  return nil
end

-- The pages show the chapter's number beside its title, so a number the
-- title starts with ("01 · Convolution", "Chapter 1: Convolution",
-- "1. Convolution") is dropped from it; NOTES_CHAPTER names the chapter.
local SEPARATORS = {["·"] = true, [":"] = true, ["."] = true, ["-"] = true,
  ["–"] = true, ["—"] = true, ["|"] = true}

local function without_number(inlines, number)
  local list, i = pandoc.List(inlines), 1
  local function at(kind) return list[i] and list[i].t == kind end
  local function skip_space() while at("Space") do i = i + 1 end end
  skip_space()
  if at("Str") and list[i].text:lower() == "chapter" then
    i = i + 1; skip_space()
  end
  if not at("Str") then return inlines end
  local digits, mark = list[i].text:match("^(%d+)(%p*)$")
  if not digits or tonumber(digits) ~= number then return inlines end
  if mark ~= "" and not SEPARATORS[mark] then return inlines end
  local chapter_word = i > 1 and list[1].t == "Str"
  i = i + 1; skip_space()
  if mark == "" then
    if at("Str") and SEPARATORS[list[i].text] then
      i = i + 1; skip_space()
    elseif not chapter_word and #digits < 2 then
      return inlines   -- "2 + 2 ...": a number that is not a label
    end
  end
  if i > #list then return inlines end
  local rest = pandoc.List()
  for k = i, #list do rest:insert(list[k]) end
  return rest
end

function Pandoc(doc)
  local blocks, meta = doc.blocks, doc.meta
  local i, header = first_header(blocks)
  if meta.title ~= nil then
    -- A heading repeating the YAML title at the very top is dropped.
    if header and i == 1 and header.level == 1 and
        pandoc.utils.stringify(header.content) ==
        pandoc.utils.stringify(meta.title) then
      blocks:remove(i)
    end
  elseif header and header.level == 1 then
    meta.title = pandoc.MetaInlines(header.content)
    blocks:remove(i)
  else
    local html = os.getenv("NOTES_FALLBACK_TITLE_HTML") or "Untitled"
    meta.title = pandoc.MetaInlines({pandoc.RawInline("html", html)})
    meta.pagetitle = (html:gsub("<[^>]*>", ""))
  end
  local number = tonumber(os.getenv("NOTES_CHAPTER") or "")
  if number and pandoc.utils.type(meta.title) == "Inlines" then
    meta.title = pandoc.MetaInlines(without_number(meta.title, number))
  end
  return pandoc.Pandoc(blocks, meta)
end
