"""The command line, run in-process against the threaded fake server (and once as a subprocess)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linq_async import cli
from linq_async.testing import FakeLinqServer

A, B, C, D = (f"+1415555{n:04d}" for n in range(201, 205))
ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_add_and_remove_one(linq_fake_env: FakeLinqServer) -> None:
    chat = linq_fake_env.create_chat([A, B])
    code, out, err = run("participants", "add", chat, C)
    assert (code, err) == (0, "")
    assert out.startswith("accepted: Participant addition queued (trace_id=")
    code, out, _ = run("participants", "remove", chat, A, "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True
    assert json.loads(out)["response"]["message"] == "Participant removal queued"
    assert linq_fake_env.participants(chat) == [B, C]


def test_api_errors_exit_1_with_code_and_trace(linq_fake_env: FakeLinqServer) -> None:
    direct = linq_fake_env.create_chat([A])
    code, out, err = run("participants", "add", direct, B)
    assert code == 1
    assert "409 code 1006" in err and "trace_id=" in err
    code, out, _ = run("participants", "add", direct, B, "--json")
    error = json.loads(out)["error"]
    assert (code, error["type"], error["status"], error["code"]) == (1, "ConflictError", 409, 1006)
    assert len(error["trace_id"]) == 32


def test_bad_input_exits_2_without_a_request(linq_fake_env: FakeLinqServer) -> None:
    chat = linq_fake_env.create_chat([A, B])
    code, _, err = run("participants", "add", chat, "+1 415 555 0100")
    assert code == 2
    assert "E.164" in err
    code, _, err = run("participants", "add", "../admin", C)
    assert code == 2
    assert linq_fake_env.requests == []


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINQ_API_V3_API_KEY", raising=False)
    code, _, err = run("participants", "add", "550e8400-e29b-41d4-a716-446655440000", A)
    assert code == 2
    assert "LINQ_API_V3_API_KEY" in err


def test_base_url_flag(linq_fake: FakeLinqServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", linq_fake.api_key)
    chat = linq_fake.create_chat([A, B])
    code, _, _ = run("participants", "add", chat, C, "--base-url", linq_fake.base_url)
    assert code == 0
    code, _, err = run("participants", "add", chat, C, "--base-url", "http://example.com")
    assert code == 2 and "http://" in err


def test_add_many_csv_reports_bad_rows_by_line_and_writes_results(
    linq_fake_env: FakeLinqServer, tmp_path: Path
) -> None:
    chats = [linq_fake_env.create_chat([A, B]) for _ in range(3)]
    direct = linq_fake_env.create_chat([A])
    source = tmp_path / "adds.csv"
    source.write_text(
        "chat_id,handle\n"
        f"{chats[0]},{C}\n"
        f"{chats[1]},{C}\n"
        f"{chats[2]},+1 415 555 0100\n"  # line 4: bad handle
        "\n"
        f"{chats[2]},{C},extra\n"  # line 6: three columns
        f"{direct},{C}\n"  # line 7: refused by the API (1:1 chat)
        f"not-a-uuid,{D}\n"  # line 8: bad chat id
        f"{chats[2]},{D}\n"
    )
    results = tmp_path / "results.jsonl"
    code, _out, err = run("participants", "add-many", str(source), "--results", str(results), "--no-progress")
    assert code == 1
    assert "line 4: not sent" in err and "line 6: not sent: expected 2 columns" in err and "line 8: not sent" in err
    assert "3 succeeded, 4 failed" in err
    records = {r["line"]: r for r in map(json.loads, results.read_text().splitlines())}
    assert sorted(records) == [2, 3, 4, 6, 7, 8, 9]
    assert [records[n]["ok"] for n in (2, 3, 9)] == [True, True, True]
    assert records[7]["error"]["code"] == 1006
    assert records[4]["error"]["type"] == "BadRow"
    assert linq_fake_env.participants(chats[2]) == [A, B, D]
    assert len(linq_fake_env.requests) == 4, "bad rows are never sent"


def test_add_many_jsonl_from_stdin_with_json_summary(
    linq_fake_env: FakeLinqServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = linq_fake_env.create_chat([A, B])
    lines = [json.dumps({"chat_id": chat, "handle": h}) for h in (C, D)] + ["{broken", '{"chat_id": "x"}']
    linq_fake_env.inject("500/3006")
    code, out, err = run(
        "participants", "add-many", "-", "--json", stdin="\n".join(lines) + "\n", monkeypatch=monkeypatch
    )
    summary = json.loads(out)
    assert code == 1
    assert (summary["succeeded"], summary["failed"], summary["requests"]) == (2, 2, 3)
    assert "line 3: not sent: not JSON" in err and "line 4" in err
    assert linq_fake_env.participants(chat) == [A, B, C, D]


def test_remove_many_all_succeed_exits_0(linq_fake_env: FakeLinqServer, tmp_path: Path) -> None:
    chat = linq_fake_env.create_chat([A, B, C, D])
    source = tmp_path / "removes.txt"
    source.write_text(f"{chat},{C}\n{chat},{D}\n")
    code, _, err = run("participants", "remove-many", str(source), "--format", "csv", "--no-progress")
    assert code == 0, err
    assert linq_fake_env.participants(chat) == [A, B]


def test_missing_file(linq_fake_env: FakeLinqServer) -> None:
    code, _, err = run("participants", "add-many", "/no/such/file.csv")
    assert code == 2 and "no such file" in err


def test_demo_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("demo", "--chats", "6", "--no-progress")
    assert code == 0, err
    assert "every valid addition landed" in err
    assert "1006" in err and "2017" in err and "2001" in err


@pytest.mark.slow
def test_python_dash_m_runs_the_cli() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINQ_API_V3")}
    env["PYTHONPATH"] = str(ROOT)
    version = subprocess.run([sys.executable, "-m", "linq_async", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("linq-async ")
    missing = subprocess.run(
        [sys.executable, "-m", "linq_async", "participants", "add", "x", "y"], capture_output=True, text=True, env=env
    )
    assert missing.returncode == 2 and "LINQ_API_V3_API_KEY" in missing.stderr
