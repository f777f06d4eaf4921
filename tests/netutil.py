"""Loopback network pieces for the production-network tests: a TLS server and a recording proxy.

``TLSServer`` answers every request with 202 on https://127.0.0.1, its certificate signed by a
throwaway CA (trustme). ``RecordingProxy`` is a forward proxy: ``CONNECT host:port`` opens a tunnel
(whose bytes it keeps, to show the key never crossed it in clear), and an absolute-URI request is
forwarded as plain HTTP (which a client must never do with the key).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from pathlib import Path
from typing import Any

from aiohttp import web

ADD_OK = {"message": "Participant addition queued", "status": "accepted"}


class _Background:
    """An asyncio server on a loop of its own thread, reachable from any test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def start_thread(self) -> None:
        self._thread.start()

    def stop_thread(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class TLSServer(_Background):
    """https://127.0.0.1:<port>/api/partner, answering 202; ``requests`` counts what arrived."""

    def __init__(self, tmp: Path, *, keepalive_timeout: float = 75.0) -> None:
        super().__init__()
        import trustme

        self.keepalive_timeout = keepalive_timeout
        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.server_context)
        self.ca_path = tmp / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.requests.append((request.method, request.path, dict(request.headers)))
        return web.json_response(ADD_OK, status=202)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, keepalive_timeout=self.keepalive_timeout)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.server_context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/api/partner"

    def __enter__(self) -> TLSServer:
        self.start_thread()
        self.run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._runner is not None
        self.run(self._runner.cleanup())
        self.stop_thread()


class RecordingProxy(_Background):
    """A forward proxy on 127.0.0.1 that records request lines, headers and every byte relayed."""

    def __init__(self) -> None:
        super().__init__()
        self.request_lines: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.relayed = bytearray()
        self.port = 0
        self.refuse_tunnels = False  # answer CONNECT with 403, as a locked-down corporate proxy does
        self._server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                self.relayed.extend(data)
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.relayed.extend(head)
        lines = head.decode("latin-1").split("\r\n")
        self.request_lines.append(lines[0])
        self.headers.append(dict(line.split(": ", 1) for line in lines[1:] if ": " in line))
        method, target, _ = lines[0].split(" ", 2)
        if method == "CONNECT" and self.refuse_tunnels:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
            return
        # A plain request through the proxy: refused, but recorded (the key would have crossed in clear).
        body = json.dumps({"error": "plain HTTP through this proxy"}).encode()
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def __enter__(self) -> RecordingProxy:
        self.start_thread()
        self.run(self._start())
        return self

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    def __exit__(self, *exc: object) -> None:
        self.run(self._stop())
        self.stop_thread()
