-- notes-lib.lua: functions shared by the notes' Lua filters (loaded with
-- dofile, not a filter itself).
--
-- build_notes.sh passes the context of each pandoc run in the environment:
--   NOTES_ROOT     absolute path of the repository root
--   NOTES_SOURCE   the page's source, relative to the root, for messages
--   NOTES_BASE     directory (relative to the root) that relative image
--                  and link targets in the source are resolved against
--   NOTES_EDITION  "student" or "instructor"
--   NOTES_FIGURES  file to which figures.lua appends "source<TAB>dest"
--                  lines; the driver copies the figures afterwards

local M = {}

M.root = os.getenv("NOTES_ROOT") or "."
M.source = os.getenv("NOTES_SOURCE")
    or (PANDOC_STATE.input_files[1] or "stdin")
M.base = os.getenv("NOTES_BASE") or ""
M.edition = os.getenv("NOTES_EDITION") or "student"

-- Print one sentence about the page being rendered and stop pandoc, so the
-- driver fails before anything is moved into place.
function M.fail(sentence)
  io.stderr:write("notes: " .. M.source .. ": " .. sentence .. "\n")
  os.exit(1)
end

-- Resolve "." and ".." in a '/'-separated relative path. Returns nil when
-- the path climbs above its starting point.
function M.normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts == 0 then return nil end
      table.remove(parts)
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return table.concat(parts, "/")
end

-- The repository-relative form of `path` written in the page's source,
-- relative to `dir` (itself relative to the root); nil if it leaves the
-- repository or is absolute.
function M.repo_path(dir, path)
  if path:sub(1, 1) == "/" then return nil end
  if dir ~= "" then path = dir .. "/" .. path end
  local p = M.normalize(path)
  if p == nil or p == "" then return nil end
  return p
end

-- Material that must never reach the student edition: solution code and
-- answers, hidden tests, and mutants (patches of the solution).
function M.instructor_only(rel)
  return rel:match("^solutions/") ~= nil or rel == "solutions"
      or rel:match("^tests/[^/]+/hidden/") ~= nil
      or rel:match("^tests/[^/]+/mutants/") ~= nil
end

function M.read_file(rel)
  local f = io.open(M.root .. "/" .. rel, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

return M
