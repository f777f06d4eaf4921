"""``linq-async`` (also ``python -m linq_async``): participants from the shell, and the demo.

The key comes from ``$LINQ_API_V3_API_KEY`` only, never from a flag, so it stays out of shell
history and process lists. Exit codes: 0 when everything succeeded, 1 when anything failed (an
API error or a bad input row), 2 for usage and configuration errors, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from . import _validate
from ._batch import Outcome
from ._client import AsyncLinqClient
from ._console import Console
from ._convert import Model
from ._errors import APIError, LinqError, ValidationError
from ._version import __version__

__all__ = ["main"]

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


@attrs.frozen
class Row:
    """A valid input row: sent."""

    line: int
    chat_id: str
    handle: str


@attrs.frozen
class BadRow:
    """An input row that cannot be sent, and why."""

    line: int
    reason: str
    text: str


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linq-async",
        description="Linq Partner API V3 from the shell. The key is read from $LINQ_API_V3_API_KEY.",
    )
    parser.add_argument("--version", action="version", version=f"linq-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run the demo against the embedded fake Linq server")
    demo.add_argument("--chats", type=int, default=36, help="group chats to create (default 36)")
    demo.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")

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
        many.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
        many.add_argument("--results", metavar="PATH", help="write one JSON line per row to PATH")
        many.add_argument("--format", choices=("auto", "csv", "jsonl"), default="auto", help="input format")
        many.add_argument("--no-progress", action="store_true", help="no progress bar")
        _common(many)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="API base URL (default: $LINQ_API_V3_BASE_URL or production)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    parser.add_argument("--max-retries", type=int, default=2, help="retries of transient failures (default 2)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    console = Console(stdout=stdout, stderr=stderr, progress=not getattr(args, "no_progress", False))
    try:
        if args.command == "demo":
            from . import _demo

            return asyncio.run(_demo.run(console, chats=args.chats, concurrency=args.concurrency))
        client = AsyncLinqClient(base_url=args.base_url, timeout=args.timeout, max_retries=args.max_retries)
        if args.action in ("add", "remove"):
            return asyncio.run(_one(client, args, console))
        if args.file != "-" and not Path(args.file).is_file():
            raise ValidationError(f"no such file: {args.file}")
        total = _count_rows(args.file)
        with contextlib.ExitStack() as files:
            stream = (
                sys.stdin if args.file == "-" else files.enter_context(open(args.file, encoding="utf-8", newline=""))
            )
            results = files.enter_context(open(args.results, "w", encoding="utf-8")) if args.results else None
            return asyncio.run(_many(client, args, console, stream, results, total))
    except ValidationError as exc:
        console.say(f"error: {exc}", style="red")
        return USAGE
    except KeyboardInterrupt:
        console.say("interrupted", style="yellow")
        return INTERRUPTED


async def _one(client: AsyncLinqClient, args: argparse.Namespace, console: Console) -> int:
    method = client.chats.participants.add if args.action == "add" else client.chats.participants.remove
    async with client:
        try:
            response: Model = await method(args.chat_id, handle=args.handle)
        except ValidationError:
            raise
        except LinqError as exc:
            if args.json:
                console.out(json.dumps({"ok": False, "error": _error_dict(exc)}))
            else:
                console.say(f"error: {exc}", style="red")
            return FAILED
    if args.json:
        console.out(json.dumps({"ok": True, "response": response.to_dict()}))
    else:
        data = response.to_dict()
        console.out(f"{data.get('status', 'ok')}: {data.get('message', '')} (trace_id={data.get('trace_id')})")
    return OK


def _error_dict(error: BaseException) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIError):
        for name in ("status", "code", "trace_id", "doc_url", "retry_after"):
            value = getattr(error, name, None)
            if value is not None:
                data[name] = value
    return data


def read_rows(
    stream: Iterable[str], fmt: str = "auto", name: str = "", *, check: bool = True
) -> Iterator[Row | BadRow]:
    """Yield the rows of a CSV (``chat_id,handle``, optional header) or JSON-lines input, with line numbers.

    With ``check=False`` the chat ids and handles are not validated (for counting rows only).
    """
    lines: Iterator[str] = iter(stream)
    if fmt == "auto":
        if name.endswith((".jsonl", ".ndjson")):
            fmt = "jsonl"
        elif name.endswith(".csv"):
            fmt = "csv"
        else:
            first = next(lines, "")
            fmt = "jsonl" if first.lstrip().startswith("{") else "csv"
            lines = itertools.chain([first], lines)
    yield from (_jsonl_rows(lines, check) if fmt == "jsonl" else _csv_rows(lines, check))


def _checked(line: int, chat_id: object, handle: object, text: str, check: bool) -> Row | BadRow:
    if not check:
        return Row(line, str(chat_id), str(handle))
    try:
        return Row(line, _validate.chat_id(chat_id), _validate.handle(handle))
    except ValidationError as exc:
        return BadRow(line, str(exc), text)


def _csv_rows(stream: Iterable[str], check: bool) -> Iterator[Row | BadRow]:
    reader = csv.reader(stream)
    for fields in reader:
        line = reader.line_num
        text = ",".join(fields)
        if not fields or all(not f.strip() for f in fields):
            continue
        if line == 1 and [f.strip().lower() for f in fields] == ["chat_id", "handle"]:
            continue
        if len(fields) != 2:
            yield BadRow(line, f"expected 2 columns (chat_id,handle), found {len(fields)}", text)
            continue
        yield _checked(line, fields[0].strip(), fields[1].strip(), text, check)


def _jsonl_rows(stream: Iterable[str], check: bool) -> Iterator[Row | BadRow]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError as exc:
            yield BadRow(line, f"not JSON: {exc}", text.rstrip("\n"))
            continue
        if not isinstance(data, dict) or "chat_id" not in data or "handle" not in data:
            yield BadRow(line, 'expected an object with "chat_id" and "handle"', text.rstrip("\n"))
            continue
        yield _checked(line, data["chat_id"], data["handle"], text.rstrip("\n"), check)


class _Tally:
    """Counts and failures, and the results file, for a batch run."""

    def __init__(self, results: TextIO | None) -> None:
        self.results = results
        self.succeeded = 0
        self.failures: Counter[tuple[str, Any, Any]] = Counter()
        self.attempts = 0

    def bad(self, row: BadRow, console: Console) -> None:
        console.say(f"line {row.line}: not sent: {row.reason}", style="yellow")
        self.failures[("BadRow", "-", "-")] += 1
        self._write(
            {"line": row.line, "ok": False, "input": row.text, "error": {"type": "BadRow", "message": row.reason}}
        )

    def outcome(self, row: Row, outcome: Outcome[Any]) -> None:
        self.attempts += outcome.attempts
        record: dict[str, Any] = {
            "line": row.line,
            "chat_id": outcome.chat_id,
            "handle": outcome.handle,
            "ok": outcome.ok,
            "attempts": outcome.attempts,
        }
        if outcome.error is None:
            self.succeeded += 1
            assert outcome.response is not None
            record["response"] = outcome.response.to_dict()
        else:
            error = outcome.error
            self.failures[(type(error).__name__, getattr(error, "status", "-"), getattr(error, "code", "-"))] += 1
            record["error"] = _error_dict(error)
        self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        if self.results is not None:
            self.results.write(json.dumps(record) + "\n")
            self.results.flush()

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


def _count_rows(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, encoding="utf-8", newline="") as stream:
        # Every row counts, valid or not, so the rows need splitting but not checking.
        return sum(1 for row in read_rows(stream, "auto", path, check=False))


async def _many(
    client: AsyncLinqClient,
    args: argparse.Namespace,
    console: Console,
    stream: TextIO,
    results: TextIO | None,
    total: int | None,
) -> int:
    tally = _Tally(results)
    started = time.perf_counter()
    interrupted = False
    try:
        async with client:
            participants = client.chats.participants
            iterate = participants.iter_add if args.action == "add-many" else participants.iter_remove
            with console.progress(args.action, total) as update:
                # The batch numbers the rows it is given; bad rows never reach it. Entries leave
                # as outcomes arrive, so this holds no more than the batch's look-ahead.
                sent: dict[int, Row] = {}
                numbers = itertools.count()

                def pairs() -> Iterator[tuple[str, str]]:
                    for row in read_rows(stream, args.format, args.file):
                        if isinstance(row, BadRow):
                            tally.bad(row, console)
                            update(tally.succeeded + tally.failed, f"failed {tally.failed}")
                            continue
                        sent[next(numbers)] = row
                        yield row.chat_id, row.handle

                async for outcome in iterate(pairs(), concurrency=args.concurrency):
                    tally.outcome(sent.pop(outcome.index), outcome)
                    update(tally.succeeded + tally.failed, f"failed {tally.failed}")
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = True
    _report(console, args, tally, time.perf_counter() - started, interrupted)
    if interrupted:
        return INTERRUPTED
    return FAILED if tally.failed else OK


def _report(console: Console, args: argparse.Namespace, tally: _Tally, elapsed: float, interrupted: bool) -> None:
    summary = {
        "succeeded": tally.succeeded,
        "failed": tally.failed,
        "requests": tally.attempts,
        "seconds": round(elapsed, 3),
        "interrupted": interrupted,
        "failures": [
            {"type": name, "status": status, "code": code, "count": count}
            for (name, status, code), count in sorted(tally.failures.items(), key=str)
        ],
    }
    if args.json:
        console.out(json.dumps(summary))
        return
    state = "interrupted after" if interrupted else "done:"
    console.say(
        f"{state} {tally.succeeded} succeeded, {tally.failed} failed, {tally.attempts} requests, {elapsed:.2f}s"
    )
    if tally.failures:
        console.table(
            "failures",
            ["error", "status", "code", "count"],
            [(name, status, code, count) for (name, status, code), count in sorted(tally.failures.items(), key=str)],
        )
