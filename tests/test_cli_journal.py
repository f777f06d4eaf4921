"""Batch results: failed rows on stderr, --json types, and --results as a journal that --resume reads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TextIO, cast

import pytest

from linq_async import cli
from linq_async.testing import FakeLinqServer

from .test_cli import ROOT, A, B, C, D, run

ROW_KEYS = {"record", "line", "chat_id", "handle", "ok", "attempts", "response", "error"}
ERROR_KEYS = {"type", "status", "code", "message", "trace_id", "doc_url", "retry_after"}
UNKNOWN_CHAT = "00000000-0000-4000-8000-000000000000"


def records(path: Path) -> list[dict[str, Any]]:
    """Every whole record of a journal (a line cut off by a kill is left out)."""
    return [json.loads(text) for text in path.read_text().splitlines(keepends=True) if text.endswith("\n")]


def done_rows(path: Path) -> list[tuple[int, str, str]]:
    return [(r["line"], r["chat_id"], r["handle"]) for r in records(path) if r["record"] == "row" and r["ok"]]


def write_rows(path: Path, rows: list[tuple[str, str]]) -> None:
    path.write_text("chat_id,handle\n" + "".join(f"{chat},{handle}\n" for chat, handle in rows))


def add_many(path: Path, *argv: str) -> tuple[int, str, str]:
    return run("participants", "add-many", str(path), "--no-progress", *argv)


@pytest.fixture
def mixed(linq_fake_env: FakeLinqServer, tmp_path: Path) -> tuple[Path, str, str]:
    """A CSV with two good rows, a 1:1 chat (409/1006), an unknown chat (404/2001) and a bad handle."""
    group = linq_fake_env.create_chat([A, B])
    direct = linq_fake_env.create_chat([A])
    source = tmp_path / "adds.csv"
    write_rows(source, [(group, C), (direct, C), (UNKNOWN_CHAT, C), (group, "+1 415 555 0100"), (group, D)])
    return source, group, direct


def test_each_failed_row_is_printed_with_line_pair_status_code_message_and_trace(
    mixed: tuple[Path, str, str], tmp_path: Path
) -> None:
    source, _, direct = mixed
    journal = tmp_path / "results.jsonl"
    code, _, err = add_many(source, "--results", str(journal))
    assert code == 1
    by_line = {r["line"]: r for r in records(journal) if r["record"] == "row"}
    conflict, missing = by_line[3]["error"], by_line[4]["error"]
    assert (
        f"line 3: failed: {direct} {C}: ConflictError: 409 code 1006: Participants can only be changed in group "
        f"chats (trace_id={conflict['trace_id']})"
    ) in err.splitlines()
    trace = missing["trace_id"]
    assert f"line 4: failed: {UNKNOWN_CHAT} {C}: NotFoundError: 404 code 2001: Chat not found (trace_id={trace})" in (
        err.splitlines()
    )
    assert "line 5: not sent: handle is not an E.164 phone number" in err
    assert "done: 2 succeeded, 3 failed, 4 requests" in err


def test_json_summary_uses_one_type_per_field(mixed: tuple[Path, str, str]) -> None:
    source, _, _ = mixed
    code, out, _ = add_many(source, "--json")
    summary = json.loads(out)
    assert code == 1
    assert summary["failures"] == [
        {"type": "BadRow", "status": None, "code": None, "count": 1},
        {"type": "ConflictError", "status": 409, "code": 1006, "count": 1},
        {"type": "NotFoundError", "status": 404, "code": 2001, "count": 1},
    ]
    assert (summary["succeeded"], summary["failed"], summary["skipped"], summary["requests"]) == (2, 3, 0, 4)
    assert (summary["interrupted"], summary["stopped"]) == (False, None)
    assert '"-"' not in out


def test_every_results_record_has_the_documented_fields(mixed: tuple[Path, str, str], tmp_path: Path) -> None:
    source, group, _ = mixed
    journal = tmp_path / "results.jsonl"
    add_many(source, "--results", str(journal))
    first, *rows, last = records(journal)
    assert first["record"] == "run" and first["journal"] == 1 and first["command"] == "participants add-many"
    assert first["input"] == {"name": "adds.csv", "sha256": first["input"]["sha256"], "lines": 6}
    assert last == {
        "record": "end",
        "succeeded": 2,
        "failed": 3,
        "skipped": 0,
        "requests": 4,
        "interrupted": False,
        "stopped": None,
    }
    assert len(rows) == 5
    for row in rows:
        assert set(row) == ROW_KEYS
        assert (row["response"] is None) == (not row["ok"]) and (row["error"] is None) == row["ok"]
        if row["error"] is not None:
            assert set(row["error"]) == ERROR_KEYS
    bad = next(r for r in rows if r["line"] == 5)
    assert (bad["chat_id"], bad["handle"], bad["ok"], bad["attempts"]) == (group, "+1 415 555 0100", False, 0)
    assert bad["error"]["type"] == "BadRow" and bad["error"]["status"] is None and bad["error"]["code"] is None
    ok = next(r for r in rows if r["line"] == 2)
    assert ok["response"]["status"] == "accepted" and len(ok["response"]["trace_id"]) == 32


def test_a_second_run_appends_to_the_journal(
    linq_fake_env: FakeLinqServer, mixed: tuple[Path, str, str], tmp_path: Path
) -> None:
    source, _, _ = mixed
    journal = tmp_path / "results.jsonl"
    add_many(source, "--results", str(journal))
    before = journal.read_text()
    code, _, err = add_many(source, "--results", str(journal))
    assert code == 1
    assert journal.read_text().startswith(before), "never truncated"
    assert [r["resume"] for r in records(journal) if r["record"] == "run"] == [False, False]
    assert "appending to" in err and "records 2 rows done in earlier runs, sent again (--resume skips them)" in err
    assert len(linq_fake_env.requests) == 8, "without --resume every row is sent again"


def test_resume_sends_only_the_rows_not_done(linq_fake_env: FakeLinqServer, tmp_path: Path) -> None:
    chats = [linq_fake_env.create_chat([A, B]) for _ in range(3)]
    source = tmp_path / "adds.csv"
    rows = [(chat, handle) for handle in (C, D) for chat in chats]
    write_rows(source, rows)
    journal = tmp_path / "results.jsonl"
    linq_fake_env.inject("500/3006", path=chats[1])  # the first row of chats[1] fails (no retries)...
    code, _, _ = add_many(source, "--results", str(journal), "--max-retries", "0")
    assert code == 1  # ...and its next row, sent after it, succeeds
    assert len(done_rows(journal)) == 5
    sent_before = len(linq_fake_env.requests)
    code, _, err = add_many(source, "--results", str(journal), "--resume")
    assert code == 0, err
    assert (
        "resuming" in err and "5 rows done in earlier runs skipped" in err and "1 succeeded, 0 failed, 5 skipped" in err
    )
    again = linq_fake_env.requests[sent_before:]
    assert [(r.path.split("/")[-2], r.json["handle"]) for r in again] == [(chats[1], C)]
    assert sorted(done_rows(journal)) == [(n + 2, chat, handle) for n, (chat, handle) in enumerate(rows)]
    assert linq_fake_env.participants(chats[1]) == [A, B, D, C], "at-least-once, not in order, across runs"


def test_resume_matches_rows_by_line_and_content(linq_fake_env: FakeLinqServer, tmp_path: Path) -> None:
    chats = [linq_fake_env.create_chat([A, B]) for _ in range(6)]
    rows = [(chat, f"+1415888{c}{n:03d}") for n in range(20) for c, chat in enumerate(chats)]  # 120 rows
    source = tmp_path / "adds.csv"
    write_rows(source, rows)
    journal = tmp_path / "results.jsonl"
    assert add_many(source, "--results", str(journal))[0] == 0
    sent_before = len(linq_fake_env.requests)
    # Past the lines that identify the input: line 111 now holds another handle, and two rows are added.
    rows[109] = (rows[109][0], "+14159990000")
    rows += [(chats[0], "+14159990001"), (chats[1], "+14159990002")]
    write_rows(source, rows)
    code, _, err = add_many(source, "--results", str(journal), "--resume")
    assert code == 0, err
    again = [r.json["handle"] for r in linq_fake_env.requests[sent_before:]]
    assert sorted(again) == ["+14159990000", "+14159990001", "+14159990002"]


def test_a_journal_of_another_input_is_refused(
    linq_fake_env: FakeLinqServer, mixed: tuple[Path, str, str], tmp_path: Path
) -> None:
    source, group, _ = mixed
    journal = tmp_path / "results.jsonl"
    add_many(source, "--results", str(journal))
    before, sent = journal.read_text(), len(linq_fake_env.requests)
    other = tmp_path / "other.csv"
    write_rows(other, [(group, D)])
    renamed = tmp_path / "copy.csv"
    renamed.write_text(source.read_text())
    edited = tmp_path / "edited"
    edited.mkdir()
    (edited / "adds.csv").write_text(source.read_text().replace(D, "+14155550999"))
    for path, argv, why in [
        (other, ["--resume"], "it was written for the input 'adds.csv', not 'other.csv'"),
        (other, [], "it was written for the input 'adds.csv', not 'other.csv'"),
        (renamed, ["--resume"], "it was written for the input 'adds.csv', not 'copy.csv'"),
        (edited / "adds.csv", ["--resume"], "the first 6 lines of adds.csv differ from those of the input"),
    ]:
        code, _, err = add_many(path, "--results", str(journal), *argv)
        assert code == 2, err
        assert f"--results {journal} is not this run's journal: {why}" in err
    code, _, err = run("participants", "remove-many", str(source), "--results", str(journal), "--resume")
    assert code == 2 and "it records 'participants add-many', not 'participants remove-many'" in err
    assert journal.read_text() == before
    assert len(linq_fake_env.requests) == sent


def test_a_file_that_is_not_a_journal_is_never_appended_to(
    linq_fake_env: FakeLinqServer, mixed: tuple[Path, str, str], tmp_path: Path
) -> None:
    source, _, _ = mixed
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    code, _, err = add_many(source, "--results", str(notes))
    assert code == 2 and "exists and is not a linq-async journal" in err
    assert notes.read_text() == "my notes\n"
    assert linq_fake_env.requests == []


def test_resume_needs_results_and_starts_a_journal_when_there_is_none(
    mixed: tuple[Path, str, str], tmp_path: Path
) -> None:
    source, _, _ = mixed
    code, _, err = add_many(source, "--resume")
    assert code == 2 and "--resume needs --results PATH" in err
    journal = tmp_path / "new.jsonl"
    code, _, err = add_many(source, "--results", str(journal), "--resume")
    assert code == 1 and "holds no journal yet; starting one" in err
    assert len(done_rows(journal)) == 2


def test_a_record_cut_off_by_a_kill_is_not_done_and_the_journal_stays_readable(
    linq_fake_env: FakeLinqServer, tmp_path: Path
) -> None:
    chat = linq_fake_env.create_chat([A, B])
    source = tmp_path / "adds.csv"
    write_rows(source, [(chat, C), (chat, D)])
    journal = tmp_path / "results.jsonl"
    assert add_many(source, "--results", str(journal))[0] == 0
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:2]) + lines[2][:40])  # the run record, line 2's record, half of line 3's
    sent = len(linq_fake_env.requests)
    code, _, err = add_many(source, "--results", str(journal), "--resume")
    assert code == 0, err
    assert [r.json["handle"] for r in linq_fake_env.requests[sent:]] == [D]
    texts = journal.read_text().splitlines()
    assert texts[2] == lines[2][:40]
    assert [json.loads(t)["record"] for t in texts[3:]] == ["run", "row", "end"]


# For real: a process killed mid-batch, then resumed --------------------------------------------


class Tail:
    """Counts the done row records of a journal that another process appends to, reading only what is new."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done = 0
        self._offset = 0
        self._partial = b""

    def poll(self) -> int:
        if self.path.exists():
            with open(self.path, "rb") as stream:
                stream.seek(self._offset)
                chunk = stream.read()
            self._offset += len(chunk)
            *lines, self._partial = (self._partial + chunk).split(b"\n")
            self.done += sum(1 for line in lines if b'"record": "row"' in line and b'"ok": true' in line)
        return self.done


def cli_env(fake: FakeLinqServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINQ_API_V3", "HTTP_PROXY", "HTTPS_PROXY"))}
    return {**env, "PYTHONPATH": str(ROOT), "LINQ_API_V3_API_KEY": fake.api_key}


def settled_requests(fake: FakeLinqServer) -> int:
    """The fake's request count once a killed client's last bytes have been read."""
    count, since = len(fake.requests), time.monotonic()
    while time.monotonic() - since < 0.3:
        time.sleep(0.02)
        if len(fake.requests) != count:
            count, since = len(fake.requests), time.monotonic()
    return count


@pytest.mark.slow
def test_a_killed_batch_resumes_from_its_journal(tmp_path: Path) -> None:
    with FakeLinqServer() as fake:
        chats = [fake.create_chat([A, B]) for _ in range(100)]
        rows = [(chat, f"+1416{c:03d}{n:04d}") for n in range(25) for c, chat in enumerate(chats)]  # 2500
        source = tmp_path / "adds.csv"
        write_rows(source, rows)
        journal = tmp_path / "results.jsonl"
        command = [
            sys.executable, "-m", "linq_async", "participants", "add-many", str(source),
            "--results", str(journal), "--base-url", fake.base_url, "--no-progress", "--concurrency", "8",
        ]  # fmt: skip
        # At most 8 requests per 10 ms: the polling below sees 60% long before the end.
        fake.inject("slow", times=len(rows), delay=0.01, path="/participants")
        first = subprocess.Popen(command, env=cli_env(fake), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tail, deadline = Tail(journal), time.monotonic() + 90
        try:
            while tail.poll() < 0.6 * len(rows):
                assert first.poll() is None, "the first run ended before it could be killed"
                assert time.monotonic() < deadline, f"only {tail.done} rows done"
                time.sleep(0.01)
            first.send_signal(signal.SIGKILL)
        finally:
            first.kill()
            first.wait()
        assert first.returncode == -signal.SIGKILL
        fake.clear_faults()
        sent_first = settled_requests(fake)
        killed = journal.read_bytes()
        done_first = set(done_rows(journal))
        assert 0.6 * len(rows) <= len(done_first) < len(rows)
        assert not any(r["record"] == "end" for r in records(journal)), "a killed run writes no end record"

        second = subprocess.run([*command, "--resume"], env=cli_env(fake), capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        assert f"{len(done_first)} rows done in earlier runs skipped" in second.stderr

        expected = {(n + 2, chat, handle) for n, (chat, handle) in enumerate(rows)}
        done = done_rows(journal)
        assert len(done) == len(expected), "every row done exactly once"
        assert set(done) == expected
        resent = fake.requests[sent_first:]
        assert len(resent) == len(rows) - len(done_first), "only the rows not done were sent again"
        left = {(chat, handle) for line, chat, handle in expected - done_first}
        assert {(r.path.split("/")[-2], r.json["handle"]) for r in resent} == left
        assert journal.read_bytes().startswith(killed), "the first run's records are still there"
        assert [r["resume"] for r in records(journal) if r["record"] == "run"] == [False, True]
        for c, chat in enumerate(chats):
            assert fake.participants(chat) == [A, B, *(f"+1416{c:03d}{n:04d}" for n in range(25))]


@pytest.mark.slow
def test_ctrl_c_mid_batch_exits_130_with_an_end_record_then_resumes(tmp_path: Path) -> None:
    with FakeLinqServer() as fake:
        chats = [fake.create_chat([A, B]) for _ in range(10)]
        rows = [(chat, f"+1417{c:03d}{n:04d}") for n in range(20) for c, chat in enumerate(chats)]  # 200
        source = tmp_path / "adds.csv"
        write_rows(source, rows)
        journal = tmp_path / "results.jsonl"
        command = [
            sys.executable, "-m", "linq_async", "participants", "add-many", str(source),
            "--results", str(journal), "--base-url", fake.base_url, "--no-progress", "--concurrency", "4",
        ]  # fmt: skip
        fake.inject("slow", times=len(rows), delay=0.05, path="/participants")
        first = subprocess.Popen(command, env=cli_env(fake), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        tail, deadline = Tail(journal), time.monotonic() + 60
        while tail.poll() < 20:
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=60)
        assert first.returncode == 130, err
        assert "interrupted after" in err and "Traceback" not in err
        end = records(journal)[-1]
        assert end["record"] == "end" and end["interrupted"] is True
        fake.clear_faults()
        second = subprocess.run([*command, "--resume"], env=cli_env(fake), capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        assert sorted(done_rows(journal)) == sorted((n + 2, chat, handle) for n, (chat, handle) in enumerate(rows))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_journal_that_cannot_be_written_is_refused_before_sending(
    linq_fake_env: FakeLinqServer, mixed: tuple[Path, str, str]
) -> None:
    source, _, _ = mixed
    code, _, err = add_many(source, "--results", "/dev/full")
    assert code == 2
    assert "error: --results /dev/full: cannot be written: No space left on device" in err
    assert linq_fake_env.requests == []
    code, _, err = add_many(source, "--results", "/dev/full", "--resume")
    assert code == 2 and "--resume needs --results to be a regular file" in err


class FillsUp:
    """A journal file whose disk fills up after ``room`` records."""

    def __init__(self, file: Any, room: int) -> None:
        self._file, self._room = file, room

    def write(self, text: str) -> int:
        return int(self._file.write(text))

    def flush(self) -> None:
        self._room -= 1
        if self._room < 0:
            raise OSError(28, "No space left on device")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def test_a_journal_that_fills_up_mid_run_stops_the_batch(
    linq_fake_env: FakeLinqServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = [linq_fake_env.create_chat([A, B]) for _ in range(2)]
    source = tmp_path / "adds.csv"
    write_rows(source, [(chat, f"+1415999{n:04d}") for n in range(10) for chat in chats])
    journal = tmp_path / "results.jsonl"
    real_init = cli._Journal.__init__

    def init(self: cli._Journal, path: Path, file: Any, done: set[tuple[int, str, str]]) -> None:
        real_init(self, path, cast("TextIO", FillsUp(file, room=4)), done)  # the run record and three rows

    monkeypatch.setattr(cli._Journal, "__init__", init)
    code, _, err = add_many(source, "--results", str(journal), "--concurrency", "1")
    assert code == 1
    assert f"stopped: --results {journal}: cannot be written: No space left on device" in err
    assert len(linq_fake_env.requests) < 20
    assert [r["record"] for r in records(journal)][:4] == ["run", "row", "row", "row"]
