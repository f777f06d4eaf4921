"""Production networks and crashes: proxies, TLS, event loops, counted attempts, timeouts, batches.

Real servers on loopback throughout: a TLS server signed by a throwaway CA, a recording forward
proxy, a listening socket that never completes a handshake.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linq_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncLinqClient,
    BatchResult,
    CertificateVerificationError,
    LinqError,
    RateLimitError,
    RetryPolicy,
    SyncLinqClient,
    ValidationError,
)

from .helpers import ADD_OK, CHAT, KEY, ScriptedAPI, Sleeps, envelope
from .netutil import RecordingProxy, TLSServer

ROOT = Path(__file__).resolve().parent.parent
HANDLE = "+14155550100"


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[TLSServer]:
    with TLSServer(tmp_path) as server:
        yield server


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with RecordingProxy() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


# TLS ---------------------------------------------------------------------------------------------


def test_a_certificate_that_fails_verification_is_not_retried(tls: TLSServer, sleeps: Sleeps) -> None:
    with (
        SyncLinqClient(KEY, base_url=tls.base_url, retry=RetryPolicy(sleep=sleeps)) as client,
        pytest.raises(CertificateVerificationError, match="could not be verified") as info,
    ):
        client.chats.participants.add(CHAT, handle=HANDLE)
    assert isinstance(info.value, APIConnectionError)
    assert "ca_bundle" in str(info.value)
    assert sleeps == [], "retried a certificate failure"
    assert tls.requests == []


@pytest.mark.parametrize("how", ["ca_bundle", "ssl_context", "SSL_CERT_FILE"])
def test_a_custom_ca_is_trusted(tls: TLSServer, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    kwargs: dict[str, Any] = {}
    if how == "ca_bundle":
        kwargs["ca_bundle"] = tls.ca_path
    elif how == "ssl_context":
        kwargs["ssl_context"] = ssl.create_default_context(cafile=str(tls.ca_path))
    else:
        monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_path))
    with SyncLinqClient(KEY, base_url=tls.base_url, **kwargs) as client:
        assert client.chats.participants.add(CHAT, handle=HANDLE).status == "accepted"
    assert len(tls.requests) == 1


def test_ssl_cert_file_is_loaded_once_for_every_session_that_reads_it(
    tls: TLSServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import ssl
    import threading

    loaded: list[str] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        import os

        loaded.append(os.environ.get("SSL_CERT_FILE", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_path))
    with SyncLinqClient(KEY, base_url=tls.base_url) as first, SyncLinqClient(KEY, base_url=tls.base_url) as second:
        first.chats.participants.add(CHAT, handle=HANDLE)
        second.chats.participants.add(CHAT, handle=HANDLE)
        # Another thread runs the call on a loop of its own, with a session of its own.
        other = threading.Thread(target=lambda: first.chats.participants.add(CHAT, handle=HANDLE))
        other.start()
        other.join()
    assert len(tls.requests) == 3
    assert loaded == [str(tls.ca_path)], "the CA bundle was loaded again for another session"
    # A new value is read when the next session is made.
    moved = tmp_path / "moved-ca.pem"
    shutil.copy(tls.ca_path, moved)
    monkeypatch.setenv("SSL_CERT_FILE", str(moved))
    with SyncLinqClient(KEY, base_url=tls.base_url) as third:
        third.chats.participants.add(CHAT, handle=HANDLE)
    assert loaded == [str(tls.ca_path), str(moved)]


def test_bad_ca_options_are_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot be loaded"):
        AsyncLinqClient(KEY, ca_bundle=tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(ValidationError, match="cannot be loaded"):
        AsyncLinqClient(KEY, ca_bundle=tmp_path / "junk.pem")
    with pytest.raises(ValidationError, match="SSLContext"):
        AsyncLinqClient(KEY, ssl_context="yes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not both"):
        AsyncLinqClient(KEY, ca_bundle="a.pem", ssl_context=object())  # type: ignore[arg-type]


# Proxies -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_https_proxy_from_the_environment_tunnels_with_connect(
    tls: TLSServer, proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    if kind == "sync":
        with SyncLinqClient(KEY, base_url=tls.base_url, ca_bundle=tls.ca_path) as client:
            assert client.chats.participants.add(CHAT, handle=HANDLE).status == "accepted"
    else:

        async def call() -> None:
            async with AsyncLinqClient(KEY, base_url=tls.base_url, ca_bundle=tls.ca_path) as client:
                await client.chats.participants.add(CHAT, handle=HANDLE)

        asyncio.run(call())
    assert proxy.request_lines == [f"CONNECT 127.0.0.1:{tls.port} HTTP/1.1"]
    assert "Authorization" not in proxy.headers[0]
    assert KEY.encode() not in proxy.relayed, "the key crossed the proxy in clear"
    assert len(tls.requests) == 1
    assert tls.requests[0][2]["Authorization"] == f"Bearer {KEY}"


def test_no_proxy_and_trust_env_false_go_direct(
    tls: TLSServer, proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with SyncLinqClient(KEY, base_url=tls.base_url, ca_bundle=tls.ca_path, trust_env=False) as client:
        client.chats.participants.add(CHAT, handle=HANDLE)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with SyncLinqClient(KEY, base_url=tls.base_url, ca_bundle=tls.ca_path) as client:
        client.chats.participants.add(CHAT, handle=HANDLE)
    assert proxy.request_lines == []
    assert len(tls.requests) == 2


def test_an_explicit_proxy_with_credentials(tls: TLSServer, proxy: RecordingProxy) -> None:
    secret_proxy = proxy.url.replace("http://", "http://team:s3cret-pw@")
    with SyncLinqClient(KEY, base_url=tls.base_url, ca_bundle=tls.ca_path, proxy=secret_proxy) as client:
        client.chats.participants.add(CHAT, handle=HANDLE)
        assert "s3cret-pw" not in repr(client)
    assert proxy.request_lines == [f"CONNECT 127.0.0.1:{tls.port} HTTP/1.1"]
    assert proxy.headers[0]["Proxy-Authorization"].startswith("Basic ")


def test_a_proxy_that_is_down_gives_a_clear_error_without_its_password(tls: TLSServer, sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = f"http://team:s3cret-pw@127.0.0.1:{port}"
    with (
        SyncLinqClient(KEY, base_url=tls.base_url, proxy=dead, retry=RetryPolicy(sleep=sleeps, max_retries=1)) as c,
        pytest.raises(APIConnectionError, match="proxy") as info,
    ):
        c.chats.participants.add(CHAT, handle=HANDLE)
    assert "s3cret-pw" not in str(info.value) and "s3cret-pw" not in repr(info.value)
    assert len(sleeps) == 1, "a proxy that is down may come back: retried"


def test_a_proxy_that_refuses_the_tunnel_says_so(tls: TLSServer, proxy: RecordingProxy, sleeps: Sleeps) -> None:
    proxy.refuse_tunnels = True
    with (
        SyncLinqClient(KEY, base_url=tls.base_url, proxy=proxy.url, retry=RetryPolicy(sleep=sleeps)) as client,
        pytest.raises(APIConnectionError, match=r"the proxy refused to open a tunnel .*: 403"),
    ):
        client.chats.participants.add(CHAT, handle=HANDLE)
    assert tls.requests == []


def test_the_key_never_goes_to_a_proxy_in_clear(
    threaded_api: ScriptedAPI, proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    with SyncLinqClient(KEY, base_url=threaded_api.base_url) as client:  # plain http to loopback
        client.chats.participants.add(CHAT, handle=HANDLE)
    assert proxy.request_lines == [], "a plain-http request went through the proxy"
    with pytest.raises(ValidationError, match="would see the API key"):
        SyncLinqClient(KEY, base_url=threaded_api.base_url, proxy=proxy.url)
    for bad in ("socks5://127.0.0.1:1080", "proxy.example:3128", "http://", "http://a b"):
        with pytest.raises(ValidationError, match="proxy"):
            SyncLinqClient(KEY, proxy=bad)


# Attempts the SDK does not know about --------------------------------------------------------------


def test_aiohttp_never_resends_a_request_on_its_own(threaded_api: ScriptedAPI, sleeps: Sleeps) -> None:
    """A DELETE on a pooled connection that drops: only the policy's attempts leave the process."""
    with SyncLinqClient(KEY, base_url=threaded_api.base_url, retry=RetryPolicy(sleep=sleeps, max_retries=2)) as c:
        c.chats.participants.remove(CHAT, handle=HANDLE)  # pools a keep-alive connection
        threaded_api.drop(times=3)
        result = c.chats.participants.remove_many([(CHAT, HANDLE)])
    [outcome] = result.outcomes
    assert isinstance(outcome.error, APIConnectionError)
    assert outcome.attempts == 3
    assert len(threaded_api.seen) == 1 + 3, "aiohttp re-sent a DELETE the policy did not count"


# Timeouts --------------------------------------------------------------------------------------


def test_a_connect_timeout_names_the_limit_that_fired(sleeps: Sleeps) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    # Fill the accept queue: further handshakes get no answer, so a connect hangs. The fillers
    # connect without blocking (the later ones would hang too).
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        from linq_async import Timeout

        with SyncLinqClient(
            KEY,
            base_url=f"http://127.0.0.1:{port}/api/partner",
            timeout=Timeout(total=10, connect=0.3),
            retry=RetryPolicy(sleep=sleeps, max_retries=0),
        ) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match=r"within 0\.3s \(timeout\.connect\)"):
                client.chats.participants.add(CHAT, handle=HANDLE)
            assert time.monotonic() - started < 5
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_a_total_timeout_names_the_limit_that_fired(threaded_api: ScriptedAPI) -> None:
    threaded_api.reply(500, envelope(500, 3006), delay=1.0)
    with (
        SyncLinqClient(KEY, base_url=threaded_api.base_url, timeout=0.2, max_retries=0) as client,
        pytest.raises(APITimeoutError, match=r"after 0\.2s \(timeout\.total\)"),
    ):
        client.chats.participants.add(CHAT, handle=HANDLE)


# Server delays over the cap, in a batch ------------------------------------------------------------


def test_a_batch_fails_items_whose_server_delay_is_over_the_cap_without_sleeping(
    threaded_api: ScriptedAPI, sleeps: Sleeps
) -> None:
    threaded_api.reply(429, envelope(429, 1007, retry_after=3600), times=2)
    pairs = [(CHAT, f"+1415555{n:04d}") for n in range(4)]
    with SyncLinqClient(KEY, base_url=threaded_api.base_url, retry=RetryPolicy(sleep=sleeps)) as client:
        result = client.chats.participants.add_many(pairs, concurrency=1)
    assert [type(o.error) for o in result] == [RateLimitError, RateLimitError, type(None), type(None)]
    assert result.outcomes[0].error.retry_after == 3600  # type: ignore[union-attr]
    assert sleeps == []
    assert len(threaded_api.seen) == 4


# One event loop per client -------------------------------------------------------------------------

LOOPS_CHILD = f"""
    import asyncio, gc, sys, threading
    from linq_async import AsyncLinqClient, LinqError

    client = AsyncLinqClient("{KEY}", base_url=sys.argv[1])  # made at import time, outside any loop

    async def call():
        return (await client.chats.participants.add("{CHAT}", handle="{HANDLE}")).status

    async def call_with(any_client):
        return (await any_client.chats.participants.add("{CHAT}", handle="{HANDLE}")).status

    print(asyncio.run(call()), asyncio.run(call()), asyncio.run(call()), flush=True)

    def in_another_thread():
        try:
            asyncio.run(call())
        except LinqError as exc:
            print("refused:", "another event loop" in str(exc), flush=True)

    async def from_two_loops():
        await client.chats.participants.add("{CHAT}", handle="{HANDLE}")
        thread = threading.Thread(target=in_another_thread)
        thread.start()
        await asyncio.to_thread(thread.join)  # this loop runs meanwhile: the other one is refused
        await client.close()

    asyncio.run(from_two_loops())
    asyncio.run(client.close())  # closed already, on a loop that has closed: quiet

    # A loop closed by hand, without shutting down async generators: the session cannot close
    # itself there; the next use (or close) drops it with its sockets closed, and no warning.
    other = AsyncLinqClient("{KEY}", base_url=sys.argv[1])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(other.chats.participants.add("{CHAT}", handle="{HANDLE}"))
    loop.close()
    print(asyncio.run(call_with(other)), flush=True)
    asyncio.run(other.close())
    print("closed", other.closed, flush=True)

    # The same, then the client is dropped without ever being closed: its sockets are closed
    # when it is collected, with no "Unclosed client session" or ResourceWarning.
    dropped = AsyncLinqClient("{KEY}", base_url=sys.argv[1])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(dropped.chats.participants.add("{CHAT}", handle="{HANDLE}"))
    loop.close()
    del dropped, loop
    gc.collect()
"""


@pytest.mark.slow
def test_a_client_survives_successive_event_loops_and_never_leaks(threaded_api: ScriptedAPI) -> None:
    child = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(LOOPS_CHILD), threaded_api.base_url],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.split("\n")[:4] == ["accepted accepted accepted", "refused: True", "accepted", "closed True"]
    assert child.stderr == "", child.stderr


_SHARED = AsyncLinqClient(KEY, base_url="http://127.0.0.1:9/api/partner")  # one client, many test loops


@pytest.mark.parametrize("round", [1, 2, 3])
async def test_one_module_level_client_across_function_scoped_test_loops(api: ScriptedAPI, round: int) -> None:
    client = _SHARED.with_options()
    client._conn.base_url = api.base_url  # this test's server; the session is the shared client's
    assert (await client.chats.participants.add(CHAT, handle=HANDLE)).status == "accepted"


def test_a_sync_batch_partial_result_survives_a_failing_input(threaded_api: ScriptedAPI) -> None:
    def pairs() -> Iterator[tuple[str, str]]:
        yield CHAT, HANDLE
        raise OSError("the input went away")

    threaded_api.reply(202, ADD_OK)
    with SyncLinqClient(KEY, base_url=threaded_api.base_url) as client, pytest.raises(OSError) as info:
        client.chats.participants.add_many(pairs())
    partial = BatchResult.from_exception(info.value)
    assert partial is not None and [o.ok for o in partial] == [True]


def test_linq_errors_all_derive_from_linq_error() -> None:
    assert issubclass(CertificateVerificationError, LinqError)


@pytest.mark.parametrize("idle", [0.4])
def test_the_sync_client_notices_connections_the_server_closed_while_it_was_idle(tmp_path: Path, idle: float) -> None:
    # A load balancer closes idle keep-alive connections; the calling thread's loop does not run
    # between calls, so the close must be noticed when the next call starts, not by failing on it.
    with TLSServer(tmp_path, keepalive_timeout=0.15) as server:
        with SyncLinqClient(KEY, base_url=server.base_url, ca_bundle=server.ca_path, max_retries=0) as client:
            for _ in range(3):
                client.chats.participants.add(CHAT, handle="+14155550100")
                time.sleep(idle)
        assert len(server.requests) == 3
