"""A line break between two Chinese characters never shows as a space (atlas.cjk and the renderer)."""

from __future__ import annotations

from atlas.cjk import join_wrapped, spaced_pairs, wrapped_lines
from atlas.sitegen import mdlite


def test_kb_markdown_joins_a_wrapped_chinese_sentence():
    html = mdlite.to_html("它没有\n包管理器，只有\n**BusyBox**。")
    assert html == "<p>它没有包管理器，只有\n<strong>BusyBox</strong>。</p>"


def test_complex_markdown_is_joined_too_but_code_blocks_are_kept():
    html = mdlite.to_html("- 第一项\n  换行\n\n```sh\necho 你\n好\n```")
    assert "第一项换行" in html
    assert "echo 你\n好" in html


def test_english_and_mixed_breaks_stay():
    assert join_wrapped("<p>Docker\n镜像 and\nmore</p>") == "<p>Docker\n镜像 and\nmore</p>"


def test_script_and_pre_are_untouched():
    html = "<pre>你\n好</pre><p>你\n好</p><script>'你\n好'</script>"
    assert join_wrapped(html) == "<pre>你\n好</pre><p>你好</p><script>'你\n好'</script>"


def test_wrapped_lines_skip_fences():
    text = "它没有\n包管理器。\n```\n# 注释\n# 换行\n```\n"
    assert wrapped_lines(text) == [0]


def test_spaced_pairs_finds_the_stray_space():
    assert spaced_pairs("它没有 包管理器，Docker 镜像") == [("有", " ", "包")]
