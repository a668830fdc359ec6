-- Debian's Neovim, headless, with its built-in LSP client attached to
-- `citelock lsp`: opens the report, waits for diagnostics, hovers, completes
-- and renames, writes every buffer, and leaves what it saw in $OUT as JSON.
-- Run by test_neovim.py: nvim --headless -u NONE -i NONE -n REPORT -c "luafile neovim.lua"
local out = { diagnostics = {} }
local function finish()
  local f = io.open(os.getenv("OUT"), "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qa!")
end
local ok, err = pcall(function()
  local id = vim.lsp.start_client({ name = "citelock", cmd = { os.getenv("CITELOCK"), "lsp" }, root_dir = os.getenv("REPO") })
  vim.lsp.buf_attach_client(0, id)
  out.attached = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out.diagnostics, { code = d.code, lnum = d.lnum, col = d.col, message = d.message })
  end
  local function at(needle, after)
    for lnum, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
      local s = line:find(needle, 1, true)
      if s then
        vim.api.nvim_win_set_cursor(0, { lnum, s - 1 + after })
        return vim.lsp.util.make_position_params()
      end
    end
  end
  local function ask(method, params)
    local replies = vim.lsp.buf_request_sync(0, method, params, 20000) or {}
    for _, r in pairs(replies) do
      return r.result
    end
  end
  local hover = ask("textDocument/hover", at("[@alpha]", 3))
  out.hover = hover and hover.contents.value or ""
  local completion = ask("textDocument/completion", at("[@gamma]", 2))
  out.completion = {}
  for _, item in ipairs(completion and completion.items or {}) do
    table.insert(out.completion, item.label)
  end
  at("[@alpha]", 3)
  local before = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.lsp.buf.rename("alpha-2020")
  out.renamed = vim.wait(20000, function()
    return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n") ~= before
  end, 50)
  vim.cmd("silent! wall")
end)
out.error = not ok and tostring(err) or nil
finish()
