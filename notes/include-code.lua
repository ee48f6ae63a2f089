-- include-code.lua: code listings pulled from the real source files, so the
-- text of the notes cannot drift from the code that is compiled and tested.
--
--   ```{.c include="chapters/01-convolution/conv.h" snippet="geom"}
--   ```
--
-- include="PATH"   file relative to the repository root (whole file)
-- snippet="NAME"   only the lines between the line containing ">>> NAME"
--                  and the line containing "<<< NAME" (both excluded)
-- lines="A-B"      only lines A to B of the file (1-based, inclusive;
--                  "A" alone is one line)
--
-- In every case the marker lines of all snippets (comment lines such as
-- "/* >>> geom */") are dropped, leading and trailing blank lines are
-- trimmed and the common indentation is removed. The block is replaced by a
-- div.listing holding a caption with the source path and the code, which
-- keeps the block's classes (the language is guessed from the file's
-- extension when the block names none). The student edition refuses to
-- include instructor-only files (solutions/, hidden tests, mutants).

local lib = dofile(pandoc.path.join({
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "notes-lib.lua"}))

local NAME = "[%w_%.%-]+"

local LANG_BY_EXT = {
  c = "c", h = "c", gp = "gnuplot", sh = "bash", py = "python",
  lua = "lua", md = "markdown", patch = "diff", diff = "diff",
  mk = "makefile", json = "json", yaml = "yaml", yml = "yaml",
}

local function split_lines(text)
  local lines = {}
  if text:sub(-1) ~= "\n" then text = text .. "\n" end
  for line in text:gmatch("([^\n]*)\n") do
    table.insert(lines, (line:gsub("\r$", "")))
  end
  return lines
end

-- The snippet name on a marker line ("/* >>> geom */"), with its kind
-- (">>>" opens, "<<<" closes), or nil for any other line.
local function marker(line)
  local kind, name = line:match("([<>][<>][<>])%s+(" .. NAME .. ")")
  if kind == ">>>" or kind == "<<<" then return kind, name end
  return nil
end

local function snippet_range(lines, name, path)
  local first, last
  for i, line in ipairs(lines) do
    local kind, n = marker(line)
    if n == name and kind == ">>>" then
      if first then
        lib.fail(string.format('%s marks snippet "%s" twice (lines %d and %d); '
          .. 'give each region its own name.', path, name, first - 1, i))
      end
      first = i + 1
    elseif n == name and kind == "<<<" and first and not last then
      last = i - 1
    end
  end
  if not first then
    lib.fail(string.format('cannot include snippet "%s" from %s: no line '
      .. 'containing ">>> %s" there; mark the region with /* >>> %s */ and '
      .. '/* <<< %s */ or fix the snippet name.', name, path, name, name, name))
  end
  if not last then
    lib.fail(string.format('cannot include snippet "%s" from %s: the region '
      .. 'opened by ">>> %s" is never closed; add a line /* <<< %s */ after it.',
      name, path, name, name))
  end
  return first, last
end

local function line_range(lines, spec, path)
  local a, b = spec:match("^%s*(%d+)%s*%-%s*(%d+)%s*$")
  if not a then a = spec:match("^%s*(%d+)%s*$"); b = a end
  a, b = tonumber(a), tonumber(b)
  if not a or a < 1 or b < a or b > #lines then
    lib.fail(string.format('cannot include lines="%s" from %s: it has %d lines; '
      .. 'give a range A-B with 1 <= A <= B <= %d.', spec, path, #lines, #lines))
  end
  return a, b
end

-- Drop marker lines, trim blank lines at both ends, remove the common
-- leading whitespace of the non-blank lines.
local function tidy(lines, first, last)
  local kept = {}
  for i = first, last do
    if not marker(lines[i]) then table.insert(kept, lines[i]) end
  end
  while #kept > 0 and kept[1]:match("^%s*$") do table.remove(kept, 1) end
  while #kept > 0 and kept[#kept]:match("^%s*$") do table.remove(kept) end
  local indent
  for _, line in ipairs(kept) do
    if not line:match("^%s*$") then
      local prefix = line:match("^[ \t]*")
      if indent == nil then
        indent = prefix
      else
        local n = 0
        while n < #indent and n < #prefix
            and indent:sub(n + 1, n + 1) == prefix:sub(n + 1, n + 1) do
          n = n + 1
        end
        indent = indent:sub(1, n)
      end
    end
  end
  local n = indent and #indent or 0
  for i, line in ipairs(kept) do
    kept[i] = line:match("^%s*$") and "" or line:sub(n + 1)
  end
  return table.concat(kept, "\n")
end

local function language(path)
  local base = path:match("[^/]+$")
  if base == "Makefile" then return "makefile" end
  return LANG_BY_EXT[base:match("%.([%w]+)$") or ""]
end

function CodeBlock(block)
  local attrs = block.attributes
  local spec = attrs["include"]
  if spec == nil then return nil end
  local snippet, lines_spec = attrs["snippet"], attrs["lines"]
  local what = snippet and string.format('%s (snippet "%s")', spec, snippet)
      or spec

  -- Paths are relative to the repository root, whatever the page's folder.
  local path = lib.repo_path("", spec)
  if path == nil then
    lib.fail(string.format('cannot include %s: the path must be relative to '
      .. 'the repository root and stay inside it.', what))
  end
  if lib.edition == "student" and lib.instructor_only(path) then
    lib.fail(string.format('refusing to include %s in the student edition: it '
      .. 'is instructor-only material; include from chapters/, common/, '
      .. 'tests/ or plots/ instead.', what))
  end
  if snippet and lines_spec then
    lib.fail(string.format('cannot include %s: give snippet= or lines=, not '
      .. 'both.', what))
  end
  local text = lib.read_file(path)
  if text == nil then
    lib.fail(string.format('cannot include %s: the file does not exist; fix '
      .. 'the path (it is relative to the repository root).', what))
  end

  local lines = split_lines(text)
  local first, last = 1, #lines
  if snippet then
    first, last = snippet_range(lines, snippet, path)
  elseif lines_spec then
    first, last = line_range(lines, lines_spec, path)
  end

  local classes = block.classes
  if #classes == 0 then classes = {language(path)} end
  local kept = {}
  for k, v in pairs(attrs) do
    if k ~= "include" and k ~= "snippet" and k ~= "lines" then kept[k] = v end
  end
  local code = pandoc.CodeBlock(tidy(lines, first, last),
    pandoc.Attr(block.identifier, classes, kept))

  local listing_attrs = {source = path}
  if snippet then listing_attrs.snippet = snippet end
  if lines_spec then listing_attrs.lines = lines_spec end
  local caption = pandoc.Div({pandoc.Plain({pandoc.Code(path)})},
    pandoc.Attr("", {"listing-caption"}))
  return pandoc.Div({caption, code},
    pandoc.Attr("", {"listing"}, listing_attrs))
end
