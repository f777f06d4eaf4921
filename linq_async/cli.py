"""``linq-async`` (also ``python -m linq_async``): participants from the shell, the demo, and a fake to try it on.

The key comes from ``$LINQ_API_V3_API_KEY`` only, never from a flag, so it stays out of shell
history and process lists. Exit codes: 0 when everything succeeded, 1 when anything failed (an
API error or a bad input row), 2 for usage and configuration errors, 130 when interrupted.

Batches read CSV (a header row names the ``chat_id`` and ``handle`` columns, in any order; other
columns are ignored) or JSON lines. ``--results`` is a journal: a header record naming the input,
then one record per row, appended and flushed as each outcome arrives, so that ``--resume`` can
skip what an earlier run (even a killed one) finished. See docs/cli.md for every format.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import math
import os
import re
import shlex
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

import attrs

from . import _validate
from ._batch import MAX_CONCURRENCY, Outcome
from ._client import API_KEY_ENV, BASE_URL_ENV, AsyncLinqClient
from ._console import Console
from ._convert import Model
from ._errors import (
    APIError,
    AuthenticationError,
    CertificateVerificationError,
    LinqError,
    NotFoundError,
    ValidationError,
)
from ._version import __version__

__all__ = ["main"]

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130

JOURNAL_VERSION = 1
# The journal names its input by file name and a hash of the input's first lines: enough to refuse
# another file's journal, cheap for stdin, and a fixed row further down keeps the journal usable
# (rows themselves are matched by line number and content).
HASHED_LINES = 100
MAX_CHATS = 500


# Arguments ----------------------------------------------------------------------------------------


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds greater than 0, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linq-async",
        description="Linq Partner API V3 from the shell. The key is read from $LINQ_API_V3_API_KEY.",
    )
    parser.add_argument("--version", action="version", version=f"linq-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run the demo against the embedded fake Linq server")
    demo.add_argument(
        "--chats", type=_whole(1, MAX_CHATS), default=36, help=f"group chats to create, 1 to {MAX_CHATS} (default 36)"
    )
    demo.add_argument(
        "--concurrency", type=_whole(1, MAX_CONCURRENCY), default=8, help="requests in flight (default 8)"
    )
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")

    serve = commands.add_parser("serve-fake", help="serve a fake Linq server to try the command line on, until Ctrl-C")
    serve.add_argument("--port", type=_whole(0, 65535), default=0, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument(
        "--chats", type=_whole(1, MAX_CHATS), default=3, help=f"group chats to seed, 1 to {MAX_CHATS} (default 3)"
    )
    serve.add_argument(
        "--faults", action="store_true", help="inject transient faults (500, 502, a dropped connection, a 429)"
    )

    participants = commands.add_parser("participants", help="add or remove group-chat participants")
    actions = participants.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, verb in (("add", "add"), ("remove", "remove")):
        one = actions.add_parser(name, help=f"{verb} one participant")
        one.add_argument("chat_id", metavar="CHAT", help="chat UUID")
        one.add_argument("handle", metavar="HANDLE", help="E.164 phone number or email address")
        _common(one)
        many = actions.add_parser(
            f"{name}-many", help=f"{verb} the (chat_id, handle) rows of a CSV or JSON-lines file ('-': stdin)"
        )
        many.add_argument("file", metavar="FILE")
        many.add_argument(
            "--concurrency",
            type=_whole(1, MAX_CONCURRENCY),
            default=8,
            help=f"requests in flight, 1 to {MAX_CONCURRENCY} (default 8)",
        )
        many.add_argument(
            "--results", metavar="PATH", help="journal: append one JSON line per row to PATH as it completes"
        )
        many.add_argument("--resume", action="store_true", help="skip the rows the --results journal records as done")
        many.add_argument("--format", choices=("auto", "csv", "jsonl"), default="auto", help="input format")
        many.add_argument("--no-progress", action="store_true", help="no progress bar")
        _common(many)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="API base URL (default: $LINQ_API_V3_BASE_URL or production)")
    parser.add_argument("--timeout", type=_seconds, default=60.0, help="seconds per request (default 60)")
    parser.add_argument(
        "--max-retries", type=_whole(0, 100), default=2, help="retries of transient failures, 0 to 100 (default 2)"
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--proxy", metavar="URL", help="HTTP(S) proxy to reach the API through")
    parser.add_argument("--no-env-proxy", action="store_true", help="ignore $HTTPS_PROXY/$HTTP_PROXY/$NO_PROXY")
    parser.add_argument("--ca-bundle", metavar="PATH", help="PEM file of the CA certificates to trust")


# Entry point ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        with contextlib.redirect_stdout(stdout or sys.stdout), contextlib.redirect_stderr(stderr or sys.stderr):
            args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error (exit 2)
        return exc.code if isinstance(exc.code, int) else USAGE
    console = Console(stdout=stdout, stderr=stderr, progress=not getattr(args, "no_progress", False))
    try:
        if args.command == "demo":
            from . import _demo

            return asyncio.run(_demo.run(console, chats=args.chats, concurrency=args.concurrency))
        if args.command == "serve-fake":
            return asyncio.run(_serve_fake(args, console))
        client = _client(args)
        if args.action in ("add", "remove"):
            return asyncio.run(_one(client, args, console))
        return _run_many(client, args, console)
    except ValidationError as exc:
        console.say(f"error: {cli_words(str(exc))}", style="red")
        return USAGE
    except KeyboardInterrupt:
        if args.command == "serve-fake":
            return OK  # Ctrl-C is how it is stopped
        console.say("interrupted", style="yellow")
        return INTERRUPTED


# Messages: the client's errors speak Python (its keyword arguments); here they speak options.
_CLI_WORDS: tuple[tuple[str, str], ...] = (
    (
        "pass api_key= or set the LINQ_API_V3_API_KEY environment variable",
        f"set the {API_KEY_ENV} environment variable (the command line reads the key from there only)",
    ),
    (
        "use https://, or pass allow_insecure_http=True if you really mean it",
        "use https:// (plain http:// is accepted only to a loopback host: localhost, 127.0.0.1, ::1)",
    ),
    ("with ca_bundle= or $SSL_CERT_FILE", "with --ca-bundle or $SSL_CERT_FILE"),
    ("(timeout.total)", "(--timeout)"),
    ("(timeout.connect)", "(the connect timeout)"),
)
_OPTION_NAMES: tuple[tuple[str, str], ...] = (
    ("base_url ", "--base-url "),
    ("ca_bundle ", "--ca-bundle "),
    ("proxy must", "--proxy must"),
    ("timeout must", "--timeout must"),
    ("max_retries must", "--max-retries must"),
    ("concurrency must", "--concurrency must"),
)


def cli_words(message: str) -> str:
    """Reword a library message for the command line: options instead of keyword arguments."""
    for python, shell in _CLI_WORDS:
        message = message.replace(python, shell)
    for python, shell in _OPTION_NAMES:
        if message.startswith(python):
            message = shell + message[len(python) :]
    return message


def _client(args: argparse.Namespace) -> AsyncLinqClient:
    """The client the options describe, or a ValidationError in the command line's words."""
    if os.environ.get(API_KEY_ENV) is None:
        raise ValidationError(
            f"no API key: set the {API_KEY_ENV} environment variable (the command line reads the key from there only)"
        )
    if args.base_url is not None:
        base_url = _validate.base_url(args.base_url, source="--base-url")
    elif os.environ.get(BASE_URL_ENV):
        base_url = _validate.base_url(os.environ[BASE_URL_ENV], source=f"${BASE_URL_ENV}")
    else:
        base_url = None
    if args.proxy is not None and base_url is not None and base_url.startswith("http://"):
        raise ValidationError(
            f"--proxy needs an https:// base URL, got {base_url!r}: a proxy in front of plain http:// would see the "
            "API key (over https:// it travels inside a CONNECT tunnel)"
        )
    if args.ca_bundle is not None and not Path(args.ca_bundle).is_file():
        raise ValidationError(f"--ca-bundle {args.ca_bundle!r}: no such file (it takes a PEM file of CA certificates)")
    return AsyncLinqClient(
        base_url=base_url,
        timeout=args.timeout,
        max_retries=args.max_retries,
        proxy=args.proxy,
        trust_env=not args.no_env_proxy,
        ca_bundle=args.ca_bundle,
    )


def _error_dict(error: BaseException) -> dict[str, Any]:
    """An error as JSON, with the same keys for every error (null where it has no value)."""
    # An APIError's message without the status, code and trace id its str() adds: they have keys here.
    message = error.message if isinstance(error, APIError) else str(error)
    data: dict[str, Any] = {"type": type(error).__name__, "message": cli_words(message)}
    for name in ("status", "code", "trace_id", "doc_url", "retry_after"):
        data[name] = getattr(error, name, None)
    return data


def _described(error: BaseException) -> str:
    """One line for a failed row: the error's type, then its status, code, message and trace id."""
    return f"{type(error).__name__}: {cli_words(str(error))}"


async def _one(client: AsyncLinqClient, args: argparse.Namespace, console: Console) -> int:
    method = client.chats.participants.add if args.action == "add" else client.chats.participants.remove
    async with client:
        try:
            response: Model = await method(args.chat_id, handle=args.handle)
        except ValidationError:
            raise
        except LinqError as exc:
            if args.json:
                console.out(json.dumps({"ok": False, "response": None, "error": _error_dict(exc)}))
            else:
                console.say(f"error: {cli_words(str(exc))}", style="red")
            return FAILED
    if args.json:
        console.out(json.dumps({"ok": True, "response": response.to_dict(), "error": None}))
    else:
        data = response.to_dict()
        console.out(f"{data.get('status', 'ok')}: {data.get('message', '')} (trace_id={data.get('trace_id')})")
    return OK


# Input rows ----------------------------------------------------------------------------------------


@attrs.frozen
class Row:
    """A valid input row: sent."""

    line: int
    chat_id: str
    handle: str


@attrs.frozen
class BadRow:
    """An input row that cannot be sent, and why; ``chat_id``/``handle`` as read, when the row had them."""

    line: int
    reason: str
    text: str
    chat_id: str | None = None
    handle: str | None = None


def read_rows(
    stream: Iterable[str], fmt: str = "auto", name: str = "", *, check: bool = True
) -> Iterator[Row | BadRow]:
    """Return the rows of a CSV or JSON-lines input, with their line numbers.

    CSV: a first row naming a ``chat_id`` and a ``handle`` column (in any order, other columns
    ignored) or, without a header, two columns ``chat_id,handle``. A UTF-8 byte-order mark is
    dropped. The header is read at once: a header without the two columns raises
    ``ValidationError`` here, before any row is returned. With ``check=False`` the chat ids and
    handles are not validated (for counting rows only).
    """
    lines: Iterator[str] = iter(stream)
    head: list[str] = []
    for text in lines:
        head.append(text.removeprefix("\ufeff") if not head else text)
        if head[-1].strip():
            break
    first = head[-1] if head else ""
    if fmt == "auto":
        if name.endswith((".jsonl", ".ndjson")):
            fmt = "jsonl"
        elif name.endswith(".csv"):
            fmt = "csv"
        else:
            fmt = "jsonl" if first.lstrip().startswith("{") else "csv"
    rest = itertools.chain(head, lines)
    if fmt == "jsonl":
        return _jsonl_rows(rest, check)
    return _csv_rows(rest, first, name or "input", check)


def _valid(check: Callable[[object], str], value: str) -> bool:
    try:
        check(value)
    except ValidationError:
        return False
    return True


def _hint(handle: str) -> str:
    if re.fullmatch(r"[1-9][0-9]{6,14}", handle, re.ASCII):
        return f" (a spreadsheet drops the leading + of numbers: format the column as text, or write '+{handle}')"
    if re.fullmatch(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+", handle, re.ASCII):
        return " (a spreadsheet wrote the number in scientific notation: format the column as text)"
    return ""


def _checked(line: int, chat_id: str, handle: str, text: str, check: bool) -> Row | BadRow:
    if not check:
        return Row(line, chat_id, handle)
    try:
        return Row(line, _validate.chat_id(chat_id), _validate.handle(handle))
    except ValidationError as exc:
        return BadRow(line, str(exc) + _hint(handle), text, chat_id, handle)


def _column_name(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip().removeprefix("\ufeff").strip().lower())


_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _csv_rows(lines: Iterator[str], first: str, name: str, check: bool) -> Iterator[Row | BadRow]:
    # A spreadsheet saving "CSV" in a locale whose decimal mark is the comma writes semicolons.
    delimiter = next((d for d in _SEPARATORS if d in first), ",")
    reader = csv.reader(lines, delimiter=delimiter)
    columns: tuple[int, int, int] | None = None  # chat_id index, handle index, header width
    early: list[Row | BadRow] = []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            cells = [f.strip() for f in fields]
            if any(_column_name(c) in ("chat_id", "handle") for c in cells) or not any(
                _valid(_validate.chat_id, c) or _valid(_validate.handle, c) for c in cells
            ):
                columns = _header(cells, reader.line_num, name)
            else:
                early.append(_positional(fields, reader.line_num, delimiter, check))
            break
    except csv.Error as exc:
        raise ValidationError(f"{name}: line {reader.line_num} is not CSV: {exc}") from None
    return itertools.chain(early, _csv_body(reader, columns, name, delimiter, check))


def _header(cells: list[str], line: int, name: str) -> tuple[int, int, int]:
    names = [_column_name(c) for c in cells]
    problems = []
    for wanted in ("chat_id", "handle"):
        count = names.count(wanted)
        if count == 0:
            problems.append(f"no {wanted} column")
        elif count > 1:
            problems.append(f"{count} {wanted} columns")
    if problems:
        found = ", ".join(repr(c) for c in cells)
        raise ValidationError(
            f"{name}: the header row (line {line}) has {' and '.join(problems)}; it needs one chat_id and one "
            f"handle column, in any order (other columns are ignored); found: {found}"
        )
    return names.index("chat_id"), names.index("handle"), len(cells)


def _positional(fields: list[str], line: int, delimiter: str, check: bool) -> Row | BadRow:
    text = delimiter.join(fields)
    cells = [f.strip() for f in fields]
    while cells and not cells[-1]:
        cells.pop()  # a spreadsheet pads short rows with empty cells
    if len(cells) != 2:
        return BadRow(
            line,
            f"expected 2 columns (chat_id,handle), found {len(cells)}; with a header row naming the chat_id and "
            "handle columns, other columns are ignored",
            text,
        )
    return _checked(line, cells[0], cells[1], text, check)


def _csv_body(
    reader: Any, columns: tuple[int, int, int] | None, name: str, delimiter: str, check: bool
) -> Iterator[Row | BadRow]:
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if columns is None:
                yield _positional(fields, line, delimiter, check)
                continue
            chat_at, handle_at, width = columns
            text = delimiter.join(fields)
            if any(f.strip() for f in fields[width:]):
                yield BadRow(
                    line,
                    f"{len(fields)} cells, but the header names {width} columns (a value with an unquoted "
                    f"{_SEPARATORS[delimiter]}?)",
                    text,
                )
                continue
            chat_id = fields[chat_at].strip() if chat_at < len(fields) else ""
            handle = fields[handle_at].strip() if handle_at < len(fields) else ""
            if not chat_id or not handle:
                empty = "chat_id" if not chat_id else "handle"
                yield BadRow(line, f"the {empty} cell is empty", text, chat_id or None, handle or None)
                continue
            yield _checked(line, chat_id, handle, text, check)
    except csv.Error as exc:
        raise ValidationError(f"{name}: line {reader.line_num} is not CSV: {exc}") from None


def _jsonl_rows(stream: Iterable[str], check: bool) -> Iterator[Row | BadRow]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        shown = text.rstrip("\r\n")
        try:
            data = json.loads(text)
        except ValueError as exc:
            yield BadRow(line, f"not JSON: {exc}", shown)
            continue
        if not isinstance(data, dict) or "chat_id" not in data or "handle" not in data:
            yield BadRow(line, 'expected an object with "chat_id" and "handle"', shown)
            continue
        chat_id, handle = data["chat_id"], data["handle"]
        if not isinstance(chat_id, str) or not isinstance(handle, str):
            yield BadRow(
                line,
                '"chat_id" and "handle" must be strings',
                shown,
                chat_id if isinstance(chat_id, str) else None,
                handle if isinstance(handle, str) else None,
            )
            continue
        yield _checked(line, chat_id, handle, shown, check)


class _Input:
    """An input's lines and its identity: its name and a hash of its first lines, read up front."""

    def __init__(self, name: str, stream: Iterable[str]) -> None:
        self.name = name
        lines = iter(stream)
        try:
            self._head = list(itertools.islice(lines, HASHED_LINES))
        except UnicodeDecodeError as exc:
            raise _not_utf8(name, exc) from None
        if self._head:
            self._head[0] = self._head[0].removeprefix("\ufeff")
        self.lines: Iterator[str] = _decoded(name, itertools.chain(self._head, lines))

    def digest(self, count: int) -> str | None:
        """The SHA-256 of the first ``count`` lines, or None if the input is shorter."""
        if count > len(self._head):
            return None
        return hashlib.sha256("".join(self._head[:count]).encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def identity(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.digest(len(self._head)), "lines": len(self._head)}


def _not_utf8(name: str, exc: UnicodeDecodeError) -> ValidationError:
    return ValidationError(
        f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start}); from Excel, save it as 'CSV UTF-8'"
    )


def _decoded(name: str, lines: Iterator[str]) -> Iterator[str]:
    try:
        yield from lines
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc) from None


def _stdin() -> TextIO:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # replaced by a text stream (tests, embedding)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")


def _count_rows(path: Path, fmt: str, name: str) -> int:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        # Every row counts, valid or not, so the rows need splitting but not checking.
        return sum(1 for row in read_rows(_decoded(name, iter(stream)), fmt, name, check=False))


# The journal (--results) ---------------------------------------------------------------------------


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JournalError(LinqError):
    """The journal could not be written: the batch stops, since what it does could not be recorded."""


class _Journal:
    """The ``--results`` file: a run header, then one record per row, appended and flushed one by one."""

    def __init__(self, path: Path, file: TextIO, done: set[tuple[int, str, str]]) -> None:
        self.path = path
        self._file = file
        self.done = done
        self.broken = False

    @classmethod
    def open(cls, where: str, command: str, source: _Input, *, resume: bool, console: Console) -> _Journal:
        path = Path(where)
        if path.is_dir():
            raise ValidationError(f"--results {where}: is a directory")
        regular = path.is_file()
        if resume and path.exists() and not regular:
            raise ValidationError(f"--resume needs --results to be a regular file, not {where}")
        try:
            # A device or a pipe (/dev/stdout) is written to, never read back.
            header, done, torn = _read_journal(path) if regular else (None, set(), False)
        except OSError as exc:
            raise ValidationError(f"--results {where}: cannot be read: {exc.strerror or exc}") from None
        if header is not None:
            problem = _mismatch(header, command, source)
            if problem is not None:
                raise ValidationError(
                    f"--results {where} is not this run's journal: {problem}; give another --results path "
                    "(or move this one away to start over)"
                )
            if resume:
                console.say(f"resuming {where}: {_rows(len(done))} done in earlier runs skipped")
            else:
                console.say(
                    f"appending to {where}: it records {_rows(len(done))} done in earlier runs, sent again "
                    "(--resume skips them)",
                    style="yellow",
                )
        elif resume:
            console.say(f"--resume: {where} holds no journal yet; starting one")
        try:
            file = open(path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise ValidationError(f"--results {where}: cannot be written: {exc.strerror or exc}") from None
        if torn:
            file.write("\n")  # the last record of a killed run was cut off: start on a fresh line
        journal = cls(path, file, done if resume else set())
        record = {
            "record": "run",
            "journal": JOURNAL_VERSION,
            "command": command,
            "input": source.identity,
            "resume": resume,
            "started_at": _now(),
            "linq_async": __version__,
        }
        try:
            journal.write(record)
        except JournalError as exc:
            journal.close()
            raise ValidationError(str(exc)) from None
        return journal

    def write(self, record: dict[str, Any]) -> None:
        if self.broken:
            return
        try:
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._file.flush()
        except OSError as exc:  # a full disk, a removed mount
            self.broken = True
            raise JournalError(f"--results {self.path}: cannot be written: {exc.strerror or exc}") from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


def _read_journal(path: Path) -> tuple[dict[str, Any] | None, set[tuple[int, str, str]], bool]:
    """The first header record, the rows recorded as done, and whether the last line was cut off."""
    header: dict[str, Any] | None = None
    done: set[tuple[int, str, str]] = set()
    torn = False
    with open(path, encoding="utf-8", errors="replace", newline="\n") as stream:
        for text in stream:
            if not text.endswith("\n"):
                torn = True  # killed while writing: that row is not done
                break
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError:
                record = None
            if header is None:
                if not isinstance(record, dict) or record.get("record") != "run":
                    raise ValidationError(
                        f"--results {path} exists and is not a linq-async journal (its first line is no run "
                        "record); give another --results path"
                    )
                if record.get("journal") != JOURNAL_VERSION:
                    raise ValidationError(
                        f"--results {path} is a journal of version {record.get('journal')!r}; this linq-async "
                        f"writes version {JOURNAL_VERSION}"
                    )
                header = record
                continue
            if not isinstance(record, dict) or record.get("record") != "row" or record.get("ok") is not True:
                continue
            line, chat_id, handle = record.get("line"), record.get("chat_id"), record.get("handle")
            if isinstance(line, int) and isinstance(chat_id, str) and isinstance(handle, str):
                done.add((line, chat_id, handle))
    return header, done, torn


def _mismatch(header: dict[str, Any], command: str, source: _Input) -> str | None:
    if header.get("command") != command:
        return f"it records {header.get('command')!r}, not {command!r}"
    identity = header.get("input")
    if not isinstance(identity, dict):
        return "its run record names no input"
    if identity.get("name") != source.name:
        return f"it was written for the input {identity.get('name')!r}, not {source.name!r}"
    count = identity.get("lines")
    if not isinstance(count, int) or count < 0 or source.digest(count) != identity.get("sha256"):
        return f"the first {count} lines of {source.name} differ from those of the input it was written for"
    return None


# Batches -------------------------------------------------------------------------------------------


def _stops_batch(error: LinqError) -> bool:
    """Whether this failure means every row would fail the same way (the key, the URL, TLS)."""
    if isinstance(error, (AuthenticationError, CertificateVerificationError)):
        return True
    return isinstance(error, NotFoundError) and error.code is None and not isinstance(error.body, dict)


class _Run:
    """A batch's counts, its messages about failed rows, and its journal."""

    def __init__(self, console: Console, journal: _Journal | None) -> None:
        self.console = console
        self.journal = journal
        self.succeeded = 0
        self.skipped = 0
        self.attempts = 0
        self.failures: Counter[tuple[str, int | None, int | None]] = Counter()

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed + self.skipped

    def is_done(self, row: Row) -> bool:
        return self.journal is not None and (row.line, row.chat_id, row.handle) in self.journal.done

    def bad(self, row: BadRow) -> None:
        self.console.say(f"line {row.line}: not sent: {row.reason}", style="yellow")
        self.failures[("BadRow", None, None)] += 1
        error = {
            "type": "BadRow",
            "message": row.reason,
            **dict.fromkeys(("status", "code", "trace_id", "doc_url", "retry_after")),
        }
        self._record(row.line, row.chat_id, row.handle, attempts=0, response=None, error=error)

    def outcome(self, row: Row, outcome: Outcome[Any], *, say: bool = True) -> None:
        self.attempts += outcome.attempts
        if outcome.error is None:
            self.succeeded += 1
            assert outcome.response is not None
            self._record(row.line, row.chat_id, row.handle, outcome.attempts, outcome.response.to_dict(), None)
            return
        error = outcome.error
        self.failures[(type(error).__name__, getattr(error, "status", None), getattr(error, "code", None))] += 1
        if say:
            self.console.say(f"line {row.line}: failed: {row.chat_id} {row.handle}: {_described(error)}", style="red")
        self._record(row.line, row.chat_id, row.handle, outcome.attempts, None, _error_dict(error))

    def _record(
        self,
        line: int,
        chat_id: str | None,
        handle: str | None,
        attempts: int,
        response: dict[str, Any] | None,
        error: dict[str, Any] | None,
    ) -> None:
        if self.journal is not None:
            self.journal.write(
                {
                    "record": "row",
                    "line": line,
                    "chat_id": chat_id,
                    "handle": handle,
                    "ok": error is None,
                    "attempts": attempts,
                    "response": response,
                    "error": error,
                }
            )


def _run_many(client: AsyncLinqClient, args: argparse.Namespace, console: Console) -> int:
    if args.resume and not args.results:
        raise ValidationError("--resume needs --results PATH: the journal of the run to resume")
    command = f"participants {args.action}"
    with contextlib.ExitStack() as files:
        if args.file == "-":
            name, total = "-", None
            stream: TextIO = _stdin()
            if isinstance(stream, io.TextIOWrapper) and stream is not sys.stdin:
                files.callback(stream.detach)  # leave sys.stdin's buffer open
        else:
            path = Path(args.file)
            if not path.is_file():
                raise ValidationError(f"no such file: {args.file}")
            name = path.name
            try:
                stream = files.enter_context(open(path, encoding="utf-8-sig", newline=""))
            except OSError as exc:
                raise ValidationError(f"{args.file}: cannot be read: {exc.strerror or exc}") from None
        source = _Input(name, stream)
        rows = read_rows(source.lines, args.format, name)  # a header without the columns raises here
        if args.file != "-":
            total = _count_rows(path, args.format, name)
        journal = None
        if args.results:
            journal = _Journal.open(args.results, command, source, resume=args.resume, console=console)
            files.callback(journal.close)
        run = _Run(console, journal)
        return asyncio.run(_many(client, args, console, rows, run, total))


async def _many(
    client: AsyncLinqClient,
    args: argparse.Namespace,
    console: Console,
    rows: Iterator[Row | BadRow],
    run: _Run,
    total: int | None,
) -> int:
    started = time.perf_counter()
    interrupted = False
    stopped: str | None = None
    unreadable = False
    try:
        async with client:
            participants = client.chats.participants
            iterate = participants.iter_add if args.action == "add-many" else participants.iter_remove
            with console.progress(args.action, total) as update:
                # The batch numbers the rows it is given; bad and skipped rows never reach it. Entries
                # leave as outcomes arrive, so this holds no more than the batch's look-ahead.
                sent: dict[int, Row] = {}
                numbers = itertools.count()

                def progress() -> None:
                    update(run.finished, f"failed {run.failed}")

                def pairs() -> Iterator[tuple[str, str]]:
                    for row in rows:
                        if isinstance(row, BadRow):
                            run.bad(row)
                            progress()
                        elif run.is_done(row):
                            run.skipped += 1
                            progress()
                        else:
                            sent[next(numbers)] = row
                            yield row.chat_id, row.handle

                outcomes = cast("AsyncGenerator[Outcome[Any], None]", iterate(pairs(), concurrency=args.concurrency))
                async with contextlib.aclosing(outcomes):
                    async for outcome in outcomes:
                        row = sent.pop(outcome.index)
                        if outcome.error is not None and _stops_batch(outcome.error):
                            run.outcome(row, outcome, say=False)  # said once, by the report
                            stopped = f"line {row.line}: {_described(outcome.error)}"
                            break
                        run.outcome(row, outcome)
                        progress()
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = True
    except ValidationError as exc:  # the input became unreadable part-way (stdin that is not UTF-8, ...)
        stopped, unreadable = cli_words(str(exc)), True
    except JournalError as exc:
        stopped = str(exc)
    elapsed = time.perf_counter() - started
    if run.journal is not None and not run.journal.broken:
        run.journal.write(
            {
                "record": "end",
                "succeeded": run.succeeded,
                "failed": run.failed,
                "skipped": run.skipped,
                "requests": run.attempts,
                "interrupted": interrupted,
                "stopped": stopped,
            }
        )
    _report(console, args, run, elapsed, interrupted, stopped)
    if interrupted:
        return INTERRUPTED
    if unreadable:
        return USAGE
    return FAILED if run.failed or stopped else OK


def _report(
    console: Console,
    args: argparse.Namespace,
    run: _Run,
    elapsed: float,
    interrupted: bool,
    stopped: str | None,
) -> None:
    failures = sorted(run.failures.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or 0))
    if stopped is not None:
        console.say(f"stopped: {stopped}; the rows left were not sent", style="red")
    if args.json:
        summary = {
            "succeeded": run.succeeded,
            "failed": run.failed,
            "skipped": run.skipped,
            "requests": run.attempts,
            "seconds": round(elapsed, 3),
            "interrupted": interrupted,
            "stopped": stopped,
            "failures": [
                {"type": name, "status": status, "code": code, "count": count}
                for (name, status, code), count in failures
            ],
        }
        console.out(json.dumps(summary))
        return
    state = "interrupted after" if interrupted else "stopped after" if stopped else "done:"
    skipped = f", {run.skipped} skipped (done in the journal)" if run.skipped else ""
    console.say(
        f"{state} {run.succeeded} succeeded, {run.failed} failed{skipped}, {run.attempts} requests, {elapsed:.2f}s"
    )
    if failures:
        console.table(
            "failures",
            ["error", "status", "code", "count"],
            [(name, _dash(status), _dash(code), count) for (name, status, code), count in failures],
        )


def _dash(value: int | None) -> object:
    return "-" if value is None else value


# serve-fake ----------------------------------------------------------------------------------------

# Each aimed at a different chat's participants path, at most two per chat: the default two retries
# get every request through.
_FAULTS = ("500/3006", "502", "reset", "429", "500/3006")


def _seed_phone(chat: int, n: int) -> str:
    return f"+1415{chat:03d}{n:04d}"


async def _serve_fake(args: argparse.Namespace, console: Console) -> int:
    from .testing import FakeLinqServer

    fake = FakeLinqServer(port=args.port)
    try:
        await fake.start()
    except OSError as exc:
        raise ValidationError(f"--port {args.port}: cannot listen on 127.0.0.1: {exc.strerror or exc}") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        chats = [
            fake.create_chat([_seed_phone(c, 0), _seed_phone(c, 1)], display_name=f"Group {c + 1}")
            for c in range(args.chats)
        ]
        faults: list[str] = []
        if args.faults:
            faults = list(_FAULTS[: 2 * len(chats)])
            for n, kind in enumerate(faults):
                fake.inject(kind, path=f"/chats/{chats[n % len(chats)]}/participants", retry_after=1)
        exports = " ".join(
            f"{variable}={shlex.quote(value)}"
            for variable, value in ((API_KEY_ENV, fake.api_key), (BASE_URL_ENV, fake.base_url))
        )
        console.out(f"Fake Linq server on {fake.base_url} with {len(chats)} group chats; Ctrl-C stops it.")
        if faults:
            counted = Counter(faults)
            console.out(
                "Injected faults, met by the first additions and retried through: "
                + ", ".join(f"{kind} x{count}" for kind, count in counted.items())
            )
        console.out("")
        console.out("In another terminal:")
        console.out("")
        console.out(f"export {exports}")
        console.out("cat > adds.csv <<'EOF'")
        console.out("chat_id,handle")
        for c, chat in enumerate(chats):
            console.out(f"{chat},{_seed_phone(c, 2)}")
        console.out("EOF")
        console.out("linq-async participants add-many adds.csv --results results.jsonl")
        console.out("")
        await stop.wait()
    finally:
        served = len(fake.requests)
        await fake.stop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)
        console.say(f"fake server stopped after {served} requests")
    return OK
