"""Where a page's time goes: cProfile over repeated requests to one URL.

    python bench/profile_page.py /caseview/list/                      # bench-100000.db
    python bench/profile_page.py /caseview/list/ --cases 1000000 --sort tottime --top 40
    python bench/profile_page.py /caseview/show/5 --db postgresql+psycopg://postgres@127.0.0.1:5432/bench

Uses a database seeded by ``bench/run.py`` (same user, same app settings) and
prints the hottest functions. A profile says where to look; ``bench/run.py``
says whether a change helped.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.run import PASSWORD, RESULTS, build_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: the SQLite bench database)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--top", type=int, default=50)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{RESULTS}/bench-{args.cases}.db"
    app = build_app(url)
    client = app.test_client()
    client.post("/login/", data={"username": "bench-admin", "password": PASSWORD})
    for _ in range(3):
        status = client.get(args.url).status_code
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for _ in range(args.repeat):
        client.get(args.url).get_data()
    profiler.disable()
    elapsed = (time.perf_counter() - t0) * 1000 / args.repeat
    print(f"{args.url}: HTTP {status}, {elapsed:.1f} ms per request under the profiler")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
