"""A fast loopback Linq stand-in for benchmarks: raw asyncio, HTTP/1.1 keep-alive, no framework.

It answers every request with the participants endpoint's 202 body and an X-Trace-ID header, so
its own cost per request stays small next to any client's. Run as a separate process:
``python standin.py PORT`` prints ``ready`` once listening.
"""

from __future__ import annotations

import asyncio
import sys

BODY = b'{"message":"Participant addition queued","status":"accepted","trace_id":"2eff5df5c6f688733c007523c4d61cd9"}'
ANSWER = (
    b"HTTP/1.1 202 Accepted\r\n"
    b"Content-Type: application/json\r\n"
    b"X-Trace-ID: 2eff5df5c6f688733c007523c4d61cd9\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)


class Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            assert self.transport is not None
            self.transport.write(ANSWER)


async def main(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Protocol, "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
