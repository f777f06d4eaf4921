"""The command line, run in-process against the threaded fake server (and once as a subprocess)."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from linq_async import AsyncLinqClient, cli
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


@contextlib.contextmanager
def http_server(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 from a thread; yield ``host:port``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class HtmlNotFound(Quiet):
    """A web server that is not the Linq API: every path is a 404 page."""

    def _page(self) -> None:
        body = b"<html><body><h1>Page not found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_DELETE = do_GET = _page


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
    assert "line 4: not sent: handle is not an E.164" in err and "line 8: not sent: chat_id must be a UUID" in err
    assert "line 6: not sent: 3 cells, but the header names 2 columns" in err
    assert "line 7: failed: " in err and "ConflictError: 409 code 1006" in err
    assert "3 succeeded, 4 failed" in err
    records = {r["line"]: r for r in map(json.loads, results.read_text().splitlines()) if r["record"] == "row"}
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


def test_one_participant_json_has_every_key_with_null_for_none(linq_fake_env: FakeLinqServer) -> None:
    chat = linq_fake_env.create_chat([A, B])
    code, out, _ = run("participants", "add", chat, C, "--json")
    assert (code, json.loads(out)["error"]) == (0, None)
    code, out, _ = run("participants", "add", "00000000-0000-4000-8000-000000000000", C, "--json")
    answer = json.loads(out)
    assert (code, answer["ok"], answer["response"]) == (1, False, None)
    assert answer["error"] == {
        "type": "NotFoundError",
        "message": "Chat not found",
        "status": 404,
        "code": 2001,
        "trace_id": answer["error"]["trace_id"],
        "doc_url": "https://docs.linqapp.com/error/codes/2xxx/2001/",
        "retry_after": None,
    }


# Error messages in the command line's words ------------------------------------------------------

PYTHON_WORDS = ("api_key=", "allow_insecure_http", "ca_bundle=", "base_url ", "timeout.total")


def test_missing_key_speaks_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("participants", "add-many", "-", stdin="", monkeypatch=monkeypatch)
    assert code == 2
    assert "set the LINQ_API_V3_API_KEY environment variable" in err and "from there only" in err
    assert not any(word in err for word in PYTHON_WORDS), err


@pytest.mark.parametrize("where", ["flag", "env"])
def test_plain_http_base_url_speaks_cli(where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", "sk_test_0123456789")
    argv = ["participants", "add", "550e8400-e29b-41d4-a716-446655440000", A]
    if where == "flag":
        argv += ["--base-url", "http://api.example.com/api/partner"]
    else:
        monkeypatch.setenv("LINQ_API_V3_BASE_URL", "http://api.example.com/api/partner")
    code, _, err = run(*argv)
    assert code == 2
    assert ("--base-url uses plain http://" if where == "flag" else "$LINQ_API_V3_BASE_URL uses plain http://") in err
    assert "accepted only to a loopback host" in err
    assert not any(word in err for word in PYTHON_WORDS), err


def test_proxy_with_plain_http_base_url_speaks_cli(linq_fake_env: FakeLinqServer) -> None:
    code, _, err = run("participants", "add", linq_fake_env.create_chat([A, B]), C, "--proxy", "http://127.0.0.1:9")
    assert code == 2
    assert "--proxy needs an https:// base URL" in err
    assert not any(word in err for word in PYTHON_WORDS), err
    assert linq_fake_env.requests == []


def test_the_client_messages_the_cli_rewords_are_still_the_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    # If the client's wording changes, cli_words must follow, or Python advice reaches the shell.
    with pytest.raises(ValueError, match="pass api_key= or set the LINQ_API_V3_API_KEY") as missing:
        AsyncLinqClient()
    with pytest.raises(ValueError, match="allow_insecure_http") as insecure:
        AsyncLinqClient("sk_test_0123456789", base_url="http://example.com")
    with pytest.raises(ValueError, match=r"^ca_bundle ") as bundle:
        AsyncLinqClient("sk_test_0123456789", ca_bundle="/no/such.pem")
    for error in (missing.value, insecure.value, bundle.value):
        assert not any(word in cli.cli_words(str(error)) for word in PYTHON_WORDS), cli.cli_words(str(error))
    certificate = "POST https://x/: ... give its CA certificate with ca_bundle= or $SSL_CERT_FILE"
    assert cli.cli_words(certificate).endswith("with --ca-bundle or $SSL_CERT_FILE")
    assert cli.cli_words("POST u timed out after 5s (timeout.total)").endswith("(--timeout)")


@pytest.mark.parametrize(
    "argv",
    [
        ["--concurrency", "0"],
        ["--concurrency", "1001"],
        ["--concurrency", "eight"],
        ["--timeout", "0"],
        ["--timeout", "nan"],
        ["--timeout", "-1"],
        ["--max-retries", "-1"],
        ["--max-retries", "101"],
    ],
)
def test_bad_numbers_exit_2_before_any_progress(argv: list[str], linq_fake_env: FakeLinqServer, tmp_path: Path) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"chat_id,handle\n{linq_fake_env.create_chat([A, B])},{C}\n")
    code, _, err = run("participants", "add-many", str(source), *argv)
    assert code == 2
    assert f"argument {argv[0]}: must be" in err
    assert "━" not in err and "add-many 0" not in err and "done:" not in err
    assert linq_fake_env.requests == []


@pytest.mark.parametrize(
    "argv", [["demo", "--chats", "0"], ["demo", "--concurrency", "0"], ["serve-fake", "--chats", "0"]]
)
def test_bad_numbers_of_the_fake_commands(argv: list[str]) -> None:
    code, _, err = run(*argv)
    assert code == 2
    assert "must be from 1 to" in err


# A base URL that is not the Linq API -------------------------------------------------------------


def test_a_web_page_404_says_the_url_does_not_look_like_linq(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", "sk_test_0123456789")
    with http_server(HtmlNotFound) as where:
        argv = ("participants", "add", "550e8400-e29b-41d4-a716-446655440000", A, "--base-url", f"http://{where}")
        code, _, err = run(*argv)
        assert code == 1
        assert "does not look like the Linq API" in err and "/api/partner" in err
        assert err.startswith("error: 404: ") and "code" not in err.split("does not look")[0]
        code, out, _ = run(*argv, "--json")
    error = json.loads(out)["error"]
    assert (code, error["type"], error["status"], error["code"]) == (1, "NotFoundError", 404, None)
    assert "does not look like the Linq API" in error["message"]


def test_a_batch_to_a_wrong_base_path_stops_at_the_first_answer(linq_fake_env: FakeLinqServer, tmp_path: Path) -> None:
    chats = [linq_fake_env.create_chat([A, B]) for _ in range(4)]
    source = tmp_path / "adds.csv"
    source.write_text("chat_id,handle\n" + "".join(f"{chat},+1415666{n:04d}\n" for n in range(10) for chat in chats))
    wrong = linq_fake_env.base_url.removesuffix("/api/partner")
    code, _, err = run(
        "participants", "add-many", str(source), "--base-url", wrong, "--concurrency", "2", "--no-progress"
    )
    assert code == 1
    assert err.count("does not look like the Linq API") == 1
    assert "stopped: line " in err and "the rows left were not sent" in err
    # Two in flight when the first answer arrives; each worker may start one more item before the
    # answer is read (workers take the next ready item at once). Nothing starts after it is read.
    assert len(linq_fake_env.requests) <= 4, "no request after the first answer showed the URL is wrong"
