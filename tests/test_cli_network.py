"""--proxy, --no-env-proxy and --ca-bundle reach the client (the proxy and TLS themselves: the core's tests)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

import pytest

from linq_async import cli

from .test_cli import A, Quiet, http_server, run

CHAT = "550e8400-e29b-41d4-a716-446655440000"


class RecordingProxy(Quiet):
    """An HTTP proxy that records each CONNECT (and its headers) and refuses the tunnel."""

    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_CONNECT(self) -> None:
        with self.lock:
            self.seen.append((self.path, dict(self.headers)))
        self.send_response(403, "Tunnel refused by the test proxy")
        self.send_header("Content-Length", "0")
        self.end_headers()


class Direct(Quiet):
    """Where a client goes without a proxy: records that it came (a TLS hello is no HTTP request)."""

    came: ClassVar[threading.Event] = threading.Event()

    def handle(self) -> None:
        self.came.set()


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", "sk_test_0123456789abcdef")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    RecordingProxy.seen = []
    Direct.came.clear()
    return "sk_test_0123456789abcdef"


def add_via(base_url: str, *argv: str) -> tuple[int, str, str]:
    return run("participants", "add", CHAT, A, "--base-url", base_url, "--max-retries", "0", "--timeout", "10", *argv)


def test_proxy_flag_tunnels_an_https_base_url_through_the_proxy(key: str) -> None:
    with http_server(RecordingProxy) as proxy, http_server(Direct) as target:
        code, _, err = add_via(f"https://{target}/api/partner", "--proxy", f"http://{proxy}")
    assert code == 1
    assert "error: " in err and "403" in err
    assert [path for path, _ in RecordingProxy.seen] == [target], "one CONNECT to the API's host and port"
    headers = RecordingProxy.seen[0][1]
    assert not any(key in value for value in headers.values()), "the key travels inside the tunnel only"
    assert not Direct.came.is_set()


def test_env_proxy_is_used_and_no_env_proxy_turns_it_off(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with http_server(RecordingProxy) as proxy, http_server(Direct) as target:
        monkeypatch.setenv("HTTPS_PROXY", f"http://{proxy}")
        code, _, _ = add_via(f"https://{target}/api/partner")
        assert code == 1
        assert [path for path, _ in RecordingProxy.seen] == [target]
        code, _, err = add_via(f"https://{target}/api/partner", "--no-env-proxy")
        assert code == 1, err
        assert len(RecordingProxy.seen) == 1, "--no-env-proxy: the environment's proxy is not used"
        assert Direct.came.wait(5), "the client went straight to the API's host"


def test_a_bad_proxy_url_exits_2(key: str) -> None:
    code, _, err = add_via("https://api.example.com/api/partner", "--proxy", "socks5://127.0.0.1:1080")
    assert code == 2
    assert err.startswith("error: --proxy must be an http:// or https:// URL")


def test_a_missing_ca_bundle_exits_2(key: str, tmp_path: Path) -> None:
    code, _, err = add_via("https://api.example.com/api/partner", "--ca-bundle", str(tmp_path / "corp-ca.pem"))
    assert code == 2
    assert f"error: --ca-bundle '{tmp_path / 'corp-ca.pem'}': no such file" in err


def test_a_ca_bundle_that_is_not_pem_exits_2(key: str, tmp_path: Path) -> None:
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("not a certificate\n")
    code, _, err = add_via("https://api.example.com/api/partner", "--ca-bundle", str(bundle))
    assert code == 2
    assert err.startswith(f"error: --ca-bundle '{bundle}' cannot be loaded: ")
    assert "ca_bundle=" not in err


def test_the_flags_are_given_to_the_client(key: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    made: list[dict[str, object]] = []
    monkeypatch.setattr(cli, "AsyncLinqClient", lambda **kwargs: made.append(kwargs))
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("")
    flags = ["--proxy", "http://proxy.example:3128", "--no-env-proxy", "--ca-bundle", str(bundle)]
    cli._client(cli._parser().parse_args(["participants", "add", CHAT, A, *flags]))
    assert (made[0]["proxy"], made[0]["trust_env"], made[0]["ca_bundle"]) == (
        "http://proxy.example:3128",
        False,
        str(bundle),
    )
    cli._client(cli._parser().parse_args(["participants", "add", CHAT, A]))
    assert (made[1]["proxy"], made[1]["trust_env"], made[1]["ca_bundle"]) == (None, True, None)
