"""Every code example of the docs and the README runs, against a fresh fake server each.

```python blocks are executed as scripts, with LINQ_API_V3_API_KEY and LINQ_API_V3_BASE_URL pointing at
the fake; a block titled ``test_*.py`` is written to a file and run with pytest. Each ``$`` line of a
```console block is run in a shell. The fake knows the chat ids the examples use.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from linq_async.testing import FakeLinqServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^```(?P<lang>\w+)(?P<info>[^\n]*)\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
TITLE = re.compile(r'title="(?P<name>[^"]+)"')
EXAMPLE_CHATS = ["550e8400-e29b-41d4-a716-446655440000", "6f0b6a9e-1a5f-4a7e-9c33-2d5e8f1b7c40"]


def examples(lang: str) -> Iterator[pytest.ParameterSet]:
    for page in PAGES:
        text = page.read_text()
        for match in FENCE.finditer(text):
            if match["lang"] == lang:
                line = text.count("\n", 0, match.start()) + 1
                yield pytest.param(page, line, match["info"], match["code"], id=f"{page.name}:{line}")


@pytest.fixture
def docs_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLinqServer]:
    with FakeLinqServer() as fake:
        for chat in EXAMPLE_CHATS:
            fake.create_chat(["+14155550101", "+14155550102"], chat_id=chat)
        monkeypatch.setenv("LINQ_API_V3_API_KEY", fake.api_key)
        monkeypatch.setenv("LINQ_API_V3_BASE_URL", fake.base_url)
        yield fake


def test_the_pages_have_examples() -> None:
    assert len(list(examples("python"))) >= 25
    assert len(list(examples("console"))) >= 3


@pytest.mark.parametrize(("page", "line", "info", "code"), list(examples("python")))
def test_python_example(page: Path, line: int, info: str, code: str, docs_fake: FakeLinqServer, tmp_path: Path) -> None:
    title = TITLE.search(info)
    if title and title["name"].startswith("test_"):
        module = tmp_path / title["name"]
        module.write_text(code)
        # A user's project, careful about warnings: pytest-asyncio in its default, strict mode, with
        # only the loop scope pytest-asyncio itself asks every project to set (it warns otherwise,
        # whatever the plugins).
        (tmp_path / "pytest.ini").write_text(
            "[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"
        )
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, f"{page.name}:{line}\n{run.stdout}\n{run.stderr}"
        return
    exec(compile(code, f"{page.name}:{line}", "exec"), {"__name__": "__main__"})


@pytest.mark.parametrize(("page", "line", "info", "code"), list(examples("console")))
def test_console_example(
    page: Path, line: int, info: str, code: str, docs_fake: FakeLinqServer, tmp_path: Path
) -> None:
    commands = [text[2:] for text in code.splitlines() if text.startswith("$ ")]
    assert commands, f"{page.name}:{line} has no $ command"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for command in commands:
        words = shlex.split(command)
        if words[:1] == ["linq-async"]:
            command = f"{shlex.quote(sys.executable)} -m linq_async {command[len('linq-async') :]}"
        elif words[:1] == ["python"]:
            command = shlex.quote(sys.executable) + command[len("python") :]
        run = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert run.returncode in (0, 1), f"{page.name}:{line}: {command}\n{run.stdout}\n{run.stderr}"
        assert "Traceback" not in run.stderr, run.stderr
