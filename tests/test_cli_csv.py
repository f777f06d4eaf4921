"""CSV input as spreadsheets write it: byte-order mark, named columns in any order, extra columns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from linq_async.testing import FakeLinqServer

from .test_cli import ROOT, A, B, C, D, run


def add_many(path: Path, *argv: str) -> tuple[int, str, str]:
    return run("participants", "add-many", str(path), "--no-progress", *argv)


@pytest.fixture
def chats(linq_fake_env: FakeLinqServer) -> list[str]:
    return [linq_fake_env.create_chat([A, B]) for _ in range(2)]


def test_excel_csv_utf8_with_byte_order_mark_and_crlf(
    linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "adds.csv"
    source.write_bytes(("\ufeffchat_id,handle\r\n" + f"{chats[0]},{C}\r\n{chats[1]},{D}\r\n").encode())
    code, _, err = add_many(source)
    assert code == 0, err
    assert "not sent" not in err
    assert (linq_fake_env.participants(chats[0]), linq_fake_env.participants(chats[1])) == ([A, B, C], [A, B, D])


def test_byte_order_mark_on_stdin(
    linq_fake_env: FakeLinqServer, chats: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        "participants",
        "add-many",
        "-",
        "--no-progress",
        stdin=f"\ufeffhandle,chat_id\n{C},{chats[0]}\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    assert linq_fake_env.participants(chats[0]) == [A, B, C]


def test_header_columns_in_any_order(linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"handle,chat_id\n{C},{chats[0]}\n{D},{chats[1]}\n")
    code, _, err = add_many(source)
    assert code == 0, err
    assert (linq_fake_env.participants(chats[0]), linq_fake_env.participants(chats[1])) == ([A, B, C], [A, B, D])


def test_extra_columns_are_ignored(linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(
        "Name,Handle,Notes,Chat ID\n"  # a spreadsheet's column titles: case and spaces do not matter
        f'"Doe, Jane",{C},"VIP, since 2021",{chats[0]}\n'
        f"Roe,{D},,{chats[1]}\n"
    )
    code, _, err = add_many(source)
    assert code == 0, err
    assert (linq_fake_env.participants(chats[0]), linq_fake_env.participants(chats[1])) == ([A, B, C], [A, B, D])


def test_semicolon_separated_as_some_locales_save(
    linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"chat_id;handle;name\n{chats[0]};{C};Jane\n")
    code, _, err = add_many(source)
    assert code == 0, err
    assert linq_fake_env.participants(chats[0]) == [A, B, C]


def test_a_missing_required_column_is_named_and_nothing_is_sent(
    linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"chat_id,phone\n{chats[0]},{C}\n")
    results = tmp_path / "results.jsonl"
    code, out, err = add_many(source, "--results", str(results))
    assert (code, out) == (2, "")
    assert "error: adds.csv: the header row (line 1) has no handle column" in err
    assert "found: 'chat_id', 'phone'" in err
    assert linq_fake_env.requests == []
    assert not results.exists(), "no journal for a run that never started"


def test_a_header_naming_neither_column_names_both(linq_fake_env: FakeLinqServer, tmp_path: Path) -> None:
    source = tmp_path / "adds.csv"
    source.write_text("Group,Phone\nfirst,someone\n")
    code, _, err = add_many(source)
    assert code == 2
    assert "has no chat_id column and no handle column" in err
    assert linq_fake_env.requests == []


def test_a_column_named_twice_is_refused(linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"chat_id,handle,Handle\n{chats[0]},{C},{D}\n")
    code, _, err = add_many(source)
    assert code == 2
    assert "2 handle columns" in err
    assert linq_fake_env.requests == []


def test_a_missing_column_on_stdin_is_refused_before_sending(
    linq_fake_env: FakeLinqServer, chats: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("participants", "add-many", "-", stdin=f"handle,chat\n{C},{chats[0]}\n", monkeypatch=monkeypatch)
    assert code == 2
    assert "-: the header row (line 1) has no chat_id column" in err
    assert "━" not in err, "refused before the progress bar"
    assert linq_fake_env.requests == []


def test_not_utf8_says_how_to_save_it(linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path) -> None:
    source = tmp_path / "adds.csv"
    rows = "".join(f"{chats[0]},+1415777{n:04d}\n" for n in range(150))  # past the lines read up front
    source.write_bytes(f"chat_id,handle,name\n{rows}{chats[1]},{C},Ren\u00e9e\n".encode("cp1252"))
    code, _, err = add_many(source)
    assert code == 2
    assert "adds.csv is not UTF-8 text" in err and "'CSV UTF-8'" in err
    assert linq_fake_env.requests == []


def test_a_number_a_spreadsheet_stripped_of_its_plus_gets_a_hint(
    linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"chat_id,handle\n{chats[0]},{C.removeprefix('+')}\n{chats[1]},1.41556E+10\n")
    code, _, err = add_many(source)
    assert code == 1
    assert "line 2: not sent: " in err and f"write '{C}'" in err
    assert "line 3: not sent: " in err and "scientific notation" in err
    assert linq_fake_env.requests == []


def test_rows_longer_than_the_header_or_with_empty_cells_are_bad_rows(
    linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"chat_id,handle\n{chats[0]},Doe, Jane\n{chats[0]},\n,{D}\n{chats[1]},{D},,\n")
    code, _, err = add_many(source)
    assert code == 1
    assert "line 2: not sent: 3 cells, but the header names 2 columns" in err
    assert "line 3: not sent: the handle cell is empty" in err
    assert "line 4: not sent: the chat_id cell is empty" in err
    assert "line 5" not in err, "trailing empty cells are padding"
    assert linq_fake_env.participants(chats[1]) == [A, B, D]


def test_without_a_header_two_columns_are_chat_id_then_handle(
    linq_fake_env: FakeLinqServer, chats: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "adds.csv"
    source.write_text(f"{chats[0]},{C}\n{chats[1]},{D},Jane\n")
    code, _, err = add_many(source)
    assert code == 1
    assert "line 2: not sent: expected 2 columns (chat_id,handle), found 3; with a header row" in err
    assert linq_fake_env.participants(chats[0]) == [A, B, C]


@pytest.mark.slow
def test_excel_bytes_on_the_standard_input_of_a_real_process(tmp_path: Path) -> None:
    with FakeLinqServer() as fake:
        chat = fake.create_chat([A, B])
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINQ_API_V3")}
        env.update(PYTHONPATH=str(ROOT), LINQ_API_V3_API_KEY=fake.api_key, LINQ_API_V3_BASE_URL=fake.base_url)
        piped = subprocess.run(
            [sys.executable, "-m", "linq_async", "participants", "add-many", "-", "--no-progress"],
            input=f"\ufeffName,Handle,Chat ID\r\nJane,{C},{chat}\r\nRen\u00e9e,{D},{chat}\r\n".encode(),
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert piped.returncode == 0, piped.stderr.decode()
        assert fake.participants(chat) == [A, B, C, D]
