"""Sandbox B asks about sandbox A's objects through `docker events --filter` and `docker inspect`.

The victim (A with a container `db`, image `secret`, network `anet`, volumes `avol` and an anonymous
one) is test_attack_names.py's. B knows every engine name and ID of A. Filtering B's events by any of
them shows nothing (while B's own name does show B's events); inspecting any of them answers exactly
what inspecting a name that exists nowhere answers (404, "No such ..."), so B cannot even tell that
the object exists.
"""

from __future__ import annotations

import json

import pytest
from gateway_harness import gateway  # noqa: F401 - fixture
from test_attack_names import victim  # noqa: F401 - fixture

pytestmark = [pytest.mark.docker, pytest.mark.slow]
EVENTS = 'docker events --since 10m --until "$(date +%s)"'  # the past only: ends by itself
FILTERS = [
    "container=db",
    "container=atlas-{A}.db",
    "container=/atlas-{A}.db",
    "container={cid}",
    "container={cid12}",
    "container={cid5}",
    "image=secret",
    "image=atlas-{A}.secret",
    "image={iid}",
    "image={iid12}",
    "image=atag",
    "network=anet",
    "network=atlas-{A}.anet",
    "network=atlas-{A}",
    "network={nid}",
    "network={dnid12}",
    "volume=avol",
    "volume=atlas-{A}.avol",
    "volume={anon}",
    "volume={anon12}",
]


def test_b_filtering_events_by_a_names_sees_nothing(victim):  # noqa: F811
    """Every spelling of A's objects as an events filter in B: an empty stream (one shell)."""
    cmds = [f'{EVENTS} --filter "{victim.fmt(f)}"' for f in FILTERS]
    past = 'docker events --since 10m --until "$(($(date +%s)+1))"'
    controls = [f"{past} --filter container=mine", f"{past} --format '{{{{json .}}}}'"]
    answers = victim.b.sh_each([*cmds, *controls])
    seen = [(cmd, out) for cmd, (code, out) in zip(cmds, answers, strict=False) if code != 0 or out]
    assert not seen, f"B's events filtered by A's objects are not empty: {seen}"
    (code, mine), (code_all, everything) = answers[-2:]
    assert code == 0 and "container start" in mine and "name=mine" in mine, mine
    # unfiltered: B's own containers and networks, nothing of A's (A made a container, image, volumes,
    # networks and connected them: none of their IDs or names, nor A's session, shows)
    assert code_all == 0 and '"Type":"network"' in everything and '"name":"mine"' in everything, everything
    for secret in (
        victim.a.sid,
        victim.cid,
        victim.nid,
        victim.default_nid,
        victim.anon,
        victim.iid[7:],
        f"atlas-{victim.b.sid}.",  # B's own engine names are not shown either
    ):
        assert secret not in everything, f"B's events show {secret}:\n{everything}"


CON, IMG, NET, VOL = "/containers/{x}/json", "/images/{x}/json", "/networks/{x}", "/volumes/{x}"
SPELLINGS = {  # A's object by a spelling -> the raw lookups tried with it (its own kind's, and others)
    "atlas-{A}.db": [CON, IMG],
    "/atlas-{A}.db": [CON],
    "{cid12}": [CON, VOL],
    "atlas-{A}.secret": [IMG, CON],
    "{iid}": [IMG],
    "{iid12}": [IMG, NET],
    "atlas-{A}.anet": [NET],
    "{nid12}": [NET, CON],
    "atlas-{A}.avol": [VOL],
    "{anon}": [VOL, NET],
    "x/atlas-{A}.db": [CON, IMG, NET, VOL],
}
NOWHERE = "nowhere0"  # a name no session has


def _curl(path: str) -> str:
    return (
        "curl -sS -o /tmp/answer -w '%{http_code}' --unix-socket /var/run/docker.sock "
        f"'http://d/v1.41{path}'; echo; cat /tmp/answer"
    )


def test_b_inspecting_a_names_is_like_a_missing_name(victim):  # noqa: F811
    """`docker inspect` and raw lookups of A's objects answer exactly as for a name that exists
    nowhere (404, the same message with the name swapped): B learns nothing (one shell)."""
    names = {victim.fmt(s): paths for s, paths in SPELLINGS.items()}
    raw = [(n, p) for n, paths in [(NOWHERE, [CON, IMG, NET, VOL]), *names.items()] for p in paths]
    cmds = [f"docker inspect {n}" for n in [NOWHERE, *names]] + [_curl(p.format(x=n)) for n, p in raw]
    answers = victim.b.sh_each(cmds)
    inspects, lookups = answers[: len(names) + 1], answers[len(names) + 1 :]
    code, missing = inspects[0]
    assert code == 1 and f"No such object: {NOWHERE}" in missing, missing
    wrong = [
        (n, got)
        for n, got in zip(names, inspects[1:], strict=True)
        if got != (1, missing.replace(NOWHERE, n))
    ]
    assert not wrong, f"docker inspect of A's objects differs from a missing name's: {wrong}"
    nowhere = {p: out for (n, p), (_, out) in zip(raw, lookups, strict=True) if n == NOWHERE}
    assert all(out.startswith("404\n") for out in nowhere.values()), nowhere
    wrong = []
    for (n, path), (_, out) in zip(raw, lookups, strict=True):
        status, _, body = out.partition("\n")
        want = json.loads(nowhere[path].partition("\n")[2])["message"].replace(NOWHERE, n)
        if status != "404" or json.loads(body)["message"] != want:
            wrong.append((path, n, out))
    assert not wrong, f"lookups of A's objects differ from a missing name's: {wrong}"
