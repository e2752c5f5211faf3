local bin = os.getenv('PROVISO')
vim.cmd('edit ' .. os.getenv('MANIFEST'))
local client = vim.lsp.start_client({ cmd = { bin, 'lsp' }, root_dir = vim.fn.getcwd(), name = 'proviso' })
vim.lsp.buf_attach_client(0, client)
vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or d.code or ''
  table.insert(out, string.format('%d:%d:%d:%s:%s', d.lnum, d.col, d.end_col, code, (d.message:gsub('\n', ' '))))
end
vim.fn.writefile(out, os.getenv('OUT'))
vim.cmd('qa!')
