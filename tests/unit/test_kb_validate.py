"""One test per validation rule of `./atlas kb check`, each asserting the exact message."""

from __future__ import annotations

import datetime
import re
import textwrap
from pathlib import Path

import pytest
from atlas.kb.load import load_kb
from atlas.kb.validate import validate

BASE = """\
id: {id}
name: {name}
kind: runtime
layer: core
summary:
  en: A small runtime.
  zh: 一个小型运行时。
description:
  en: It starts containers.
  zh: 它启动容器。
facts:
  status: active
  first_release: 2015
  license: Apache-2.0
  homepage: https://example.org/{id}
sources:
  - {{url: https://example.org/{id}/docs, title: Docs, supports: [first_release, license, status]}}
relations:
  - type: uses
    target: {target}
"""


def entry(entry_id: str, target: str = "beta", **replace: str) -> str:
    """A valid entry text (line numbers as in BASE), with exact-text replacements applied."""
    text = BASE.format(id=entry_id, name=entry_id.title(), target=target)
    for old, new in replace.items():
        old, new = old.replace("__", ": "), new
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def make_kb(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) into tmp_path/kb and return the folder."""
    kb = tmp_path / "kb"
    for rel, text in files.items():
        path = kb / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return kb


def problems(tmp_path: Path, files: dict[str, str], with_base: bool = True) -> list[str]:
    """Every problem (as printed) of a KB made of `files` plus, by default, a valid 'beta'."""
    if with_base:
        files = {"runtimes/beta.yaml": entry("beta", target="alpha"), **files}
    return [str(p) for p in validate(load_kb(make_kb(tmp_path, files)))]


def only(tmp_path: Path, text: str, path: str = "runtimes/alpha.yaml") -> str:
    """The single problem of a KB where `path` holds `text` (beta links back to alpha)."""
    found = problems(tmp_path, {path: text})
    assert len(found) == 1, found
    return found[0]


def test_valid_kb_has_no_problems(tmp_path):
    assert problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha")}) == []


def test_missing_required_field(tmp_path):
    text = entry("alpha").replace("name: Alpha\n", "")
    assert only(tmp_path, text) == "kb/runtimes/alpha.yaml:1:1: name: required field is missing"


def test_required_field_without_value(tmp_path):
    text = entry("alpha").replace("name: Alpha\n", "name:\n")
    assert only(tmp_path, text) == "kb/runtimes/alpha.yaml:2:1: name: required field has no value"


def test_unknown_field_with_did_you_mean(tmp_path):
    text = entry("alpha").replace("summary:", "summry:")
    found = problems(tmp_path, {"runtimes/alpha.yaml": text})
    assert found == [
        "kb/runtimes/alpha.yaml:1:1: summary: required field is missing",
        "kb/runtimes/alpha.yaml:5:1: summry: unknown field (did you mean 'summary'?)",
    ]


def test_wrong_type(tmp_path):
    text = entry("alpha").replace("first_release: 2015", "first_release: [2015]")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:13:18: facts.first_release: expected a year like 2015, got a list"
    )


def test_unknown_kind_did_you_mean(tmp_path):
    text = entry("alpha").replace("kind: runtime", "kind: runtim")
    assert (
        only(tmp_path, text)
        == "kb/runtimes/alpha.yaml:3:7: kind: unknown kind 'runtim' (did you mean 'runtime'?)"
    )


def test_unknown_status_lists_choices(tmp_path):
    text = entry("alpha").replace("status: active", "status: zombie")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:12:11: facts.status: unknown status 'zombie' "
        "(expected one of: active, maintenance, deprecated, archived, historical)"
    )


def test_id_must_be_kebab_case(tmp_path):
    text = entry("alpha").replace("id: alpha", "id: Alpha_1")
    found = problems(tmp_path, {"runtimes/alpha.yaml": text})
    assert found[0] == (
        "kb/runtimes/alpha.yaml:1:5: id: 'Alpha_1' is not a valid id: use lowercase letters, digits and "
        "single hyphens (kebab-case)"
    )


def test_id_must_equal_file_name(tmp_path):
    found = problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha"), "runtimes/gamma.yaml": entry("delta")})
    assert (
        "kb/runtimes/gamma.yaml:1:5: id: 'delta' does not match the file name 'gamma.yaml'; rename "
        "one of them" in found
    )


def test_duplicate_ids_name_both_files(tmp_path):
    found = problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha"), "specs/alpha.yaml": entry("alpha")})
    assert found[:2] == [
        "kb/runtimes/alpha.yaml:1:5: id: duplicate id 'alpha' (also in kb/specs/alpha.yaml)",
        "kb/specs/alpha.yaml:1:5: id: duplicate id 'alpha' (also in kb/runtimes/alpha.yaml)",
    ]


def test_unknown_category_folder(tmp_path):
    found = problems(tmp_path, {"runtime/alpha.yaml": entry("alpha")})
    assert found == ["kb/runtime/alpha.yaml:1:1: category: unknown category folder 'runtime' "
                     "(did you mean 'runtimes'?)"]  # fmt: skip


def test_layer_must_match_folder(tmp_path):
    text = entry("alpha").replace("layer: core", "layer: platform")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:4:8: layer: 'platform' does not match the folder 'runtimes', whose "
        "layer is 'core'"
    )


def test_unknown_target_did_you_mean(tmp_path):
    assert only(tmp_path, entry("alpha", target="betta")) == (
        "kb/runtimes/alpha.yaml:20:13: relations[0].target: unknown component 'betta' (did you mean 'beta'?)"
    )


def test_target_written_as_alias(tmp_path):
    beta = entry("beta", target="alpha").replace("kind: runtime", "aliases: [b-runtime]\nkind: runtime")
    found = problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha", target="b-runtime"),
                                "runtimes/beta.yaml": beta}, with_base=False)  # fmt: skip
    assert found == [
        "kb/runtimes/alpha.yaml:20:13: relations[0].target: unknown component 'b-runtime' "
        "('b-runtime' is an alias of 'beta'; use the id)"
    ]


def test_unknown_relation_type_did_you_mean(tmp_path):
    text = entry("alpha").replace("type: uses", "type: implments")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:19:11: relations[0].type: unknown relation type 'implments' "
        "(did you mean 'implements'?)"
    )


def test_inverse_relation_type_is_never_written(tmp_path):
    text = entry("alpha").replace("type: uses", "type: implemented-by")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:19:11: relations[0].type: 'implemented-by' is computed, never written; "
        "write it from the other entry as 'implements'"
    )


def test_self_relation(tmp_path):
    found = problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha", target="alpha")})
    assert found == ["kb/runtimes/alpha.yaml:20:13: relations[0].target: an entry cannot relate to itself"]


def test_relation_written_twice(tmp_path):
    text = entry("alpha") + "  - type: uses\n    target: beta\n"
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:21:5: relations[1]: 'uses beta' is written twice (first at "
        "relations[0], line 19)"
    )


def test_symmetric_relation_written_both_ways(tmp_path):
    alpha = entry("alpha").replace("type: uses", "type: alternative-to")
    beta = entry("beta", target="alpha").replace("type: uses", "type: alternative-to")
    found = problems(tmp_path, {"runtimes/alpha.yaml": alpha, "runtimes/beta.yaml": beta}, with_base=False)
    assert found == [
        "kb/runtimes/beta.yaml:19:5: relations[0]: already written in kb/runtimes/alpha.yaml:19:5 as "
        "'alpha alternative-to beta'; 'alternative-to' goes both ways, so write it once"
    ]


def test_cycle_in_acyclic_relation(tmp_path):
    alpha = entry("alpha").replace("type: uses", "type: succeeded-by")
    beta = entry("beta", target="gamma").replace("type: uses", "type: succeeded-by")
    gamma = entry("gamma", target="alpha").replace("type: uses", "type: succeeded-by")
    found = problems(tmp_path, {"runtimes/alpha.yaml": alpha, "runtimes/beta.yaml": beta,
                                "runtimes/gamma.yaml": gamma}, with_base=False)  # fmt: skip
    assert found == [
        "kb/runtimes/alpha.yaml:20:13: relations[0].target: 'succeeded-by' relations form a cycle: "
        "alpha → beta → gamma → alpha; 'succeeded-by' must never loop"
    ]


def test_both_languages_required(tmp_path):
    text = entry("alpha").replace("  zh: 一个小型运行时。\n", "").replace("zh: 它启动容器。", 'zh: " "')
    text += "    note:\n      en: Only English.\n"
    assert problems(tmp_path, {"runtimes/alpha.yaml": text}) == [
        "kb/runtimes/alpha.yaml:6:3: summary.zh: missing; write it in both languages (en and zh)",
        "kb/runtimes/alpha.yaml:9:7: description.zh: must not be empty",
        "kb/runtimes/alpha.yaml:21:7: relations[0].note.zh: missing; write it in both languages (en and zh)",
    ]


def test_url_shape(tmp_path):
    text = entry("alpha").replace("homepage: https://example.org/alpha", "homepage: example.org/alpha")
    text = text.replace("url: https://example.org/alpha/docs", "url: ftp://example.org/docs")
    assert problems(tmp_path, {"runtimes/alpha.yaml": text}) == [
        "kb/runtimes/alpha.yaml:15:13: facts.homepage: 'example.org/alpha' is not an http(s) URL "
        "(expected https://host/path)",
        "kb/runtimes/alpha.yaml:17:11: sources[0].url: 'ftp://example.org/docs' is not an http(s) URL "
        "(expected https://host/path)",
    ]


@pytest.mark.parametrize(
    ("license", "message"),
    [
        ("Apache 2", "invalid license 'Apache 2': unknown SPDX license id 'Apache' (did you mean "
                     "'Apache-2.0'?)"),
        ("GPL-2.0", "invalid license 'GPL-2.0': 'GPL-2.0' is a deprecated SPDX id; write 'GPL-2.0-only' or "
                    "'GPL-2.0-or-later'"),
        ("MIT or Apache-2.0", "invalid license 'MIT or Apache-2.0': unexpected 'or'; join licenses with "
                              "AND, OR or WITH"),
        ("(MIT OR Apache-2.0", "invalid license '(MIT OR Apache-2.0': the expression ends too early"),
        ("GPL-2.0-only WITH Classpath-exception", "invalid license 'GPL-2.0-only WITH Classpath-exception': "
                                                  "unknown SPDX exception 'Classpath-exception' (did "
                                                  "you mean "
                                                  "'Classpath-exception-2.0'?)"),
    ],
)  # fmt: skip
def test_license_must_be_spdx(tmp_path, license, message):
    text = entry("alpha").replace("license: Apache-2.0", f'license: "{license}"')
    assert only(tmp_path, text) == f"kb/runtimes/alpha.yaml:14:12: facts.license: {message}"


@pytest.mark.parametrize(
    "license",
    ["MIT", "Apache-2.0 OR MIT", "(GPL-2.0-only OR MIT) AND BSD-3-Clause",
     "GPL-2.0-only WITH Linux-syscall-note", "LicenseRef-Proprietary", "BUSL-1.1",
     "EPL-2.0 OR GPL-2.0-or-later WITH Classpath-exception-2.0"],
)  # fmt: skip
def test_valid_license_expressions(tmp_path, license):
    text = entry("alpha").replace("license: Apache-2.0", f'license: "{license}"')
    assert problems(tmp_path, {"runtimes/alpha.yaml": text}) == []


def test_year_in_the_future(tmp_path):
    year = datetime.date.today().year
    text = entry("alpha").replace("first_release: 2015", f"first_release: {year + 1}")
    assert only(tmp_path, text) == (
        f"kb/runtimes/alpha.yaml:13:18: facts.first_release: {year + 1} is in the future (this year "
        f"is {year})"
    )


def test_year_before_1970(tmp_path):
    text = entry("alpha").replace("first_release: 2015", "first_release: 15")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:13:18: facts.first_release: 15 is before 1970; write the year in "
        "full (e.g. 2015)"
    )


def test_status_change_before_first_release(tmp_path):
    text = entry("alpha").replace("status: active", "status: archived\n  status_since: 2012")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:13:17: facts.status_since: 2012 is before the first release (2015)"
    )


def test_status_since_required_unless_active(tmp_path):
    text = entry("alpha").replace("status: active", "status: archived")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:12:11: facts.status_since: required when the status is 'archived' "
        "(the year it became archived)"
    )


def test_at_least_one_source(tmp_path):
    text = re.sub(r"  - \{url: https://example.org/alpha/docs.*\n", "  []\n", entry("alpha"))
    assert only(tmp_path, text) == "kb/runtimes/alpha.yaml:17:3: sources: at least one source is required"


def test_entry_nothing_links_to_is_a_warning(tmp_path):
    lonely = entry("gamma").replace("relations:\n  - type: uses\n    target: beta\n", "relations: []\n")
    found = problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha"), "runtimes/gamma.yaml": lonely})
    assert found == [
        "kb/runtimes/gamma.yaml:18:1: relations: warning: nothing links to 'gamma' and it links to nothing; "
        "add a relation so the graph reaches it"
    ]


def test_yaml_syntax_error_is_located(tmp_path):
    text = entry("alpha").replace("kind: runtime", "kind: [runtime")
    found = problems(tmp_path, {"runtimes/alpha.yaml": text})
    assert found[0].startswith("kb/runtimes/alpha.yaml:4:6: yaml: YAML syntax error: ")
    assert len(found) == 1


def test_duplicate_key(tmp_path):
    text = entry("alpha") + "kind: spec\n"
    assert (
        only(tmp_path, text)
        == "kb/runtimes/alpha.yaml:21:1: kind: duplicate key 'kind' (first written at line 3)"
    )


def test_empty_file(tmp_path):
    assert only(tmp_path, "") == (
        "kb/runtimes/alpha.yaml:1:1: file: the file is empty; an entry is a mapping of fields (see "
        "kb/_example.yaml)"
    )


def test_file_outside_a_category_and_yml_extension(tmp_path):
    found = problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha"), "stray.yaml": "id: x\n",
                                "runtimes/gamma.yml": entry("gamma")})  # fmt: skip
    assert found == [
        "kb/runtimes/gamma.yml:1:1: file: use the .yaml extension (rename to gamma.yaml)",
        "kb/stray.yaml:1:1: file: entries live in a category folder: kb/<category>/<id>.yaml",
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    text = (
        entry("alpha", target="nope")
        .replace("kind: runtime", "kind: bogus")
        .replace("layer: core", "layer: x")
    )
    found = problems(tmp_path, {"runtimes/alpha.yaml": text, "runtimes/broken.yaml": "id: [\n"})
    assert [f.split(": ")[1] for f in found] == ["kind", "layer", "relations[0].target", "yaml"]


def test_files_starting_with_underscore_are_skipped(tmp_path):
    assert problems(tmp_path, {"runtimes/alpha.yaml": entry("alpha"), "runtimes/_draft.yaml": "id: ["}) == []


WEIRD = """\
id: [w]
name: {a: 1}
aliases: x
kind: [runtime]
layer: {core: 1}
summary: [en]
description: {en: [x], zh: {a: b}, fr: x}
facts:
  status: [active]
  status_since: true
  first_release: 2015.5
  license: [MIT]
  foundation: [CNCF]
relations:
  - [uses, runc]
  - type: [uses]
    target: {x: 1}
  - note: hi
sources: {url: x}
? [complex, key]
: v
tagged: !custom x
"""


def test_wrong_types_everywhere_are_reported_not_raised(tmp_path):
    assert problems(tmp_path, {"runtimes/alpha.yaml": WEIRD}) == [
        "kb/runtimes/alpha.yaml:1:5: id: expected text, got a list",
        "kb/runtimes/alpha.yaml:2:7: name: expected text, got a mapping",
        "kb/runtimes/alpha.yaml:3:10: aliases: expected a list, got text",
        "kb/runtimes/alpha.yaml:4:7: kind: expected text, got a list",
        "kb/runtimes/alpha.yaml:5:8: layer: expected text, got a mapping",
        "kb/runtimes/alpha.yaml:6:10: summary: expected a mapping with 'en' and 'zh' text, got a list",
        "kb/runtimes/alpha.yaml:7:19: description.en: expected text, got a list",
        "kb/runtimes/alpha.yaml:7:28: description.zh: expected text, got a mapping",
        "kb/runtimes/alpha.yaml:7:36: description.fr: unknown language 'fr' (expected one of: en, zh)",
        "kb/runtimes/alpha.yaml:9:11: facts.status: expected text, got a list",
        "kb/runtimes/alpha.yaml:10:17: facts.status_since: expected a year like 2015, got a boolean",
        "kb/runtimes/alpha.yaml:11:18: facts.first_release: expected a year like 2015, got a number",
        "kb/runtimes/alpha.yaml:12:12: facts.license: expected text, got a list",
        "kb/runtimes/alpha.yaml:13:15: facts.foundation: expected a mapping, got a list",
        "kb/runtimes/alpha.yaml:15:5: relations[0]: expected a mapping, got a list",
        "kb/runtimes/alpha.yaml:16:11: relations[1].type: expected text, got a list",
        "kb/runtimes/alpha.yaml:17:13: relations[1].target: expected text, got a mapping",
        "kb/runtimes/alpha.yaml:18:5: relations[2].target: required field is missing",
        "kb/runtimes/alpha.yaml:18:5: relations[2].type: required field is missing",
        "kb/runtimes/alpha.yaml:18:11: relations[2].note: expected a mapping with 'en' and 'zh' text, "
        "got text",
        "kb/runtimes/alpha.yaml:19:10: sources: expected a list, got a mapping",
        "kb/runtimes/alpha.yaml:20:3: yaml: a key must be plain text, not a list or mapping",
        "kb/runtimes/alpha.yaml:22:1: tagged: unknown field",
        "kb/runtimes/alpha.yaml:22:9: tagged: unsupported YAML tag '!custom'",
    ]


def test_chinese_text_without_chinese_is_a_warning(tmp_path):
    text = entry("alpha").replace("zh: 它启动容器。", "zh: It starts containers.")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:10:7: description.zh: warning: has no Chinese characters; is it still the "
        "English text?"
    )


def test_two_entry_cycle_is_reported_once(tmp_path):
    alpha = entry("alpha").replace("type: uses", "type: part-of")
    beta = entry("beta", target="alpha").replace("type: uses", "type: part-of")
    found = problems(tmp_path, {"runtimes/alpha.yaml": alpha, "runtimes/beta.yaml": beta}, with_base=False)
    assert found == [
        "kb/runtimes/alpha.yaml:20:13: relations[0].target: 'part-of' relations form a cycle: "
        "alpha → beta → alpha; 'part-of' must never loop"
    ]


def test_first_release_required_for_components(tmp_path):
    text = entry("alpha").replace("  first_release: 2015\n", "")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:12:3: facts.first_release: required for a component (only concepts "
        "may leave it out): the year of its first public release, with a source that supports it"
    )


def test_first_release_optional_for_concepts(tmp_path):
    text = entry("alpha").replace("  first_release: 2015\n", "").replace("kind: runtime", "kind: concept")
    text = text.replace("layer: core", "layer: concepts") + "name_zh: 阿尔法\n"
    assert problems(tmp_path, {"concepts/alpha.yaml": text}) == []


def test_a_fact_without_a_source_is_reported(tmp_path):
    text = entry("alpha").replace("supports: [first_release, license, status]", "supports: [first_release]")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:14:12: facts.license: warning: no source backs it; add 'supports: "
        "[license]' to the source (a URL with a title) that shows it, or add such a source"
    )


def test_archived_status_needs_a_source_and_active_does_not(tmp_path):
    text = entry("alpha", **{"status__active": "status: archived\n  status_since: 2020"})
    text = text.replace("supports: [first_release, license, status]", "supports: [first_release, license]")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:12:11: facts.status: warning: no source backs it; add 'supports: "
        "[status]' to the source (a URL with a title) that shows it, or add such a source"
    )


def test_source_needs_a_title(tmp_path):
    text = entry("alpha").replace(" title: Docs,", "")
    assert only(tmp_path, text) == "kb/runtimes/alpha.yaml:17:5: sources[0].title: required field is missing"


def test_supports_names_a_fact(tmp_path):
    text = entry("alpha").replace("supports: [first_release,", "supports: [first_relase, first_release,")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:17:67: sources[0].supports[0]: unknown fact 'first_relase' "
        "(did you mean 'first_release'?)"
    )


def test_lxd_licence_is_one_spdx_expression(tmp_path):
    text = entry("alpha").replace("license: Apache-2.0", "license: AGPL-3.0-only AND Apache-2.0")
    assert problems(tmp_path, {"runtimes/alpha.yaml": text}) == []


def test_part_of_excludes_uses_between_the_same_pair(tmp_path):
    text = entry("alpha").replace("target: beta\n", "target: beta\n  - type: part-of\n    target: beta\n")
    assert problems(tmp_path, {"runtimes/alpha.yaml": text}) == [
        "kb/runtimes/alpha.yaml:19:5: relations[0]: 'alpha part-of beta' is written in "
        "kb/runtimes/alpha.yaml; a part and its whole are not also 'uses'; remove one of them",
        "kb/runtimes/beta.yaml:19:5: relations[0]: 'alpha part-of beta' is written in "
        "kb/runtimes/alpha.yaml; a part and its whole are not also 'uses'; remove one of them",
    ]


def test_part_of_excludes_alternative_from_the_other_end(tmp_path):
    alpha = entry("alpha").replace("type: uses", "type: part-of")
    beta = entry("beta", target="alpha").replace("type: uses", "type: alternative-to")
    files = {"runtimes/alpha.yaml": alpha, "runtimes/beta.yaml": beta}
    assert problems(tmp_path, files, with_base=False) == [
        "kb/runtimes/beta.yaml:19:5: relations[0]: 'alpha part-of beta' is written in "
        "kb/runtimes/alpha.yaml; a part and its whole are not also 'alternative-to'; remove one of them"
    ]


def test_a_component_is_never_part_of_a_concept(tmp_path):
    idea = entry("idea", target="alpha").replace("kind: runtime", "kind: concept")
    idea = idea.replace("layer: core", "layer: concepts").replace("type: uses", "type: related-to")
    idea += "name_zh: 想法\n"
    alpha = entry("alpha", target="idea").replace("type: uses", "type: part-of")
    found = problems(tmp_path, {"concepts/idea.yaml": idea, "runtimes/alpha.yaml": alpha}, with_base=False)
    assert found == [
        "kb/runtimes/alpha.yaml:20:13: relations[0].target: 'idea' is a concept, and a component is never "
        "part of an idea; use 'uses' or 'related-to'"
    ]


def test_uses_whose_note_says_built_into_is_part_of(tmp_path):
    text = entry("alpha").replace(
        "target: beta\n",
        "target: beta\n    note:\n      en: Built into Beta since 1.12.\n      zh: 自 1.12 起内置于 Beta。\n",
    )
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:19:5: relations[0].type: the note says 'Built into': when 'alpha' ships "
        "inside 'beta', write 'part-of beta' instead of 'uses'"
    )


def test_wrapped_chinese_is_reported_where_it_breaks(tmp_path):
    block = "  zh: |\n    它没有\n    包管理器。\n\n    ```sh\n    # 注释\n    # 可以换行\n    ```"
    text = entry("alpha").replace("  zh: 它启动容器。", block)
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:11:8: description.zh: a line break between two Chinese characters "
        "('它没有' / '包管理器。') shows as a space; write the paragraph on one line"
    )


def test_secret_translated_as_key_is_reported(tmp_path):
    text = entry("alpha").replace("en: It starts containers.", "en: It starts containers and mounts secrets.")
    text = text.replace("zh: 它启动容器。", "zh: 它启动容器并挂载密钥。")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:10:7: description.zh: warning: the English says 'secrets' but the "
        "Chinese has '密钥' and no '机密' (密钥 is a cryptographic key; a secret is 机密（Secret）)"
    )


def test_key_next_to_a_kubernetes_secret_is_fine(tmp_path):
    text = entry("alpha").replace("en: It starts containers.", "en: It keeps the key in a Secret.")
    text = text.replace("zh: 它启动容器。", "zh: 它把密钥保存在 Secret 中。")
    assert problems(tmp_path, {"runtimes/alpha.yaml": text}) == []


def test_summary_is_plain_text(tmp_path):
    """A summary is shown as written (cards, search, meta tags): Markdown backticks are an error that
    names the line and language; the description may use them."""
    text = entry("alpha").replace("en: A small runtime.", "en: A small runtime started by `alpha run`.")
    text = text.replace("en: It starts containers.", "en: It starts containers with `alpha run`.")
    assert only(tmp_path, text) == (
        "kb/runtimes/alpha.yaml:6:7: summary.en: is plain text, shown as written: "
        "no Markdown backticks (write `docker run` as docker run)"
    )
