"""What an open pushed-tail stream keeps in Python objects, by tracemalloc (loopback only).

    python -m benchmarks.stream_memory [--streams 300]

``benchmarks/pairs/tail.py`` reports the worker's RSS per idle stream; this says how much
of it is live Python objects. It serves the throwaway console of ``benchmarks/tail.py``
with uvicorn in this process, opens one stream to warm up, then ``--streams`` more as an
EventSource opens them, and compares tracemalloc snapshots taken before and 3 s after
(the client's own objects, in the same process, are counted too: an upper bound).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote

from benchmarks import tail as probe


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=300)
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="auditconsole-stream-memory-"))
    try:
        log = probe.Log(directory / "bench.log")
        for _ in range(20):
            log.write()
        _env, session = probe.setup(directory, log)
        import uvicorn

        port = probe.free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                "project.asgi:application",
                host="127.0.0.1",
                port=port,
                log_level="warning",
                access_log=False,
            )
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.1)
        token = probe.start_token(f"http://127.0.0.1:{port}", session)
        path = f"/audit/tail/{probe.KEY}/stream/?cursor={quote(token)}"

        async def run() -> None:
            _, writer = await probe.open_stream(port, path, session)  # warm-up
            writer.close()
            await asyncio.sleep(1)
            tracemalloc.start(10)
            before = tracemalloc.take_snapshot()
            opened = await asyncio.gather(
                *(probe.open_stream(port, path, session) for _ in range(args.streams))
            )
            await asyncio.sleep(3)
            stats = tracemalloc.take_snapshot().compare_to(before, "filename")
            total = sum(stat.size_diff for stat in stats)
            print(f"Python objects per open stream: {total / args.streams / 1024:.1f} KB")
            for stat in stats[:10]:
                print(
                    f"  {stat.size_diff / args.streams / 1024:6.2f} KB  {stat.traceback[0].filename}"
                )
            for _, writer in opened:
                writer.close()

        asyncio.run(run())
        server.should_exit = True
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
