"""The typed /build query: what a learner may ask, and the query the engine gets (rebuilt, forced)."""

from __future__ import annotations

import json

import pytest

from sandbox.gateway.errors import Denied, Malformed
from sandbox.gateway.policy import buildquery
from sandbox.limits import declared_limits

CLI_QUERY = [  # what `docker build -t a -t b --build-arg X=1 --label k=v .` sends (API 1.41, classic)
    ("t", "a"), ("t", "b"), ("rm", "1"), ("cpusetcpus", ""), ("networkmode", "default"), ("cpusetmems", ""),
    ("cpushares", "0"), ("cpuquota", "0"), ("cpuperiod", "0"), ("memory", "0"), ("memswap", "0"),
    ("cgroupparent", ""), ("shmsize", "0"), ("dockerfile", "Dockerfile"), ("target", ""), ("ulimits", "null"),
    ("buildargs", '{"X":"1"}'), ("labels", '{"k":"v"}'), ("cachefrom", "null"), ("version", "1"),
]  # fmt: skip


def test_the_clis_query_is_accepted_and_rebuilt_with_what_is_forced():
    limits = declared_limits()
    q = buildquery.parse(CLI_QUERY)
    assert q.tags == ["a", "b"] and q.buildargs == {"X": "1"} and q.labels == {"k": "v"}
    sent = q.forward({"org.container-atlas.session": "s1"}, "atlas-s1", limits, "/atlas/s1")
    as_dict = dict(sent)
    assert [v for k, v in sent if k == "t"] == ["a", "b"]
    assert json.loads(as_dict["labels"]) == {"k": "v", "org.container-atlas.session": "s1"}
    assert as_dict["networkmode"] == "atlas-s1" and as_dict["cgroupparent"] == "/atlas/s1"
    assert as_dict["rm"] == "1" and as_dict["forcerm"] == "1"
    assert {k: as_dict[k] for k in limits.build_params()} == limits.build_params()
    assert int(as_dict["shmsize"]) <= limits.shm_size
    assert "cachefrom" not in as_dict and "ulimits" not in as_dict and "target" not in as_dict


def test_asked_values_never_exceed_the_limits():
    limits = declared_limits()
    q = buildquery.parse([("shmsize", str(2**40)), ("cpushares", "262144"), ("networkmode", "none")])
    sent = dict(q.forward({}, "atlas-s1", limits, ""))
    assert int(sent["shmsize"]) <= limits.shm_size
    assert int(sent["cpushares"]) <= limits.cpu_shares
    assert sent["networkmode"] == "none" and "cgroupparent" not in sent


@pytest.mark.parametrize(
    ("query", "error", "text"),
    [
        ([("nosuch", "1")], Malformed, "query parameter nosuch: not accepted by POST /build"),
        ([("q", "1"), ("q", "0")], Malformed, "given more than once"),
        ([("memory", "1e9")], Malformed, "expected an integer"),
        ([("buildargs", "[1]")], Malformed, "expected a JSON object of strings"),
        ([("buildargs", '{"A": null}')], Denied, "--build-arg A has no value"),
        ([("labels", '{"Org.Container-Atlas.x": "1"}')], Denied, "reserved for the sandbox"),
        ([("dockerfile", "a\nb")], Malformed, "control characters"),
        ([("remote", "git://x")], Denied, "building from a URL"),
        ([("cachefrom", '["x"]')], Denied, "--cache-from"),
        ([("ulimits", '[{"Name":"nofile"}]')], Denied, "--ulimit"),
        ([("squash", "1")], Denied, "--squash"),
        ([("isolation", "hyperv")], Denied, "--isolation"),
        ([("networkmode", "container:x")], Denied, "--network container:x"),
        ([("session", "abc")], Denied, "DOCKER_BUILDKIT=0 docker build"),
        ([("outputs", '[{"Type":"local"}]')], Denied, "--output needs BuildKit"),
    ],
)
def test_refusals_name_the_field(query, error, text):
    with pytest.raises(error, match=text):
        buildquery.parse(query)
