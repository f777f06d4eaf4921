"""``linq-async serve-fake``: a fake to try the command line on, driven from another process."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cli import ROOT, run


def serve(*argv: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINQ_API_V3")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [sys.executable, "-W", "default", "-X", "warn_default_encoding", "-m", "linq_async", "serve-fake", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def printed(server: subprocess.Popen[str]) -> list[str]:
    """The lines serve-fake prints before it waits, up to the suggested add-many command."""
    assert server.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("linq-async participants add-many"):
        line = server.stdout.readline()
        assert line, f"serve-fake ended early: {server.wait()} {server.stderr.read() if server.stderr else ''}"
        lines.append(line.rstrip("\n"))
    return lines


def stop(server: subprocess.Popen[str], how: signal.Signals = signal.SIGINT) -> tuple[int, str]:
    server.send_signal(how)
    _, err = server.communicate(timeout=30)
    return server.returncode, err


@pytest.mark.slow
def test_serve_fake_then_add_many_against_the_printed_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve("--chats", "4", "--faults")
    try:
        lines = printed(server)
        assert lines[0].startswith("Fake Linq server on http://127.0.0.1:") and "with 4 group chats" in lines[0]
        assert lines[1].startswith("Injected faults")
        (export,) = (line for line in lines if line.startswith("export "))
        variables = dict(word.split("=", 1) for word in shlex.split(export)[1:])
        assert set(variables) == {"LINQ_API_V3_API_KEY", "LINQ_API_V3_BASE_URL"}
        assert lines[0].split()[4] == variables["LINQ_API_V3_BASE_URL"]
        start = lines.index("cat > adds.csv <<'EOF'")
        end = lines.index("EOF")
        csv = lines[start + 1 : end]
        assert csv[0] == "chat_id,handle" and len(csv) == 5
        (tmp_path / "adds.csv").write_text("\n".join(csv) + "\n")

        # The printed recipe, as another terminal would run it (here in-process, then in a subprocess).
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        journal = tmp_path / "results.jsonl"
        code, out, err = run(
            "participants", "add-many", str(tmp_path / "adds.csv"), "--results", str(journal), "--json"
        )
        assert code == 0, err
        summary = json.loads(out)
        assert (summary["succeeded"], summary["failed"]) == (4, 0)
        assert summary["requests"] > 4, "the injected faults were met and retried through"
        chat, handle = csv[1].split(",")
        again = subprocess.run(
            [sys.executable, "-m", "linq_async", "participants", "remove", chat, handle, "--json"],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["response"]["message"] == "Participant removal queued"
    finally:
        code, err = stop(server)
    assert code == 0, err
    assert "Traceback" not in err and "Warning" not in err and "Error" not in err, err
    assert err.strip().splitlines()[-1].startswith("fake server stopped after ")


@pytest.mark.slow
def test_serve_fake_on_a_port_in_use_exits_2_and_sigterm_stops_it_too() -> None:
    first = serve()
    try:
        port = printed(first)[0].split("127.0.0.1:")[1].split("/")[0]
        second = serve("--port", port)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 2
        assert f"error: --port {port}: cannot listen on 127.0.0.1" in err
    finally:
        code, err = stop(first, signal.SIGTERM)
    assert code == 0, err
    assert "Traceback" not in err and "Warning" not in err, err
