-- chapter-meta.lua: gives every page a title. A lesson may set `title:` in
-- its YAML block or simply start with a level-1 heading; in the second case
-- the heading becomes the title (and leaves the body, so it is not shown
-- twice or listed in the table of contents). Without either, the first
-- heading of any level names the page, else NOTES_FALLBACK_TITLE does.

local function first_header(blocks)
  for i, block in ipairs(blocks) do
    if block.t == "Header" then return i, block end
  end
  return nil
end

function Pandoc(doc)
  local blocks, meta = doc.blocks, doc.meta
  local i, header = first_header(blocks)
  if meta.title == nil then
    if header then
      meta.title = pandoc.MetaInlines(header.content)
      if header.level == 1 then blocks:remove(i) end
    else
      meta.title = os.getenv("NOTES_FALLBACK_TITLE") or "Untitled"
    end
  elseif header and i == 1 and header.level == 1 and
      pandoc.utils.stringify(header.content) ==
      pandoc.utils.stringify(meta.title) then
    blocks:remove(i)
  end
  return pandoc.Pandoc(blocks, meta)
end
