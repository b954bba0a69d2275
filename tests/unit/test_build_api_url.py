"""`./atlas build --api-url`: the address the built pages call the sandbox service at."""

from __future__ import annotations

import pytest
from atlas.errors import AtlasError
from atlas.sitegen.publish import check_api_url


@pytest.mark.parametrize(
    ("given", "api"),
    [
        (None, None),
        ("", None),
        ("https://sandbox.example.org", "https://sandbox.example.org/api"),
        ("https://sandbox.example.org/", "https://sandbox.example.org/api"),
        ("http://127.0.0.1:8000/api/", "http://127.0.0.1:8000/api"),
        ("https://example.org/atlas", "https://example.org/atlas/api"),
    ],
)
def test_api_url_is_the_service_plus_api(given, api):
    assert check_api_url(given) == api


@pytest.mark.parametrize("bad", ["sandbox.example.org", "ftp://x.example", "https://x.example/?a=1", "/api"])
def test_bad_api_url_names_the_option(bad):
    with pytest.raises(AtlasError, match=r"--api-url \(or ATLAS_API_URL\)"):
        check_api_url(bad)


def test_the_option_and_variable_reach_the_build(monkeypatch, tmp_path):
    from atlas import cli

    seen = {}
    monkeypatch.setattr("atlas.sitegen.publish.build_site", lambda **kw: seen.update(kw))
    monkeypatch.setenv("ATLAS_API_URL", "https://sandbox.example.org")
    cli.main(["build", "--out", str(tmp_path / "s")])
    assert seen["api_url"] == "https://sandbox.example.org"
    cli.main(["build", "--out", str(tmp_path / "s"), "--api-url", "http://127.0.0.1:9"])
    assert seen["api_url"] == "http://127.0.0.1:9"
