"""Terminal output for the CLI and the demo: rich when installed (the ``cli`` extra), plain text otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

try:
    import rich.console
    import rich.progress
    import rich.table

    _RICH = True
except ImportError:  # pragma: no cover - exercised only without the cli extra
    _RICH = False


class Console:
    """Messages and progress to stderr, results to stdout."""

    def __init__(self, *, stdout: TextIO | None = None, stderr: TextIO | None = None, progress: bool = True) -> None:
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr
        self._show_progress = progress
        self._partial = False  # a plain progress line without its newline is on the terminal
        self._rich: rich.console.Console | None = None
        if _RICH:
            self._rich = rich.console.Console(file=self._stderr, highlight=False, soft_wrap=True)

    def out(self, text: str) -> None:
        """Write a result line to stdout."""
        print(text, file=self._stdout, flush=True)

    def say(self, text: str, *, style: str | None = None) -> None:
        """Write a message to stderr."""
        if self._rich is not None:
            self._rich.print(text, style=style, markup=False)
        else:
            if self._partial:
                print(file=self._stderr)
                self._partial = False
            print(text, file=self._stderr, flush=True)

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Callable[[int, str], None]]:
        """Show a live progress bar; yield ``update(done, note)``."""
        if not self._show_progress:
            yield lambda done, note: None
            return
        if self._rich is not None:
            columns = (
                rich.progress.TextColumn("{task.description}"),
                rich.progress.BarColumn(),
                rich.progress.MofNCompleteColumn(),
                rich.progress.TextColumn("{task.fields[note]}"),
                rich.progress.TimeElapsedColumn(),
            )
            with rich.progress.Progress(*columns, console=self._rich, transient=False) as bar:
                task = bar.add_task(description, total=total, note="")
                yield lambda done, note: bar.update(task, completed=done, note=note)
            return
        interactive = self._stderr.isatty()
        last = [0]

        def update(done: int, note: str) -> None:
            step = max(1, (total or 1000) // 20)
            if interactive or done - last[0] >= step or done == total:
                last[0] = done
                of = f"/{total}" if total is not None else ""
                end = "\r" if interactive else "\n"
                print(f"{description} {done}{of} {note}", end=end, file=self._stderr, flush=True)
                self._partial = interactive

        yield update
        if self._partial:
            print(file=self._stderr)
            self._partial = False

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Print a small table to stderr."""
        if self._rich is not None:
            table = rich.table.Table(title=title, title_justify="left")
            for header in headers:
                table.add_column(header)
            for row in rows:
                table.add_row(*(str(cell) for cell in row))
            self._rich.print(table)
            return
        widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
        print(title, file=self._stderr)
        print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)), file=self._stderr)
        for row in rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)), file=self._stderr)
