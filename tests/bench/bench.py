"""Benchmarks, side by side: bare aiohttp, linq_async and the official linq-python SDK.

Run with ``nox -s bench`` (it installs linq-python 0.65.0). One loopback Linq stand-in runs in a
separate process; each client runs in its own fresh process, so imports, caches and resident
memory never mix. Every client sends the same participant additions at concurrency 1, 10 and 50,
for several rounds; the figures are medians over the rounds. CPU is the client process's own CPU
time (all its threads) during the request phase, divided by the number of requests.

Also measured: import time (median of fresh interpreters) and the resident memory of ``iter_add``
streaming 100,000 and 1,000,000 generated pairs. Nothing here is asserted: these are figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ASYNC_CLIENTS = ["aiohttp", "linq_async", "linq_async.add_many", "linq (official async)"]
SYNC_CLIENTS = ["linq (official sync)", "linq_async.SyncLinqClient"]
CONCURRENCY = [1, 10, 50]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_standin() -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE / "standin.py"), str(port)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError("the stand-in server did not start")
    return process, port


def worker(*args: object) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(HERE / "worker.py"), *map(str, args)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def import_time(module: str, runs: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # compile .pyc first
    samples = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples) * 1000


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("aiohttp", "linq-python", "httpx", "pydantic", "linq-async")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per process (default 3)")
    parser.add_argument("--trials", type=int, default=3, help="fresh processes per client and concurrency (default 3)")
    parser.add_argument("--stream", type=int, default=1_000_000, help="pairs for the iter_add memory run")
    parser.add_argument("--write", type=Path, help="write the results as Markdown to this file")
    args = parser.parse_args()

    standin, port = start_standin()
    rows: dict[tuple[str, int], dict[str, float]] = {}
    try:
        for concurrency in CONCURRENCY:
            # Trials interleave the clients, so that a slow spell of the machine hits them all alike.
            rounds: dict[str, list[dict[str, float]]] = {client: [] for client in ASYNC_CLIENTS + SYNC_CLIENTS}
            peak: dict[str, float] = dict.fromkeys(rounds, 0.0)
            for _ in range(args.trials):
                for client in rounds:
                    result = worker(client, port, concurrency, args.requests, args.rounds)
                    rounds[client] += result["rounds"]
                    peak[client] = max(peak[client], result["peak_rss_kb"] / 1024)
            for client, measured in rounds.items():
                row = {
                    "cpu_us": statistics.median(r["cpu"] for r in measured) / args.requests * 1e6,
                    "wall_s": statistics.median(r["wall"] for r in measured),
                    "rps": statistics.median(args.requests / r["wall"] for r in measured),
                    "rss_mb": peak[client],
                }
                rows[(client, concurrency)] = row
                print(
                    f"{client:28} c={concurrency:<3} cpu/req {row['cpu_us']:7.1f} us  "
                    f"{row['rps']:7.0f} req/s  peak RSS {row['rss_mb']:5.1f} MB",
                    flush=True,
                )
        stream = worker("stream", port, 50, args.stream)
        print(f"iter_add stream: {stream}", flush=True)
    finally:
        standin.terminate()
        standin.wait()
    imports = {name: import_time(name, 9) for name in ("linq_async", "linq", "aiohttp")}
    print(f"import times (median ms): {imports}", flush=True)

    raw = {
        "rows": [[c, n, row] for (c, n), row in rows.items()],
        "stream": stream,
        "imports": imports,
        "args": vars(args),
    }
    (HERE / "last-run.json").write_text(json.dumps(raw, default=str, indent=1))
    report = render(rows, stream, imports, args)
    print(report)
    if args.write:
        args.write.write_text(report)
    return 0


def render(
    rows: dict[tuple[str, int], dict[str, float]],
    stream: dict[str, Any],
    imports: dict[str, float],
    args: argparse.Namespace,
) -> str:
    official_async = rows[("linq (official async)", 50)]["cpu_us"]
    ours_50 = rows[("linq_async", 50)]["cpu_us"]
    bare_50 = rows[("aiohttp", 50)]["cpu_us"]
    sync_speed = {
        c: rows[("linq_async.SyncLinqClient", c)]["rps"] / rows[("linq (official sync)", c)]["rps"] for c in CONCURRENCY
    }
    rss_growth = (max(stream["rss_kb"].values()) - min(stream["rss_kb"].values())) / 1024
    worst_batch = max(rows[("linq_async.add_many", c)]["cpu_us"] / rows[("aiohttp", c)]["cpu_us"] for c in CONCURRENCY)
    lines = [
        "# Benchmarks",
        "",
        "Figures from `nox -s bench` (`tests/bench/bench.py`), not assertions: rerun them on your machine.",
        "",
        f"Machine: {machine()}.",
        "",
        "In short, from this run:",
        "",
        f"- At concurrency 50, `linq_async` costs {ours_50 / bare_50:.2f}x the CPU of a bare aiohttp loop per "
        f"request, and {official_async / ours_50:.1f} times less than the official async client.",
        f"- `add_many` costs {worst_batch:.2f}x bare aiohttp at most, across the concurrencies.",
        f"- `SyncLinqClient` serves {sync_speed[1]:.2f}x the official sync client's requests per second sequentially, "
        f"{sync_speed[10]:.1f}x from 10 threads and {sync_speed[50]:.1f}x from 50.",
        f"- `import linq_async` takes {imports['linq_async']:.0f} ms, `import linq` {imports['linq']:.0f} ms.",
        f"- Streaming {args.stream:,} pairs through `iter_add`, resident memory grows by {rss_growth:.1f} MB from the "
        "first checkpoint to the last.",
        "",
        f"Method: one raw-asyncio Linq stand-in on loopback in its own process; every client sends the same "
        f"participant additions (spread over 500 chats) at each concurrency, in {args.trials} fresh processes "
        f"interleaved with the other clients', each running {args.rounds} rounds of {args.requests} requests after "
        "a warm-up; medians over all rounds. CPU is the client process's CPU time (all threads) per request. Async "
        "clients run `asyncio.gather` under a semaphore (`add_many` runs its own workers); sync clients run "
        "sequentially at concurrency 1 and from a thread pool above.",
        "",
        "## Async clients",
        "",
        "| client | concurrency | CPU per request | vs bare aiohttp | vs official async | requests/s | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for client in ASYNC_CLIENTS:
        for c in CONCURRENCY:
            row = rows[(client, c)]
            base = rows[("aiohttp", c)]["cpu_us"]
            official = rows[("linq (official async)", c)]["cpu_us"]
            lines.append(
                f"| {client} | {c} | {row['cpu_us']:.0f} µs | {ratio(row['cpu_us'], base)} | "
                f"{ratio(row['cpu_us'], official)} | {row['rps']:.0f} | {row['rss_mb']:.0f} MB |"
            )
    lines += [
        "",
        "## Sync clients",
        "",
        "| client | concurrency | CPU per request | requests/s | speed vs official sync | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for client in SYNC_CLIENTS:
        for c in CONCURRENCY:
            row = rows[(client, c)]
            official = rows[("linq (official sync)", c)]["rps"]
            lines.append(
                f"| {client} | {c} | {row['cpu_us']:.0f} µs | {row['rps']:.0f} | "
                f"{row['rps'] / official:.2f}x | {row['rss_mb']:.0f} MB |"
            )
    rss = {int(k): v / 1024 for k, v in stream["rss_kb"].items()}
    lines += [
        "",
        "## Import time",
        "",
        "Median of 9 fresh interpreters, after a first run that compiles the bytecode.",
        "",
        "| module | import time |",
        "|---|---:|",
        *(f"| `import {name}` | {ms:.0f} ms |" for name, ms in imports.items()),
        "",
        "`import linq_async` does not import aiohttp or tenacity; they load on the first request and the first retry.",
        "",
        "## Streaming memory",
        "",
        f"`iter_add` over a generator of {args.stream:,} pairs at concurrency 50, resident memory as items complete:",
        "",
        "| items done | resident memory |",
        "|---:|---:|",
        *(f"| {n:,} | {mb:.1f} MB |" for n, mb in sorted(rss.items())),
        "",
        f"{args.stream:,} items took {stream['seconds']:.0f} s; peak RSS {stream['peak_rss_kb'] / 1024:.1f} MB.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
