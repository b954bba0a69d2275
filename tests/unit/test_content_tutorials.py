"""One test per tutorial rule (atlas.content), each asserting the exact located message."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas.cli import main
from atlas.content.series import load_series
from atlas.content.tutorial import read_tutorial

PAGE = """---
title: {title}
profile: docker
next: {next}
teaches: [runc]
steps:
  - id: run
    title: Run it
  - id: look
    title: Look at it
checks:
  run:
    run: docker ps
    expect: web
    hint:
      en: Start it.
      zh: 启动它。
  look:
    run: docker logs web
    expect: GET
    hint:
      en: Open it.
      zh: 打开它。
---

# {title}

## Run it {{#run}}

```run profile="docker" step="{slug}/run"
docker run -d --name web httpd
```

<div class="atlas-check" data-atlas-check="{slug}/run"></div>

## Look at it {{#look}}

```run profile="docker" step="{slug}/look"
docker logs web
```

<div class="atlas-check" data-atlas-check="{slug}/look"></div>
{next_paragraph}"""


def write(docs: Path, slug: str, nxt: str = "", lang: str = "en", **replace: str) -> Path:
    """Write a valid tutorial page, then apply `old=new` text replacements (keyword: any name)."""
    title = "教程" if lang == "zh" else "A tutorial"
    follow = f"\n**Next:** [The next one]({nxt}.md)\n{{ .atlas-next }}\n" if nxt else ""
    text = PAGE.format(title=title, next=f'"{nxt}"', slug=slug, next_paragraph=follow)
    for old, new in replace.values():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = docs / "tutorials" / (f"{slug}.md" if lang == "en" else f"{slug}.{lang}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """Two valid tutorials, first -> second, each in English and Chinese."""
    for lang in ("en", "zh"):
        write(tmp_path, "first", "second", lang)
        write(tmp_path, "second", "", lang)
    return tmp_path


def problems(docs: Path, kb_ids: set[str] | None = None) -> list[str]:
    return [str(p) for p in load_series(docs, kb_ids, root=docs).problems]


def test_valid_series_has_no_problems_and_a_path(docs):
    series = load_series(docs, {"runc"}, root=docs)
    assert series.problems == []
    assert series.path == ["first", "second"]
    assert series.get("first", "zh").title == "教程"


def test_missing_front_matter(docs):
    (docs / "tutorials" / "first.md").write_text("# First\n")
    assert "tutorials/first.md:1:1: file: a tutorial starts with front matter between '---' lines" in (
        "\n".join(problems(docs))
    )


def test_yaml_syntax_error_is_located(docs):
    write(docs, "first", "second", bad=("teaches: [runc]", "teaches: [runc"))
    assert any(p.startswith("tutorials/first.md:") and "yaml: YAML syntax error" in p for p in problems(docs))


def test_unknown_field_names_the_choices(docs):
    write(docs, "first", "second", order=("profile: docker\n", "profile: docker\norder: 1\n"))
    write(docs, "first", "second", "zh", order=("profile: docker\n", "profile: docker\nordr: 1\n"))
    got = problems(docs)
    assert (
        "tutorials/first.md:4:1: order: unknown field (expected one of: title, profile, next, teaches, "
        "steps, checks)" in got
    )
    assert any(p.startswith("tutorials/first.zh.md:4:1: ordr: unknown field") for p in got)


def test_missing_title(docs):
    write(docs, "second", t=("title: A tutorial\n", ""))
    assert "tutorials/second.md:2:1: title: required field is missing" in problems(docs)


def test_unknown_profile(docs):
    write(docs, "second", p=("profile: docker", "profile: dockr"))
    assert "tutorials/second.md:3:10: profile: unknown profile 'dockr' (did you mean 'docker'?)" in problems(
        docs
    )


def test_unknown_next(docs):
    write(docs, "first", "secnd")
    assert "tutorials/first.md:4:7: next: unknown tutorial 'secnd' (did you mean 'second'?)" in problems(docs)


def test_check_without_a_step(docs):
    write(docs, "second", c=("  look:\n    run: docker logs", "  lok:\n    run: docker logs"))
    got = problems(docs)
    assert (
        "tutorials/second.md:18:3: checks.lok: check without a step: no step 'lok' in steps "
        "(did you mean 'look'?)" in got
    )
    assert "tutorials/second.md:9:5: steps[1]: step without a check: add checks.look" in got


def test_step_without_a_check(docs):
    write(
        docs,
        "second",
        s=(
            "  - id: look\n    title: Look at it\n",
            "  - id: look\n    title: Look at it\n  - id: more\n    title: More\n",
        ),
    )
    assert "tutorials/second.md:11:5: steps[2]: step without a check: add checks.more" in problems(docs)


def test_run_block_naming_a_missing_step(docs):
    write(docs, "second", b=('step="second/look"', 'step="second/lok"'))
    assert (
        "tutorials/second.md:38:1: run.step: ```run block names step 'second/lok', which is not in steps "
        "(did you mean 'second/look'?)" in problems(docs)
    )


def test_english_and_chinese_with_different_steps(docs):
    write(
        docs,
        "second",
        "",
        "zh",
        s=(
            "  - id: look\n    title: Look at it\n",
            "  - id: look\n    title: Look at it\n  - id: more\n    title: More\n",
        ),
    )
    got = problems(docs)
    assert (
        "tutorials/second.zh.md:6:1: steps: differs from the English page tutorials/second.md: "
        "[run, look] there, [run, look, more] here" in got
    )


def test_english_page_without_chinese(docs):
    (docs / "tutorials" / "second.zh.md").unlink()
    assert "tutorials/second.md:1:1: file: no Chinese page (second.zh.md)" in problems(docs)


def test_chinese_runnable_blocks_must_match(docs):
    write(docs, "first", "second", "zh", b=("docker logs web\n```", "docker logs  web\n```"))
    assert (
        "tutorials/first.zh.md:38:1: run: ```run blocks differ from the English page tutorials/first.md "
        "(block 2)" in problems(docs)
    )


def test_tutorial_off_the_learning_path(docs):
    write(docs, "third")
    write(docs, "third", lang="zh")
    assert (
        "tutorials/third.md:4:1: next: not on the learning path (it starts at 'first' and follows next); "
        "set next of the tutorial before it to 'third'" in problems(docs)
    )
    assert load_series(docs).path == ["first", "second", "third"]


def test_next_link_in_the_page_must_follow_next(docs):
    write(docs, "first", "second", link=("[The next one](second.md)", "[The next one](secnd.md)"))
    got = problems(docs)
    assert "tutorials/first.md:44:1: body: the Next link goes to 'secnd.md', but next is 'second'" in got
    write(docs, "first", "second", link=("{ .atlas-next }", ""))
    assert (
        "tutorials/first.md:4:1: next: no '**Next:** [...](second.md)' paragraph marked { .atlas-next }"
        in problems(docs)
    )


def test_learning_path_loop(docs):
    for lang in ("en", "zh"):
        write(docs, "second", "first", lang)
    got = problems(docs)
    assert any(": next: not on the learning path" in p for p in got)


def test_teaches_unknown_kb_entry(docs):
    assert (
        "tutorials/first.md:5:11: teaches[0]: unknown KB entry 'runc' (did you mean 'runc-x'?)"
        in problems(docs, {"runc-x"})
    )


def test_page_without_sandbox_has_no_checks(docs):
    write(docs, "second", p=("profile: docker", "profile: none"))
    got = problems(docs)
    assert "tutorials/second.md:11:1: checks: a page without a sandbox (profile: none) has no checks" in got


def test_step_needs_a_heading_and_a_placeholder(docs):
    write(
        docs, "second", h=("## Look at it {#look}", "## Look at it"), d=('data-atlas-check="second/look"', "")
    )
    got = problems(docs)
    assert "tutorials/second.md:9:5: steps[1]: no heading '## ... {#look}' for this step in the page" in got
    assert (
        'tutorials/second.md:9:5: steps[1]: no check placeholder data-atlas-check="second/look" in the page'
        in got
    )


def test_checked_step_needs_a_run_block(docs):
    write(docs, "second", b=('```run profile="docker" step="second/look"', "```sh"))
    assert (
        'tutorials/second.md:9:5: steps[1]: no ```run block with step="second/look" for this step'
        in problems(docs)
    )


def test_run_block_profile_must_match_the_page(docs):
    write(
        docs,
        "second",
        b=('```run profile="docker" step="second/look"', '```run profile="shell" step="second/look"'),
    )
    assert (
        "tutorials/second.md:38:1: run.profile: ```run block has profile 'shell' on a docker page"
        in problems(docs)
    )


def test_bad_check_fields(docs):
    write(docs, "second", r=("    run: docker ps\n", ""), e=("expect: GET", "expect: '('"))
    got = problems(docs)
    assert "tutorials/second.md:13:5: checks.run.run: expected a shell command (text)" in got
    assert any(
        p.startswith("tutorials/second.md:19:13: checks.look.expect: not a valid regular expression")
        for p in got
    )


def test_hint_in_both_languages(docs):
    write(docs, "second", z=("      zh: 打开它。\n", ""))
    assert "tutorials/second.md:19:5: checks.look.hint: needs a hint in zh" in problems(docs)


def test_duplicate_step_id(docs):
    write(docs, "second", s=("  - id: look", "  - id: run"))
    assert "tutorials/second.md:9:9: steps[1].id: duplicate step id 'run'" in problems(docs)


def test_read_tutorial_keeps_body_and_blocks(docs):
    got: list = []
    tut = read_tutorial(docs / "tutorials" / "first.md", "first.md", got)
    assert got == []
    assert [(b.step, b.line) for b in tut.blocks] == [("first/run", 30), ("first/look", 38)]
    assert tut.blocks_of("look")[0].code == "docker logs web"


def test_atlas_check_prints_every_problem_and_exits_1(docs, tmp_path, capsys):
    from atlas import ROOT

    write(docs, "first", "secnd")
    assert main(["check", "--docs", str(docs), "--kb", str(ROOT / "kb")]) == 1
    out = capsys.readouterr().out
    assert f"{docs}/tutorials/first.md:4:7: next: unknown tutorial 'secnd' (did you mean 'second'?)" in out
    summary = out.rstrip().splitlines()[-1]
    assert summary.startswith("check: ") and ", 4 tutorial pages, " in summary and " error(s), " in summary
