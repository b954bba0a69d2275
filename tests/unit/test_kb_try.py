"""The `try:` field's rules, each asserting the exact message a writer sees (file:line:column, field)."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas.content.series import load_series
from atlas.errors import AtlasError
from atlas.kb.load import load_kb
from atlas.kb.try_command import collect, kb_try
from atlas.kb.try_data import is_runnable, mentioned_ids
from atlas.kb.try_rules import check_try_links, commands_of
from site_fixture import write_docs, write_kb
from test_kb_validate import entry, only, problems

FILE = "kb/runtimes/alpha.yaml"
SHOWS = "  shows:\n    en: It prints hello.\n    zh: 它打印 hello。\n"


def with_try(block: str) -> str:
    """Entry alpha with `block` appended: `try:` is line 21, its first key line 22."""
    text = entry("alpha")
    assert text.count("\n") == 20
    return text + block


def test_valid_shapes_have_no_problems(tmp_path):
    shapes = [
        "try:\n  run: docker run --rm busybox echo hello\n" + SHOWS,
        "try:\n  run: echo hello\n  profile: shell\n" + SHOWS + "  tutorial: first-container#start\n",
        "try:\n  python: print('hello')\n" + SHOWS,
        "try:\n  tutorial: first-container#start\n",
        "try:\n  reason:\n    en: Needs a cluster.\n    zh: 需要一个集群。\n",
    ]
    for i, block in enumerate(shapes):
        folder = tmp_path / str(i)
        assert problems(folder, {"runtimes/alpha.yaml": with_try(block)}) == [], block


def test_run_needs_shows(tmp_path):
    got = only(tmp_path, with_try("try:\n  run: docker ps\n"))
    assert got == (
        f"{FILE}:22:3: try.shows: required with run: "
        "one sentence (en and zh) on what to look at in the output"
    )


def test_unknown_key_gets_did_you_mean(tmp_path):
    got = only(tmp_path, with_try("try:\n  run: docker ps\n" + SHOWS.replace("shows:", "shoes:") + SHOWS))
    assert got == f"{FILE}:23:3: try.shoes: unknown field (did you mean 'shows'?)"


def test_unknown_profile(tmp_path):
    got = only(tmp_path, with_try("try:\n  run: docker ps\n  profile: dokcer\n" + SHOWS))
    assert got == f"{FILE}:23:12: try.profile: unknown sandbox profile 'dokcer' (did you mean 'docker'?)"


def test_empty_try(tmp_path):
    got = only(tmp_path, with_try("try: {}\n"))
    assert got == (
        f"{FILE}:21:6: try: give a runnable example (run, python or tutorial) or a reason why the subject "
        "cannot run here"
    )


def test_reason_stands_alone(tmp_path):
    block = (
        "try:\n  run: docker ps\n" + SHOWS + "  reason:\n    en: Needs a cluster.\n    zh: 需要一个集群。\n"
    )
    got = only(tmp_path, with_try(block))
    assert got == (
        f"{FILE}:26:3: try.reason: a reason stands alone; "
        "remove it or run, shows (a runnable entry needs none)"
    )


def test_reason_is_one_short_line_in_each_language(tmp_path):
    block = (
        "try:\n  reason:\n    en: |\n      Needs a cluster.\n      And more.\n    zh: " + "需" * 201 + "\n"
    )
    found = problems(tmp_path, {"runtimes/alpha.yaml": with_try(block)})
    assert found == [
        f"{FILE}:23:9: try.reason.en: one line: write the reason without line breaks",
        f"{FILE}:26:9: try.reason.zh: 201 characters; one short line of at most 200",
    ]


def test_reason_in_both_languages(tmp_path):
    got = only(tmp_path, with_try("try:\n  reason:\n    en: Needs a cluster.\n"))
    assert got == f"{FILE}:23:5: try.reason.zh: missing; write it in both languages (en and zh)"


def test_one_example_per_entry(tmp_path):
    got = only(tmp_path, with_try("try:\n  run: docker ps\n  python: print(1)\n" + SHOWS))
    assert got == f"{FILE}:23:3: try.python: one example per entry: run or python, not both"


def test_tutorial_is_slug_hash_step(tmp_path):
    got = only(tmp_path, with_try("try:\n  tutorial: limits/memory\n"))
    assert got == (
        f"{FILE}:22:13: try.tutorial: 'limits/memory' is not a tutorial step: "
        "write slug#step-id, e.g. limits#memory"
    )


def test_long_example_is_a_warning(tmp_path):
    run = "  run: |\n" + "".join(f"    echo {i}\n" for i in range(7)) + "    # a comment\n"
    got = only(tmp_path, with_try("try:\n" + run + SHOWS))
    assert got == (
        f"{FILE}:22:8: try.run: warning: 7 commands; "
        "keep an example short (at most 6) or point to a tutorial step"
    )


def test_commands_join_continuations_and_skip_comments():
    assert commands_of("# say\ndocker run --rm \\\n  busybox echo hi\n\necho done\n") == [
        "docker run --rm busybox echo hi",
        "echo done",
    ]
    # a here-document's lines belong to the command that reads them
    script = "cat > a.py <<'EOF'\nimport sys\n\nprint(1)\nEOF\ndocker run --rm -i python python3 - < a.py\n"
    assert commands_of(script) == [
        "cat > a.py <<'EOF'\nimport sys\n\nprint(1)\nEOF",
        "docker run --rm -i python python3 - < a.py",
    ]


@pytest.fixture
def fixture_kb(tmp_path) -> tuple[Path, Path]:
    return write_kb(tmp_path / "kb"), write_docs(tmp_path / "docs")


def links(kb_dir: Path, docs: Path) -> list[str]:
    series = load_series(docs, root=docs.parent)
    found: list = []
    check_try_links(load_kb(kb_dir), series, mentioned_ids(docs, series), found)
    return [str(p) for p in found]


def test_tutorial_step_must_exist(fixture_kb):
    kb, docs = fixture_kb
    rkt = kb / "runtimes" / "rkt.yaml"
    lines = rkt.read_text(encoding="utf-8").count("\n")
    rkt.write_text(
        rkt.read_text(encoding="utf-8") + "try:\n  tutorial: first-container#stat\n", encoding="utf-8"
    )
    k8s = kb / "orchestration" / "kubernetes.yaml"
    k8s.write_text(
        k8s.read_text(encoding="utf-8") + "try:\n  tutorial: first-contianer#start\n", encoding="utf-8"
    )
    found = links(kb, docs)
    assert (
        f"kb/runtimes/rkt.yaml:{lines + 2}:13: try.tutorial: tutorial 'first-container' has no step 'stat' "
        "(did you mean 'start'?) (its steps: start)" in found
    )
    assert any(
        p.startswith("kb/orchestration/kubernetes.yaml:")
        and p.endswith("try.tutorial: no tutorial 'first-contianer' (did you mean 'first-container'?)")
        for p in found
    ), found


def test_entry_without_example_or_mention_is_an_error(fixture_kb):
    kb, docs = fixture_kb
    found = links(kb, docs)
    # runc and containerd are mentioned by the tutorial; the other three have nothing yet
    warned = sorted(p.split(":")[0] for p in found if "no runnable example or reason" in p)
    assert warned == [
        "kb/orchestration/kubernetes.yaml",
        "kb/runtimes/rkt.yaml",
        "kb/specs/oci-runtime-spec.yaml",
    ]
    # an error (a warning would read "try: warning: ...")
    assert all(":1:1: try: no runnable example or reason" in p for p in found), found


def test_kb_try_names_what_it_needs(tmp_path):
    kb = tmp_path / "kb"
    (kb / "runtimes").mkdir(parents=True)
    (kb / "runtimes" / "alpha.yaml").write_text(
        with_try("try:\n  python: print(1)\n" + SHOWS), encoding="utf-8"
    )
    with pytest.raises(AtlasError, match=r"name entries to try .* or use --all"):
        kb_try(kb, [], everything=False)
    with pytest.raises(AtlasError, match=r"unknown KB entry 'alpah' \(did you mean 'alpha'\?\)"):
        kb_try(kb, ["alpah"], everything=False)
    [example] = collect(kb, ["alpha"], everything=False)
    assert (example.path, example.line, example.key, example.code) == (FILE, 22, "python", "print(1)")


def test_a_reason_or_a_mention_without_commands_is_not_runnable(tmp_path):
    docs = tmp_path / "docs" / "tutorials"
    docs.mkdir(parents=True)
    front = (
        "---\ntitle: T\nprofile: docker\nnext: ''\n"
        "steps:\n  - id: a\n    title: A\n  - id: b\n    title: B\n---\n"
    )
    body = (
        "# T\n\n## A {#a}\n\n[[runc]] is here.\n\n"
        '```run profile="docker" step="t/a"\ndocker info\n```\n\n'
        "## B {#b}\n\n[[kubernetes]] is only named here.\n"
    )
    (docs / "t.md").write_text(front + body, encoding="utf-8")
    (docs / "t.zh.md").write_text(front + body, encoding="utf-8")
    found = mentioned_ids(tmp_path / "docs")
    assert found == {"runc"}
    assert is_runnable(None, "runc" in found) and not is_runnable(None, "kubernetes" in found)
    assert not is_runnable({"reason": {"en": "x", "zh": "y"}}, True)
    assert is_runnable({"run": "docker info"}, False)
