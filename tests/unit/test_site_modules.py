"""The theme preloads every module a page runs with all it imports (atlas.sitegen.modules)."""

from __future__ import annotations

from atlas.sitegen.modules import module_imports


def test_imports_are_followed_through_every_level(tmp_path):
    (tmp_path / "page.js").write_text(
        'import { a } from "./mid.js";\nimport "./side.js";\nconst s = "import x from \'./no.js\'";\n'
    )
    (tmp_path / "mid.js").write_text('import {\n  b,\n  c,\n} from "./leaf.js";\nexport const a = b + c;\n')
    (tmp_path / "leaf.js").write_text('import { a } from "./mid.js";\nexport const b = 1, c = 2;\n')
    (tmp_path / "side.js").write_text('import { gone } from "./missing.js";\n')
    got = module_imports(tmp_path)
    assert got["js/page.js"] == ["js/leaf.js", "js/mid.js", "js/side.js"]
    assert got["js/mid.js"] == ["js/leaf.js"]  # a cycle ends; a module never lists itself
    assert got["js/side.js"] == []  # a missing file is not preloaded
