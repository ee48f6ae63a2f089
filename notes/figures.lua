-- figures.lua: makes a page's images and cross-links work inside the site.
--
-- Images are written relative to the page's source, as a code host shows
-- them: ![Caption.](../../plots/01-convolution/NAME.svg). Each one must
-- exist in the repository; it is recorded for the driver to copy to
-- figures/01-convolution/NAME.svg (figures/<path> for images outside plots/)
-- and the link is rewritten to that copy. Remote images are refused: the
-- notes work offline.
--
-- Links to another lesson (../02-pooling/lesson.md#section) become links to
-- its page (02-pooling.html#section), found by the chapter's number among
-- the lessons the driver lists in NOTES_LESSONS; a lesson not written yet
-- is shown as plain text. A link to notes/index.md goes to index.html. Links to remote hosts are kept as
-- their text with the address beside it, not as hyperlinks: nothing in the
-- site points outside it.

local lib = dofile(pandoc.path.join({
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "notes-lib.lua"}))

local manifest = os.getenv("NOTES_FIGURES")

local function is_remote(target)
  return target:match("^%a[%w+.-]*:") ~= nil or target:sub(1, 2) == "//"
end

local function record(source, dest)
  if not manifest then return end
  local f = io.open(manifest, "a")
  if not f then lib.fail("cannot write the figure list " .. manifest .. ".") end
  f:write(source, "\t", dest, "\n")
  f:close()
end

function Image(img)
  local src = img.src
  if is_remote(src) then
    lib.fail(string.format('image %s is not a file in the repository; commit '
      .. 'the figure under plots/ and embed it by its relative path, the notes '
      .. 'must work offline.', src))
  end
  local path = lib.repo_path(lib.base, src)
  if path == nil then
    lib.fail(string.format('image %s points outside the repository; embed a '
      .. 'figure from plots/ by its path relative to the page.', src))
  end
  if lib.edition == "student" and lib.instructor_only(path) then
    lib.fail(string.format('refusing to show image %s in the student edition: '
      .. 'it is instructor-only material.', src))
  end
  local f = io.open(lib.root .. "/" .. path, "rb")
  local ok = f and f:read(0) ~= nil
  if f then f:close() end
  if not ok then
    lib.fail(string.format('figure %s not found or empty (looked for %s); run the '
      .. "chapter's experiment and plots or fix the path.", src, path))
  end
  local dest = "figures/" .. (path:match("^plots/(.*)") or path)
  record(path, dest)
  img.src = dest
  return img
end

-- The folder of the lesson numbered NN ("01"), or nil.
local lessons
local function chapter_by_number(nn)
  if lessons == nil then
    lessons = {}
    for name in (os.getenv("NOTES_LESSONS") or ""):gmatch("[^ ]+") do
      lessons[name:sub(1, 2)] = name
    end
  end
  return lessons[nn]
end

function Link(link)
  local target = link.target
  if target:match("^https?:") then
    local bare = target:gsub("^https?://", "")
    local text = pandoc.utils.stringify(link.content)
    if text == target or text == bare then return pandoc.Code(bare) end
    local shown = pandoc.List(link.content)
    shown:extend({pandoc.Str(" ("), pandoc.Code(bare), pandoc.Str(")")})
    return pandoc.Span(shown, pandoc.Attr("", {"external"}))
  end
  if is_remote(target) or target:sub(1, 1) == "#" then return nil end
  local file, frag = target:match("^([^#]*)(#?.*)$")
  local path = lib.repo_path(lib.base, file)
  if path == nil then return nil end
  if path == "notes/index.md" then
    link.target = "index.html" .. frag
    return link
  end
  local chapter = path:match("^chapters/(%d%d%-[^/]+)/lesson%.md$")
  if chapter then
    -- A lesson is found by its number, so that a link written before the
    -- chapter's folder was named still works; a chapter not written yet
    -- is shown as text (class "planned"), not as a broken link.
    local written = chapter_by_number(chapter:sub(1, 2))
    if not written then
      return pandoc.Span(link.content, pandoc.Attr("", {"planned"},
        {title = "not written yet"}))
    end
    link.target = written .. ".html" .. frag
    return link
  end
  return nil
end
