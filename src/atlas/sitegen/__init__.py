"""The site generator: MkDocs hooks that turn the KB and tutorials into pages, and `./atlas build`.

`hooks` (loaded by MkDocs from mkdocs.yml) -> `generate` (per-build state) -> `render_*` (HTML);
`publish` runs MkDocs into a temporary folder and swaps it in atomically.
"""
