"""Torch-side code, imported only by workers (job handlers). The server (`shelfscope.app`,
`shelfscope serve`) never imports this package's torch modules; `catalogue` and `weights` are
torch-free so the server can list models and where they live."""
