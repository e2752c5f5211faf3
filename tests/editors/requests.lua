-- Drives proviso lsp from Neovim's own client: waits for the diagnostics,
-- asks for a hover on the key $HOVER, applies the quick fix of the misspelt
-- $MISSPELT (a key or a value), completes an enum value in a second file
-- being typed ($TYPING, when set), and writes what it saw to $OUT.
local bin = os.getenv('PROVISO')
vim.cmd('edit ' .. os.getenv('MANIFEST'))
local client_id = vim.lsp.start_client({ cmd = { bin, 'lsp' }, root_dir = vim.fn.getcwd(), name = 'proviso' })
vim.lsp.buf_attach_client(0, client_id)
vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
local client = vim.lsp.get_client_by_id(client_id)
local enc = client.offset_encoding or 'utf-16'
local line = vim.api.nvim_buf_get_lines(0, 1, 2, false)[1]
local key_byte = line:find(os.getenv('HOVER'), 1, true) - 1
local value_byte = line:find(os.getenv('MISSPELT'), 1, true) - 1
local function pos(byte)
  local col = vim.lsp.util._str_utfindex_enc(line, byte, enc)
  return { line = 1, character = col }
end
local doc = { uri = vim.uri_from_bufnr(0) }
local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', { textDocument = doc, position = pos(key_byte + 1) }, 10000)
for _, r in pairs(hover or {}) do
  if r.result then table.insert(out, 'hover: ' .. (r.result.contents.value:gsub('\n', ' '))) end
end
local actions = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', {
  textDocument = doc,
  range = { start = pos(value_byte + 2), ['end'] = pos(value_byte + 2) },
  context = { diagnostics = {} },
}, 10000)
for _, r in pairs(actions or {}) do
  for _, action in ipairs(r.result or {}) do
    table.insert(out, 'action: ' .. action.title)
    if action.isPreferred then vim.lsp.util.apply_workspace_edit(action.edit, enc) end
  end
end
table.insert(out, 'line: ' .. vim.api.nvim_buf_get_lines(0, 1, 2, false)[1])
-- The edit reaches the server as an incremental change: the diagnostic on
-- the value goes away.
local function on_value()
  local n = 0
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.lnum == 1 and d.col == value_byte then n = n + 1 end
  end
  return n
end
vim.wait(10000, function() return on_value() == 0 end, 50)
table.insert(out, 'left on the value: ' .. on_value())
if os.getenv('TYPING') == nil then
  vim.fn.writefile(out, os.getenv('OUT'))
  vim.cmd('qa!')
end
-- Completion in a block manifest being typed: the values of `storage`.
vim.cmd('edit ' .. os.getenv('TYPING'))
vim.lsp.buf_attach_client(0, client_id)
local last = vim.api.nvim_buf_line_count(0)
local typed = vim.api.nvim_buf_get_lines(0, last - 1, last, false)[1]
local items = vim.lsp.buf_request_sync(0, 'textDocument/completion', {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  position = { line = last - 1, character = #typed },
}, 10000)
for _, r in pairs(items or {}) do
  for _, item in ipairs(r.result or {}) do table.insert(out, 'completion: ' .. item.label) end
end
vim.fn.writefile(out, os.getenv('OUT'))
vim.cmd('qa!')
