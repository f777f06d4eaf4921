"""Run Prism (Stoplight's OpenAPI mock) on the shared Linq spec, and record what it objects to.

Prism validates every request against the spec and names each violation in an ``sl-violations``
response header; with ``--errors`` a violating request also gets an error status. The recorder
below is an aiohttp trace hook on a session handed to the client, so the client under test is
the real one, with nothing patched.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "data" / "linq-openapi-2026-02-13.yaml"


def prism_binary() -> str | None:
    explicit = os.environ.get("LINQ_ASYNC_PRISM")
    if explicit:
        return explicit
    local = ROOT / ".cache" / "prism" / "node_modules" / ".bin" / "prism"
    if local.exists():
        return str(local)
    return shutil.which("prism")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def prism_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = prism_binary()
    if binary is None:
        if os.environ.get("LINQ_ASYNC_REQUIRE_PRISM") == "1":
            pytest.fail("Prism is required (LINQ_ASYNC_REQUIRE_PRISM=1) but was not found; run `nox -s tests`")
        pytest.skip("Prism not installed: `npm install --prefix .cache/prism @stoplight/prism-cli` (nox does it)")
    port = free_port()
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    # Prism logs every request; a file, unlike an undrained pipe, never fills up and blocks it.
    with log_path.open("w") as log:
        process = subprocess.Popen(
            # --seed makes answers generated with `Prefer: dynamic=true` reproducible.
            [binary, "mock", "--errors", "--seed", "linq-async", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "Prism is listening" not in log_path.read_text():
            if process.poll() is not None:
                pytest.fail(f"Prism exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("Prism did not start within 90 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ViolationRecorder:
    """Collects Prism's ``sl-violations`` header of every answer seen by a session."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[str, str, int]] = []
        self.violations: list[dict[str, Any]] = []

    def trace_config(self) -> aiohttp.TraceConfig:
        config = aiohttp.TraceConfig()

        async def on_end(_: aiohttp.ClientSession, __: SimpleNamespace, params: aiohttp.TraceRequestEndParams) -> None:
            self.exchanges.append((params.method, params.url.path, params.response.status))
            header = params.response.headers.get("sl-violations")
            if header:
                for violation in json.loads(header):
                    self.violations.append({"method": params.method, "path": params.url.path, **violation})

        config.on_request_end.append(on_end)
        return config


@pytest.fixture
def violations() -> ViolationRecorder:
    """What Prism objected to, for the requests of the sessions ``prism_client`` makes."""
    return ViolationRecorder()


@pytest.fixture
async def prism_client(
    prism_url: str,
    violations: ViolationRecorder,
) -> AsyncIterator[Callable[..., Any]]:
    """Make ``AsyncLinqClient``s bound to Prism through a recording session (``Prefer`` header optional).

    Use it in any test module with ``from tests.prism import prism_client, prism_url, violations``
    and ``pytestmark = pytest.mark.prism``; assert ``violations.violations == []`` at the end.
    """
    from linq_async import AsyncLinqClient

    sessions: list[aiohttp.ClientSession] = []

    def make(prefer: str | None = None, **kwargs: Any) -> AsyncLinqClient:
        headers = {"Prefer": prefer} if prefer else None
        session = aiohttp.ClientSession(trace_configs=[violations.trace_config()], headers=headers)
        sessions.append(session)
        return AsyncLinqClient("sk_conformance", base_url=prism_url, session=session, **kwargs)

    yield make
    for session in sessions:
        await session.close()
