"""The knowledge-base engine: `kb/<category>/<id>.yaml` → checked entries → typed graph → exports.

Stages, one module each: `load` (YAML with positions), `schema` (the entry schema, declared
once), `validate` (every rule, every problem at once), `export` (the catalog JSON and CSV),
`graph` (networkx via the pure `atlasgraph` package), `commands` (`./atlas kb ...`).
"""
