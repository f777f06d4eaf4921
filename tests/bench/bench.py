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
# These run as long-lived processes side by side, one round each in turn, so that every round of
# linq_async has a round of bare aiohttp next to it in time (see paired_rounds); the two sync
# clients run the same way, against each other.
PAIRED_CLIENTS = ["aiohttp", "linq_async", "linq_async.add_many"]
SYNC_CLIENTS = ["linq (official sync)", "linq_async.SyncLinqClient"]
# Async clients at each of these; add_many at those up to 20 (its target range); sync clients (one
# thread per unit of concurrency) up to 50.
CONCURRENCY = [1, 10, 20, 50, 200]
BATCH_CONCURRENCY = [1, 10, 20]
SYNC_CONCURRENCY = [1, 10, 50]


def runs(client: str, concurrency: int) -> bool:
    if client == "linq_async.add_many":
        return concurrency in BATCH_CONCURRENCY
    if client in SYNC_CLIENTS:
        return concurrency in SYNC_CONCURRENCY
    return True


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


class Served:
    """A worker process kept open (``worker.py serve``) that runs one round when asked."""

    def __init__(self, client: str, port: int, concurrency: int, requests: int) -> None:
        self.client = client
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), "serve", client, str(port), str(concurrency), str(requests)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.client} ended early (exit {self.process.wait()})")
        return line.strip()

    def ready(self) -> None:
        if self.line() != "ready":
            raise RuntimeError(f"worker {self.client} did not warm up")

    def round(self, number: int) -> dict[str, float]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{number}\n")
        self.process.stdin.flush()
        figures: dict[str, float] = json.loads(self.line())
        return figures

    def close(self) -> float:
        """End the worker; its peak RSS in MB."""
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        peak = float(json.loads(self.line())["peak_rss_kb"]) / 1024
        if self.process.wait() != 0:
            raise RuntimeError(f"worker {self.client} failed")
        return peak


def paired_rounds(
    clients: list[str], port: int, concurrency: int, requests: int, trials: int, rounds: int
) -> tuple[dict[str, list[dict[str, float]]], dict[str, float]]:
    """Run the clients' rounds in turn, each client in its own long-lived process.

    Each trial starts fresh processes, waits until all have warmed up (one at a time, so no warm-up
    overlaps a measured round), then runs ``rounds`` sets of one round per client, rotating the
    order from set to set so no client always follows the same one. Round k of every client in a
    trial is in set k, seconds apart, which is what the paired ratios compare.
    """
    measured: dict[str, list[dict[str, float]]] = {client: [] for client in clients}
    peak = dict.fromkeys(clients, 0.0)
    for _ in range(trials):
        served = []
        try:
            for client in clients:
                served.append(Served(client, port, concurrency, requests))
                served[-1].ready()
            for number in range(rounds):
                shift = number % len(served)
                for worker_ in served[shift:] + served[:shift]:
                    measured[worker_.client].append(worker_.round(number))
            for worker_ in served:
                peak[worker_.client] = max(peak[worker_.client], worker_.close())
        finally:
            for worker_ in served:
                if worker_.process.poll() is None:
                    worker_.process.kill()
                    worker_.process.wait()
    return measured, peak


def quartiles(values: list[float]) -> tuple[float, float, float]:
    low, middle, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, middle, high


def import_time(module: str, runs: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # compile .pyc first
    samples = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples) * 1000


FIRST_CALL = """
import asyncio, sys, time
started = time.perf_counter()
which, base = sys.argv[1], sys.argv[2]
if which == "linq_async":
    from linq_async import AsyncLinqClient
    def make(): return AsyncLinqClient("sk_bench_0123456789", base_url=base)
else:
    from linq import AsyncLinqAPIV3
    def make(): return AsyncLinqAPIV3(api_key="sk_bench_0123456789", base_url=base)
async def main():
    async with make() as client:
        await client.chats.participants.add("550e8400-e29b-41d4-a716-446655440000", handle="+14155550100")
asyncio.run(main())
print(time.perf_counter() - started)
"""


def first_call_times(pythons: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Import + client + first completed request, in fresh interpreters (median ms), per interpreter."""
    standin, port = start_standin()
    base = f"http://127.0.0.1:{port}/api/partner"
    results: dict[str, dict[str, float]] = {}
    try:
        for python in [sys.executable, *pythons]:
            version = subprocess.run(
                [python, "-c", "import platform; print(platform.python_version())"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            row = {}
            for which in ("linq_async", "linq"):
                command = [python, "-c", FIRST_CALL, which, base]
                subprocess.run(command, check=True, capture_output=True)  # compile .pyc first
                samples = [
                    float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
                    for _ in range(runs)
                ]
                row[which] = statistics.median(samples) * 1000
            results[version] = row
    finally:
        standin.terminate()
        standin.wait()
    return results


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
    parser.add_argument(
        "--paired-rounds",
        type=int,
        default=12,
        help="rounds per process for bare aiohttp, linq_async and add_many, run in turn (default 12)",
    )
    parser.add_argument(
        "--sync-rounds",
        type=int,
        default=6,
        help="rounds per process for the two sync clients, run in turn (default 6)",
    )
    parser.add_argument("--trials", type=int, default=5, help="fresh processes per client and concurrency (default 5)")
    parser.add_argument("--stream", type=int, default=1_000_000, help="pairs for the iter_add memory run")
    parser.add_argument("--write", type=Path, help="write the results as Markdown to this file")
    parser.add_argument(
        "--first-call-python",
        dest="first_call_pythons",
        action="append",
        default=[],
        metavar="PYTHON",
        help="also time import + first request with this interpreter (its environment must have "
        "linq-async and linq-python); repeatable",
    )
    args = parser.parse_args()

    standin, port = start_standin()
    rows: dict[tuple[str, int], dict[str, float]] = {}
    try:
        for concurrency in CONCURRENCY:
            paired = [client for client in PAIRED_CLIENTS if runs(client, concurrency)]
            rounds, peak = paired_rounds(paired, port, concurrency, args.requests, args.trials, args.paired_rounds)
            sync = [client for client in SYNC_CLIENTS if runs(client, concurrency)]
            if sync:
                more, more_peak = paired_rounds(sync, port, concurrency, args.requests, args.trials, args.sync_rounds)
                rounds |= more
                peak |= more_peak
            # The official async client's trials: fresh processes, as many as the others'.
            others = [client for client in ASYNC_CLIENTS if client not in paired and runs(client, concurrency)]
            for client in others:
                rounds[client], peak[client] = [], 0.0
            for _ in range(args.trials):
                for client in others:
                    result = worker(client, port, concurrency, args.requests, args.rounds)
                    rounds[client] += result["rounds"]
                    peak[client] = max(peak[client], result["peak_rss_kb"] / 1024)
            for client, measured in rounds.items():
                cpu = [r["cpu"] / args.requests * 1e6 for r in measured]
                row = {
                    "cpu_us": statistics.median(cpu),
                    "cpu_min": min(cpu),
                    "cpu_max": max(cpu),
                    "wall_s": statistics.median(r["wall"] for r in measured),
                    "rps": statistics.median(args.requests / r["wall"] for r in measured),
                    "wall_us": statistics.median(r["wall"] for r in measured) / args.requests * 1e6,
                    "rss_mb": peak[client],
                }
                if client in paired:
                    # Each round against the bare aiohttp round of the same set, seconds apart.
                    ratios = [r["cpu"] / b["cpu"] for r, b in zip(measured, rounds["aiohttp"], strict=True)]
                    row["paired_q1"], row["paired"], row["paired_q3"] = quartiles(ratios)
                elif client in sync:
                    # Speed as the caller sees it: the official client's wall time over this one's, per set.
                    official = rounds["linq (official sync)"]
                    speeds = [o["wall"] / r["wall"] for r, o in zip(measured, official, strict=True)]
                    row["speed_q1"], row["speed"], row["speed_q3"] = quartiles(speeds)
                rows[(client, concurrency)] = row
                paired_text = f"  paired vs bare {row['paired']:.3f}" if "paired" in row else ""
                paired_text += f"  paired speed vs official {row['speed']:.2f}" if "speed" in row else ""
                print(
                    f"{client:28} c={concurrency:<3} cpu/req {row['cpu_us']:7.1f} us  "
                    f"{row['rps']:7.0f} req/s  peak RSS {row['rss_mb']:5.1f} MB{paired_text}",
                    flush=True,
                )
        stream = worker("stream", port, 50, args.stream)
        print(f"iter_add stream: {stream}", flush=True)
    finally:
        standin.terminate()
        standin.wait()
    imports = {name: import_time(name, 9) for name in ("linq_async", "linq", "aiohttp")}
    print(f"import times (median ms): {imports}", flush=True)
    first_calls = first_call_times(args.first_call_pythons, 7)
    print(f"import + first request (median ms): {first_calls}", flush=True)

    raw = {
        "rows": [[c, n, row] for (c, n), row in rows.items()],
        "stream": stream,
        "imports": imports,
        "first_calls": first_calls,
        "args": vars(args),
    }
    (HERE / "last-run.json").write_text(json.dumps(raw, default=str, indent=1))
    report = render(rows, stream, imports, first_calls, args)
    print(report)
    if args.write:
        args.write.write_text(report)
    return 0


def paired_cell(row: dict[str, float]) -> str:
    if "paired" not in row:
        return "-"
    return f"{row['paired']:.2f}x ({row['paired_q1']:.2f}-{row['paired_q3']:.2f})"


def speed_cell(row: dict[str, float]) -> str:
    return f"{row['speed']:.2f}x ({row['speed_q1']:.2f}-{row['speed_q3']:.2f})"


def spread(row: dict[str, float]) -> str:
    return f"{row['cpu_min']:.0f}-{row['cpu_max']:.0f}"


def render(
    rows: dict[tuple[str, int], dict[str, float]],
    stream: dict[str, Any],
    imports: dict[str, float],
    first_calls: dict[str, dict[str, float]],
    args: argparse.Namespace,
) -> str:
    def cpu(client: str, c: int) -> float:
        return rows[(client, c)]["cpu_us"]

    # The goal's figures: medians of the per-round ratios to the bare aiohttp round beside each.
    vs_bare = {c: rows[("linq_async", c)]["paired"] for c in CONCURRENCY}
    batch_vs_bare = {c: rows[("linq_async.add_many", c)]["paired"] for c in BATCH_CONCURRENCY}
    official_x = cpu("linq (official async)", 50) / cpu("linq_async", 50)
    # Wall time per call: the sync goal is speed as the caller sees it.
    sync_speed = {c: rows[("linq_async.SyncLinqClient", c)]["speed"] for c in SYNC_CONCURRENCY}
    rss_growth = (max(stream["rss_kb"].values()) - min(stream["rss_kb"].values())) / 1024
    first = ", ".join(
        f"Python {version}: {row['linq_async']:.0f} ms (official {row['linq']:.0f} ms)"
        for version, row in first_calls.items()
    )
    lines = [
        "# Benchmarks",
        "",
        "Figures from `nox -s bench` (`tests/bench/bench.py`), not assertions: rerun them on your machine.",
        "",
        f"Machine: {machine()}.",
        "",
        "In short, from this run:",
        "",
        "- `linq_async` costs "
        + ", ".join(f"{vs_bare[c]:.2f}x" for c in CONCURRENCY)
        + " the CPU of a bare aiohttp loop per request at concurrency "
        + ", ".join(map(str, CONCURRENCY))
        + " (medians of paired rounds, below)"
        + f", and {official_x:.1f} times less than the official async client at 50.",
        "- `add_many` costs "
        + ", ".join(f"{batch_vs_bare[c]:.2f}x" for c in BATCH_CONCURRENCY)
        + " bare aiohttp at concurrency "
        + ", ".join(map(str, BATCH_CONCURRENCY))
        + ".",
        f"- `SyncLinqClient` calls are {sync_speed[1]:.2f}x as fast as the official sync client's sequentially "
        f"(wall time per call, medians of paired rounds), {sync_speed[10]:.1f}x from 10 threads and "
        f"{sync_speed[50]:.1f}x from 50.",
        f"- `import linq_async` takes {imports['linq_async']:.0f} ms, `import linq` {imports['linq']:.0f} ms; "
        f"import + first completed request: {first}.",
        f"- Streaming {args.stream:,} pairs through `iter_add`, resident memory grows by {rss_growth:.1f} MB from the "
        "first checkpoint to the last.",
        "",
        "Method: one raw-asyncio Linq stand-in on loopback in its own process; every client sends the same "
        "participant additions (spread over 500 chats) at each concurrency, in rounds of "
        f"{args.requests} requests after a warm-up, each client in fresh processes of its own. CPU is the client "
        "process's CPU time (all threads) per request: the median over all rounds, and the lowest and highest "
        "round (the spread). Async clients run `asyncio.gather` under a semaphore (`add_many` runs the batch "
        "engine: `concurrency` workers, and it keeps every outcome); sync clients run sequentially at "
        "concurrency 1 and from a thread pool above.",
        "",
        f"- **Paired rounds** (bare aiohttp, `linq_async`, `add_many`): {args.trials} trials, each starting one "
        f"fresh process per client; once all have warmed up, they run {args.paired_rounds} rounds each in turn "
        "(the order rotates from one set of rounds to the next), so each round of `linq_async` has a round of "
        "bare aiohttp seconds away. *paired vs bare* is the median of those per-round ratios, with their "
        "quartiles: on a shared machine whose speed drifts by tens of percent over a minute, it is the figure "
        "that drift moves least. *vs bare aiohttp* divides the two medians.",
        f"- **The sync clients** are paired the same way, with each other: {args.trials} trials of "
        f"{args.sync_rounds} rounds each in turn. *paired speed* is the median, over those sets, of the official "
        "client's wall time over `SyncLinqClient`'s, with its quartiles.",
        f"- **The official async client**: {args.trials} fresh processes, each running {args.rounds} rounds.",
        "",
        "## Async clients",
        "",
        "| client | concurrency | CPU per request | spread (µs) | vs bare aiohttp | paired vs bare (quartiles) | "
        "vs official async | requests/s | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for client in ASYNC_CLIENTS:
        for c in CONCURRENCY:
            if not runs(client, c):
                continue
            row = rows[(client, c)]
            bare, official = cpu("aiohttp", c), cpu("linq (official async)", c)
            lines.append(
                f"| {client} | {c} | {row['cpu_us']:.0f} µs | {spread(row)} | {ratio(row['cpu_us'], bare)} | "
                f"{paired_cell(row)} | {ratio(row['cpu_us'], official)} | {row['rps']:.0f} | {row['rss_mb']:.0f} MB |"
            )
    lines += [
        "",
        "## Sync clients",
        "",
        "A thread alone in a call runs it on an event loop of its own (no hand-off between threads); threads "
        "calling at the same time share the client's loop thread, which multiplexes their requests.",
        "",
        "| client | threads | wall per call | CPU per request | spread (µs) | requests/s | speed vs official sync "
        "| paired speed (quartiles) | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for client in SYNC_CLIENTS:
        for c in SYNC_CONCURRENCY:
            row = rows[(client, c)]
            official = rows[("linq (official sync)", c)]["wall_us"]
            lines.append(
                f"| {client} | {c} | {row['wall_us']:.0f} µs | {row['cpu_us']:.0f} µs | {spread(row)} | "
                f"{row['rps']:.0f} | {official / row['wall_us']:.2f}x | {speed_cell(row)} | {row['rss_mb']:.0f} MB |"
            )
    rss = {int(k): v / 1024 for k, v in stream["rss_kb"].items()}
    lines += [
        "",
        "## Import time and the first request",
        "",
        "Median of 9 fresh interpreters for the imports, 7 for import + client + first completed request (against "
        "the stand-in), after a first run that compiles the bytecode.",
        "",
        "| module | import time |",
        "|---|---:|",
        *(f"| `import {name}` | {ms:.0f} ms |" for name, ms in imports.items()),
        "",
        "| Python | linq_async: import + first request | linq-python: import + first request |",
        "|---|---:|---:|",
        *(f"| {version} | {row['linq_async']:.0f} ms | {row['linq']:.0f} ms |" for version, row in first_calls.items()),
        "",
        "`import linq_async` imports neither aiohttp, tenacity, cattrs nor any model; they load on first use. "
        "`await client.warm_up()` (or `client.warm_up()` on the sync client) pays all of it at start-up.",
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
