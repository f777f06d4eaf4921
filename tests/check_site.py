"""Check the built documentation site: the API reference is complete, and pages work in a real browser.

Run by ``nox -s docs`` after ``mkdocs build``, in the docs environment (it imports linq_async and uses
aiohttp, a dependency of the package)::

    python tests/check_site.py site [--chromium /usr/bin/chromium] [--screenshots DIR]

Without ``--chromium`` only the file checks run. With it, the site is served on 127.0.0.1 under the path
of its ``site_url`` (as GitHub Pages serves a project site, 404.html for a missing page), a few pages are
loaded in headless Chromium driven over the DevTools protocol, and the check fails on a console error, an
uncaught exception, a request that failed or answered 4xx/5xx, any request to a host other than
127.0.0.1 (the browser cannot resolve another name), a stylesheet or image that did not load, or a page
whose scripts did not run. Each page's screenshot is written to ``--screenshots``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import html
import inspect
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import ClientSession, WSMsgType, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What a page must show once its scripts ran (a JavaScript expression that must be true), by page.
PAGES = {
    "": "document.querySelectorAll('.md-code__button').length > 0",  # copy buttons, added by material's bundle
    "reference/": "document.querySelectorAll('.doc-signature').length > 100",
    "configuration/": "document.querySelectorAll('.md-code__button').length > 0",
}
MISSING_PAGE_READY = "document.querySelector('h1').textContent.includes('404')"
BUNDLE_RAN = "typeof window.document$ === 'object'"  # material's bundle exposes its observables
THEME_STYLED = "getComputedStyle(document.querySelector('.md-header')).position === 'sticky'"
MISSING_PAGE = "no/such/page/"  # served 404.html, two levels below the site root
SEARCH_TERM = "participants"

# Names starting with an underscore and a capital are private classes (``_Runner``, ``_LoopThread``).
PRIVATE_TYPE = re.compile(r"(?<![\w.])_(?:[A-Z]\w*|[a-z]\w*\.)")
FAILURES: list[str] = []


def fail(message: str) -> None:
    FAILURES.append(message)
    print(f"FAIL {message}")


# --- the files -------------------------------------------------------------------------------------


def site_url(site: Path) -> str:
    """The site's public URL, from its sitemap (empty when mkdocs.yml has no site_url)."""
    sitemap = (site / "sitemap.xml").read_text()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    if not locations:
        fail("sitemap.xml lists no page: set site_url in mkdocs.yml")
        return ""
    url = html.unescape(locations[0])
    if not all(html.unescape(loc).startswith(url) for loc in locations):
        fail(f"the sitemap's first entry {url} is not the site root")
    return url


def check_files(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text()
        for host in ("fonts.googleapis.com", "fonts.gstatic.com"):
            if host in text:
                fail(f"{page.relative_to(site)} refers to {host}")
        if 'data-md-component="source"' in text:
            fail(f"{page.relative_to(site)} would fetch the repository's facts from api.github.com")


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _sections(page: str) -> dict[str, str]:
    """Each documented object's HTML, keyed by its anchor id (``linq_async.resources.chats.Chats.create``)."""
    starts = [
        (m.start(), m.group(1)) for m in re.finditer(r'<div class="doc doc-object[^"]*">\s*<h\d id="([^"]+)"', page)
    ]
    return {
        ident: page[start : starts[i + 1][0] if i + 1 < len(starts) else len(page)]
        for i, (start, ident) in enumerate(starts)
    }


def _own(section: str) -> tuple[str, str]:
    """The signature and the docstring of an object section, without those of its members."""
    signature = re.search(r'<div class="doc-signature[^"]*">(.*?)</div>', section, re.DOTALL)
    contents = re.search(
        r'<div class="doc doc-contents[^"]*">(.*?)(<div class="doc doc-children">|$)', section, re.DOTALL
    )
    return (_text(signature[1]) if signature else ""), (_text(contents[1]) if contents else "")


def check_reference(site: Path) -> None:
    """Every directive of docs/reference.md rendered; every resource method with its parameters and errors."""
    from linq_async.resources._base import ENDPOINT, PAGINATED, kind_of

    page = (site / "reference" / "index.html").read_text()
    sections = _sections(page)
    directives = re.findall(r"^::: (\S+)", (ROOT / "docs" / "reference.md").read_text(), re.MULTILINE)
    for path in directives:
        if path not in sections and not any(ident.startswith(f"{path}.") for ident in sections):
            fail(f"reference: ::: {path} rendered nothing")
    for ident, section in sections.items():
        signature, _ = _own(section)
        if PRIVATE_TYPE.search(signature):
            fail(f"reference: the signature of {ident} shows a private type: {signature.strip()}")

    checked = 0
    for ident in [i for i in sections if i.startswith("linq_async.resources.") and i.count(".") == 3]:
        module_name, _, class_name = ident.rpartition(".")
        cls = getattr(__import__(module_name, fromlist=[class_name]), class_name)
        if not inspect.isclass(cls):
            continue
        canonical = {member: name for name, member in vars(cls).items() if getattr(member, "__name__", None) == name}
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            checked += 1
            where = f"{ident}.{name}"
            if where not in sections:
                fail(f"reference: {where} is missing")
                continue
            if canonical.get(member, name) != name:  # an alias (list_chats = list): documented under its target
                if f"{ident}.{canonical[member]}" not in sections:
                    fail(f"reference: {where} is an alias of {canonical[member]}, which is missing")
                continue
            signature, doc = _own(sections[where])
            parameters = [p for p in inspect.signature(member).parameters if p != "self"]
            absent = [p for p in parameters if not re.search(rf"\b{p}\b", signature)]
            if absent:
                fail(f"reference: the signature of {where} lacks {absent}: {signature.strip()}")
            if "->" not in signature:
                fail(f"reference: the signature of {where} shows no return type")
            if not doc.strip():
                fail(f"reference: {where} has no text")
            elif kind_of(member) in (ENDPOINT, PAGINATED) and "raise" not in doc.lower():
                fail(f"reference: {where} does not say what it raises")
    if checked < 50:
        fail(f"reference: only {checked} resource methods found")
    print(f"reference: {len(directives)} directives, {len(sections)} objects, {checked} resource methods checked")


# --- serving the site ------------------------------------------------------------------------------


def site_app(site: Path, prefix: str) -> web.Application:
    """The site under ``prefix`` as GitHub Pages serves it: index.html for a directory, 404.html otherwise."""
    root = site.resolve()

    async def handler(request: web.Request) -> web.StreamResponse:
        path = unquote(request.path)
        if not path.startswith(prefix):
            return web.Response(status=404, text="outside the site")
        target = (root / path[len(prefix) :]).resolve()
        if target.is_dir():
            target = target / "index.html"
        if root in target.parents and target.is_file():
            return web.FileResponse(target)
        return web.Response(status=404, body=(root / "404.html").read_bytes(), content_type="text/html")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return app


@contextlib.asynccontextmanager
async def serving(site: Path, prefix: str) -> AsyncIterator[str]:
    runner = web.AppRunner(site_app(site, prefix), access_log=None)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        await runner.cleanup()


# --- the browser -----------------------------------------------------------------------------------


class DevTools:
    """A minimal DevTools protocol client over the browser's websocket (flat sessions)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data:
                future = self.waiting.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            else:
                self.events.put_nowait(data)
        for future in self.waiting.values():
            future.set_exception(RuntimeError("the browser closed the DevTools connection"))

    async def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        ident = next(self.ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self.waiting[ident] = future
        await self.ws.send_str(json.dumps(message))
        answer = await asyncio.wait_for(future, 30)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]


@contextlib.asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[DevTools]:
    with tempfile.TemporaryDirectory(prefix="linq-async-chromium-") as profile:
        command = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            # Nothing but 127.0.0.1 resolves: a request elsewhere fails, and is reported, instead of leaving.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--window-size=1280,900",
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not port_file.exists() or len(port_file.read_text().split()) < 2:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Chromium did not start (exit status {process.poll()})")
                await asyncio.sleep(0.1)
            port, path = port_file.read_text().split()[:2]
            async with ClientSession() as http, http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0) as ws:
                devtools = DevTools(ws)
                try:
                    yield devtools
                finally:
                    with contextlib.suppress(Exception):
                        await devtools.send("Browser.close")
                    devtools.reader.cancel()
        finally:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class PageVisit:
    """One page load: its requests and everything that went wrong."""

    def __init__(self, url: str, allowed_status: int) -> None:
        self.url = url
        self.allowed_status = allowed_status  # the status the document itself may have (404 for 404.html)
        self.requests: dict[str, str] = {}
        self.in_flight: set[str] = set()
        self.loaded = False
        self.problems: list[str] = []
        self.last_activity = time.monotonic()

    def event(self, method: str, params: dict[str, Any]) -> None:
        self.last_activity = time.monotonic()
        if method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            self.requests[params["requestId"]] = url
            self.in_flight.add(params["requestId"])
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
                self.problems.append(f"request to another host: {url}")
        elif method == "Network.responseReceived":
            status, url = params["response"]["status"], params["response"]["url"]
            if status >= 400 and not (url == self.url and status == self.allowed_status):
                self.problems.append(f"HTTP {status} for {url}")
        elif method == "Network.loadingFinished":
            self.in_flight.discard(params["requestId"])
        elif method == "Network.loadingFailed":
            self.in_flight.discard(params["requestId"])
            url = self.requests.get(params["requestId"], "?")
            self.problems.append(f"request failed ({params.get('errorText')}): {url}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.problems.append(f"uncaught exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
            self.problems.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            expected = entry.get("url") == self.url and f"status of {self.allowed_status}" in entry["text"]
            if not expected:
                self.problems.append(f"console error: {entry['text']} {entry.get('url', '')}".strip())


async def visit(
    devtools: DevTools,
    url: str,
    *,
    ready: str,
    allowed_status: int = 0,
    screenshot: Path | None,
    try_search: bool = False,
) -> None:
    target = (await devtools.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
    session = (await devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
    sessions = {session}
    page = PageVisit(url, allowed_status)
    for domain in ("Page", "Runtime", "Log", "Network"):
        await devtools.send(f"{domain}.enable", session=session)
    # Workers (material's search) get their own sessions; their requests count too.
    await devtools.send(
        "Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}, session=session
    )
    await devtools.send("Network.setCacheDisabled", {"cacheDisabled": True}, session=session)

    async def pump(until: float) -> None:
        while time.monotonic() < until:
            try:
                event = await asyncio.wait_for(devtools.events.get(), 0.1)
            except TimeoutError:
                if page.loaded and not page.in_flight and time.monotonic() - page.last_activity > 1.0:
                    return
                continue
            if event.get("sessionId") not in sessions:
                continue
            method, params = event["method"], event.get("params", {})
            if method == "Target.attachedToTarget":
                child = params["sessionId"]
                sessions.add(child)
                for domain in ("Runtime", "Network"):
                    with contextlib.suppress(RuntimeError):
                        await devtools.send(f"{domain}.enable", session=child)
                await devtools.send("Runtime.runIfWaitingForDebugger", session=child)
                continue
            page.event(method, params)

    async def evaluate(expression: str) -> Any:
        result = await devtools.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=session
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    await devtools.send("Page.navigate", {"url": url}, session=session)
    await pump(time.monotonic() + 30)
    if not page.loaded:
        page.problems.append("the page did not finish loading in 30 s")
    checks = {
        "a stylesheet did not load": "[...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet)",
        "an image did not load": "[...document.images].every(i => i.complete && i.naturalWidth > 0)",
        "the theme's stylesheet is not applied": THEME_STYLED,
        "the theme's scripts did not run": BUNDLE_RAN,
        f"the page is not ready ({ready})": ready,
    }
    for problem, expression in checks.items():
        if not await evaluate(expression):
            page.problems.append(problem)
    if screenshot is not None:
        shot = await devtools.send("Page.captureScreenshot", {"format": "png"}, session=session)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    if try_search:
        await search(evaluate, page, pump)
    await pump(time.monotonic() + 5)
    await devtools.send("Target.closeTarget", {"targetId": target})
    for problem in page.problems:
        fail(f"{url}: {problem}")
    print(f"browser: {url} ({len(page.requests)} requests, {len(page.problems)} problems)")


async def search(evaluate: Any, page: PageVisit, pump: Any) -> None:
    """Type in the search box and wait for results: the search index and its worker work."""
    await evaluate(
        "(() => { const input = document.querySelector('.md-search__input'); input.focus();"
        f" input.value = {json.dumps(SEARCH_TERM)};"
        " input.dispatchEvent(new Event('input', {bubbles: true}));"
        " input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true})); })()"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await pump(time.monotonic() + 0.5)
        if await evaluate("document.querySelectorAll('.md-search-result__item').length > 0"):
            return
    page.problems.append(f"searching for {SEARCH_TERM!r} found nothing")


async def check_browser(site: Path, url: str, executable: str, screenshots: Path | None) -> None:
    prefix = urlsplit(url).path or "/"
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    async with serving(site, prefix) as base, chromium(executable) as devtools:
        for name, ready in PAGES.items():
            shot = screenshots / f"{name.strip('/') or 'index'}.png" if screenshots else None
            await visit(devtools, base + name, ready=ready, screenshot=shot, try_search=not name)
        shot = screenshots / "404.png" if screenshots else None
        await visit(devtools, base + MISSING_PAGE, ready=MISSING_PAGE_READY, allowed_status=404, screenshot=shot)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--chromium", help="the browser to load pages in; without it, only the files are checked")
    parser.add_argument("--screenshots", type=Path, help="where to write each page's screenshot")
    args = parser.parse_args()
    url = site_url(args.site)
    check_files(args.site)
    check_reference(args.site)
    if args.chromium:
        executable = shutil.which(args.chromium) or args.chromium
        started = time.monotonic()
        asyncio.run(check_browser(args.site, url, executable, args.screenshots))
        print(f"browser: checked in {time.monotonic() - started:.1f} s; screenshots in {args.screenshots}")
    if FAILURES:
        print(f"{len(FAILURES)} problems with the site")
        return 1
    print("site: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
