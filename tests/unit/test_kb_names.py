"""Chinese names (`name_zh`): required on a concept, shown wherever a Chinese page names an entry."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from atlas.cjk import fill, spaced
from atlas.content.wikilinks import expand
from atlas.kb.export import build_catalog, entries_csv
from atlas.kb.load import load_kb
from atlas.kb.names import display_name, other_names
from atlas.kb.synthetic import write_sample_kb
from atlas.kb.validate import validate
from atlas.sitegen.model import SiteModel
from atlas.sitegen.render_component import component_page
from atlas.sitegen.render_lists import category_page

CONCEPT = "concepts/container.yaml"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample_kb(tmp_path / "kb")


def _problems(kb: Path) -> list[str]:
    return [str(p) for p in validate(load_kb(kb))]


def _rewrite(kb: Path, old: str, new: str) -> None:
    path = kb / CONCEPT
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_concept_without_a_chinese_name_is_an_error_naming_file_and_field(sample):
    _rewrite(sample, "name_zh: 容器\n", "")
    errors = [p for p in _problems(sample) if "warning" not in p]
    assert errors == [
        "kb/concepts/container.yaml:2:7: name_zh: required for a concept: the name Chinese pages show "
        "instead of 'Container' (use the glossary's term where there is one)"
    ]


def test_an_empty_chinese_name_points_at_its_own_line(sample):
    _rewrite(sample, "name_zh: 容器\n", "name_zh:\n")
    errors = [p for p in _problems(sample) if "warning" not in p]
    assert len(errors) == 1 and errors[0].startswith("kb/concepts/container.yaml:24:1: name_zh: required")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Container", "'Container' has no Chinese characters; write the name Chinese readers use"),
        ("[容器]", "expected text, got a list"),
        ("'`容器`'", "is plain text, shown as written: no Markdown backticks"),
    ],
)
def test_a_chinese_name_must_be_chinese_plain_text(sample, value, message):
    _rewrite(sample, "name_zh: 容器\n", f"name_zh: {value}\n")
    assert [p for p in _problems(sample) if "name_zh" in p] == [
        f"kb/concepts/container.yaml:24:10: name_zh: {message}"
    ]


def test_components_may_leave_the_chinese_name_out(sample):
    assert not any("name_zh" in p for p in _problems(sample))  # 13 components without one
    runc = sample / "runtimes" / "runc.yaml"
    runc.write_text(runc.read_text(encoding="utf-8") + "name_zh: runc 运行时\n", encoding="utf-8")
    assert not any("name_zh" in p for p in _problems(sample))


def test_the_glossary_term_is_checked_in_the_chinese_name(sample):
    _rewrite(sample, "name: Container\n", "name: Container sandbox\n")
    _rewrite(sample, "name_zh: 容器\n", "name_zh: 容器沙盒\n")
    assert any(p.startswith("kb/concepts/container.yaml:24:10: name_zh: warning: ") and "沙箱" in p
               for p in _problems(sample))  # fmt: skip


def test_the_name_a_reader_sees():
    concept = {
        "id": "overlayfs",
        "name": "OverlayFS",
        "name_zh": "OverlayFS 联合文件系统",
        "aliases": ["overlay"],
    }
    product = {"id": "runc", "name": "runc", "name_zh": None, "aliases": []}
    assert display_name(concept, "zh") == "OverlayFS 联合文件系统"
    assert display_name(concept, "en") == "OverlayFS"
    assert display_name(product, "zh") == display_name(product, "en") == "runc"
    # search on a Chinese page still finds the English name; an English page needs no extra name
    assert other_names(concept, "zh") == ["OverlayFS", "overlay"]
    assert other_names(concept, "en") == ["overlay"]


def test_wiki_links_in_chinese_text_carry_the_chinese_name_without_stray_spaces():
    entries = {
        "container": {"id": "container", "name": "Container", "name_zh": "容器"},
        "runc": {"id": "runc", "name": "runc"},
    }
    zh = expand("由 [[runc]] 启动的 [[container]] 会退出；问：[[container]] 呢", entries, lambda i: i, "zh")
    assert zh == "由 [runc](runc) 启动的[容器](container)会退出；问：[容器](container)呢"
    en = expand("A [[container]] started by [[runc]].", entries, lambda i: i, "en")
    assert en == "A [Container](container) started by [runc](runc)."


def test_a_chinese_value_takes_no_space_next_to_chinese():
    assert fill("与 {name} 直接相关的组件", name="容器") == "与容器直接相关的组件"
    assert fill("与 {name} 直接相关的组件", name="runc") == "与 runc 直接相关的组件"
    assert fill("Related to {name}", name="容器") == "Related to 容器"
    assert spaced("容器", "使用") == "容器使用" and spaced("runc", "使用") == "runc 使用"


@pytest.fixture
def model(sample) -> SiteModel:
    """The sample's catalog; docker-engine's Chinese description links the concept, and a relation does."""
    cat = build_catalog(load_kb(sample))
    engine = next(e for e in cat["entries"] if e["id"] == "docker-engine")
    engine["description"] = {"en": "It runs each [[container]].", "zh": "它运行每一个 [[container]]。"}
    note = None
    cat["relations"] += [
        {
            "source": "docker-engine",
            "type": "related-to",
            "target": "container",
            "note": note,
            "derived": False,
        },
        {
            "source": "container",
            "type": "related-to",
            "target": "docker-engine",
            "note": note,
            "derived": True,
        },
    ]
    return SiteModel.from_catalog(cat)


def _texts(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_chinese_pages_show_the_chinese_name_and_english_pages_the_english(model):
    zh, _ = component_page(model, "container", "zh", [])
    en, _ = component_page(model, "container", "en", [])
    assert _texts(zh, r"<h1 [^>]*>([^<]*)</h1>") == ["容器"]
    assert _texts(en, r"<h1 [^>]*>([^<]*)</h1>") == ["Container"]
    assert "Container" in _texts(zh, r"<th scope=\"row\">别名</th><td>([^<]*)</td>")[0]  # still findable
    assert _texts(zh, r'<dt data-relation="related-to">([^<]*)</dt>') == ["容器相关"]
    engine_zh, _ = component_page(model, "docker-engine", "zh", [])
    engine_en, _ = component_page(model, "docker-engine", "en", [])
    link = r'<a href="../../components/container/">([^<]*)</a>'
    assert set(_texts(engine_zh, link)) == {"容器"}  # the description's [[container]] and the relation list
    assert len(_texts(engine_zh, link)) >= 2
    assert "运行每一个<a" in engine_zh
    assert set(_texts(engine_en, link)) == {"Container"}
    _, concepts = category_page(model, "concepts", "zh")
    assert ">容器</a>" in concepts


def test_the_data_api_carries_the_chinese_name(sample):
    cat = build_catalog(load_kb(sample))
    by_id = {e["id"]: e for e in cat["entries"]}
    assert by_id["container"]["name_zh"] == "容器" and by_id["runc"]["name_zh"] is None
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(entries_csv(cat)))}
    assert rows["container"]["name_zh"] == "容器" and rows["runc"]["name_zh"] == ""
