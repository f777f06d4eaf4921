"""Run one benchmark scenario in a fresh process and print its figures as JSON.

``python worker.py CLIENT PORT CONCURRENCY REQUESTS ROUNDS`` sends the same participant additions
(spread over 500 chats, so per-chat ordering never serialises them) through one client and reports,
per round, the CPU time of this process (all threads) and the wall time, then the peak RSS.
``python worker.py serve CLIENT PORT CONCURRENCY REQUESTS`` keeps one client open instead: it
warms up, prints ``ready``, then runs one round per round number read from stdin and prints that
round's figures as one JSON line; an empty line ends it with the peak RSS. The bench uses it to
alternate clients round by round, so that each round of one client has a round of the other next
to it in time.
``python worker.py stream PORT CONCURRENCY TOTAL`` streams ``iter_add`` over a generator of TOTAL
pairs and reports the resident memory at checkpoints.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

KEY = "sk_bench_0123456789"
CHATS = [str(uuid.UUID(int=i + 1)) for i in range(500)]
WARMUP = 300


def pairs(start: int, count: int) -> list[tuple[str, str]]:
    return [(CHATS[i % len(CHATS)], f"+1415{i % 10_000_000:07d}") for i in range(start, start + count)]


def current_rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def run_async(send: Callable[[str, str], Any], items: list[tuple[str, str]], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(chat: str, handle: str) -> None:
        async with gate:
            await send(chat, handle)

    await asyncio.gather(*(one(chat, handle) for chat, handle in items))


def run_threads(send: Callable[[str, str], Any], items: list[tuple[str, str]], concurrency: int) -> None:
    if concurrency == 1:
        for chat, handle in items:
            send(chat, handle)
        return
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda item: send(*item), items))


class Schedule:
    """Which rounds to run, and where their figures go.

    ``Schedule(n)`` runs rounds 0..n-1 and keeps the figures; ``Schedule(None)`` (serve mode)
    announces ``ready`` after the warm-up and takes round numbers from stdin, printing each round's
    figures as soon as it ends.
    """

    def __init__(self, rounds: int | None) -> None:
        self.served = rounds is None
        self.planned = range(rounds or 0)
        self.results: list[dict[str, float]] = []

    def __iter__(self) -> Iterator[int]:
        if not self.served:
            yield from self.planned
            return
        print("ready", flush=True)
        while line := sys.stdin.readline().strip():
            yield int(line)

    def done(self, cpu: float, wall: float) -> None:
        result = {"cpu": cpu, "wall": wall}
        if self.served:
            print(json.dumps(result), flush=True)
        else:
            self.results.append(result)


def measure(
    run_round: Callable[[list[tuple[str, str]]], None], requests: int, rounds: Schedule
) -> list[dict[str, float]]:
    run_round(pairs(0, WARMUP))
    for r in rounds:
        items = pairs(WARMUP + r * requests, requests)
        cpu, wall = time.process_time(), time.perf_counter()
        run_round(items)
        rounds.done(time.process_time() - cpu, time.perf_counter() - wall)
    return rounds.results


def bare_aiohttp(base: str, concurrency: int, requests: int, rounds: Schedule) -> list[dict[str, float]]:
    import aiohttp

    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", "Accept": "application/json"}

    async def main() -> list[dict[str, float]]:
        async with aiohttp.ClientSession() as session:

            async def send(chat: str, handle: str) -> Any:
                url = f"{base}/v3/chats/{chat}/participants"
                async with session.post(url, data=json.dumps({"handle": handle}).encode(), headers=headers) as response:
                    body = await response.read()
                    if response.status != 202:
                        raise RuntimeError(response.status)
                    return json.loads(body)

            return await measure_async(lambda items: run_async(send, items, concurrency), requests, rounds)

    return asyncio.run(main())


async def measure_async(
    run_round: Callable[[list[tuple[str, str]]], Any], requests: int, rounds: Schedule
) -> list[dict[str, float]]:
    await run_round(pairs(0, WARMUP))
    # Between served rounds the loop blocks on stdin: nothing else runs in this process meanwhile.
    for r in rounds:
        items = pairs(WARMUP + r * requests, requests)
        cpu, wall = time.process_time(), time.perf_counter()
        await run_round(items)
        rounds.done(time.process_time() - cpu, time.perf_counter() - wall)
    return rounds.results


def linq_async_gather(base: str, concurrency: int, requests: int, rounds: Schedule) -> list[dict[str, float]]:
    from linq_async import AsyncLinqClient

    async def main() -> list[dict[str, float]]:
        async with AsyncLinqClient(KEY, base_url=base) as client:
            add = client.chats.participants.add

            async def send(chat: str, handle: str) -> Any:
                return await add(chat, handle=handle)

            return await measure_async(lambda items: run_async(send, items, concurrency), requests, rounds)

    return asyncio.run(main())


def linq_async_add_many(base: str, concurrency: int, requests: int, rounds: Schedule) -> list[dict[str, float]]:
    from linq_async import AsyncLinqClient

    async def main() -> list[dict[str, float]]:
        async with AsyncLinqClient(KEY, base_url=base) as client:

            async def batch(items: list[tuple[str, str]]) -> None:
                result = await client.chats.participants.add_many(items, concurrency=concurrency)
                if result.failed_count:
                    raise RuntimeError(result.failed[0].error)

            return await measure_async(batch, requests, rounds)

    return asyncio.run(main())


def official_async(base: str, concurrency: int, requests: int, rounds: Schedule) -> list[dict[str, float]]:
    from linq import AsyncLinqAPIV3

    async def main() -> list[dict[str, float]]:
        async with AsyncLinqAPIV3(api_key=KEY, base_url=base) as client:

            async def send(chat: str, handle: str) -> Any:
                return await client.chats.participants.add(chat, handle=handle)

            return await measure_async(lambda items: run_async(send, items, concurrency), requests, rounds)

    return asyncio.run(main())


def official_sync(base: str, concurrency: int, requests: int, rounds: Schedule) -> list[dict[str, float]]:
    from linq import LinqAPIV3

    with LinqAPIV3(api_key=KEY, base_url=base) as client:

        def send(chat: str, handle: str) -> Any:
            return client.chats.participants.add(chat, handle=handle)

        return measure(lambda items: run_threads(send, items, concurrency), requests, rounds)


def linq_async_sync(base: str, concurrency: int, requests: int, rounds: Schedule) -> list[dict[str, float]]:
    from linq_async import SyncLinqClient

    with SyncLinqClient(KEY, base_url=base) as client:
        add = client.chats.participants.add

        def send(chat: str, handle: str) -> Any:
            return add(chat, handle=handle)

        return measure(lambda items: run_threads(send, items, concurrency), requests, rounds)


SCENARIOS: dict[str, Callable[[str, int, int, Schedule], list[dict[str, float]]]] = {
    "aiohttp": bare_aiohttp,
    "linq_async": linq_async_gather,
    "linq_async.add_many": linq_async_add_many,
    "linq (official async)": official_async,
    "linq (official sync)": official_sync,
    "linq_async.SyncLinqClient": linq_async_sync,
}


def stream(base: str, concurrency: int, total: int) -> dict[str, Any]:
    """Stream iter_add over a generator; note resident memory as the item count grows."""
    from linq_async import AsyncLinqClient

    checkpoints = {n for n in (10_000, 100_000, total) if n <= total}

    def generate() -> Iterator[tuple[str, str]]:
        for i in range(total):
            yield CHATS[i % len(CHATS)], f"+1415{i % 10_000_000:07d}"

    async def main() -> dict[str, Any]:
        rss: dict[int, int] = {}
        async with AsyncLinqClient(KEY, base_url=base) as client:
            done = 0
            started = time.perf_counter()
            async for outcome in client.chats.participants.iter_add(generate(), concurrency=concurrency):
                if not outcome.ok:
                    raise RuntimeError(outcome.error)
                done += 1
                if done in checkpoints:
                    rss[done] = current_rss_kb()
            seconds = time.perf_counter() - started
        return {"rss_kb": rss, "seconds": seconds, "peak_rss_kb": peak_rss_kb()}

    return asyncio.run(main())


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "serve":
        client, port, concurrency, requests = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        SCENARIOS[client](f"http://127.0.0.1:{port}/api/partner", concurrency, requests, Schedule(None))
        print(json.dumps({"peak_rss_kb": peak_rss_kb()}))
        sys.exit(0)
    base_url = f"http://127.0.0.1:{int(sys.argv[2])}/api/partner"
    if kind == "stream":
        print(json.dumps(stream(base_url, int(sys.argv[3]), int(sys.argv[4]))))
    else:
        figures = SCENARIOS[kind](base_url, int(sys.argv[3]), int(sys.argv[4]), Schedule(int(sys.argv[5])))
        print(json.dumps({"rounds": figures, "peak_rss_kb": peak_rss_kb()}))
