"""A/B timing of two versions of the portal on the same database, interleaved.

    python bench/ab.py --rev b23e66e /caseview/list/ /centreview/list/
    python bench/ab.py --rev HEAD~3 --rounds 40 --db postgresql+psycopg://postgres@127.0.0.1:5432/bench /

On a shared virtual machine the speed drifts by 2x within minutes (see
README.md), so two benchmark runs made one after the other compare the
machine, not the code. Here each version runs in its own process (a git
worktree of ``--rev`` beside this checkout, sharing its virtualenv and
``bench/results``), both already warm, and the driver sends them the same
request in turn, alternating which goes first: drift hits both alike. It
prints the median of each and the ratio new/old.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(root: str, db: str | None) -> None:
    """Serve ``URL`` lines from stdin with the app of ``root``; answer timings."""
    sys.path.insert(0, root)
    os.chdir(root)
    from bench.run import PASSWORD, RESULTS, build_app

    app = build_app(db or f"sqlite:///{RESULTS}/bench-1000000.db")
    client = app.test_client()
    client.post("/login/", data={"username": "bench-admin", "password": PASSWORD})
    print("ready", flush=True)
    for line in sys.stdin:
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(line.strip())
        response.get_data()
        print(
            json.dumps(
                [
                    (time.perf_counter() - t0) * 1000,
                    (time.process_time() - c0) * 1000,
                    response.status_code,
                ]
            ),
            flush=True,
        )


def checkout(rev: str) -> str:
    """A worktree of ``rev`` that uses this checkout's virtualenv and databases."""
    sha = subprocess.check_output(
        ["git", "-C", ROOT, "rev-parse", "--short", rev], text=True
    ).strip()
    path = os.path.join(tempfile.gettempdir(), f"opora-ab-{sha}")
    if not os.path.exists(path):
        subprocess.check_call(["git", "-C", ROOT, "worktree", "add", "--detach", path, sha])
        os.symlink(os.path.join(ROOT, ".venv"), os.path.join(path, ".venv"))
        results = os.path.join(path, "bench", "results")
        if not os.path.exists(results):
            os.symlink(os.path.join(ROOT, "bench", "results"), results)
        # The compiled catalogue is not in git: without it the old version
        # would render English (other strings, other timings).
        subprocess.check_call(
            [
                sys.executable,
                "-c",
                "from app.common.catalogue import compile_catalogue; compile_catalogue()",
            ],
            cwd=path,
        )
    return path


def spawn(root: str, db: str | None):
    args = [sys.executable, os.path.abspath(__file__), "--worker", root]
    if db:
        args += ["--db", db]
    process = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the app in {root} did not start")
    return process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--rev", help="the old version (a git revision)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--db", help="database URL (default: the SQLite bench database)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.db)
        return 0
    if not args.rev or not args.urls:
        parser.error("give --rev and at least one URL")
    old, new = spawn(checkout(args.rev), args.db), spawn(ROOT, args.db)

    def ask(process, url):
        process.stdin.write(url + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    print(
        f"{'page':58} {'old ms':>7} {'new ms':>7} {'new/old':>7} {'old CPU':>7} {'new CPU':>7} HTTP"
    )
    try:
        for url in args.urls:
            for _ in range(3):  # warm-up: templates, caches
                ask(old, url), ask(new, url)
            a, b = [], []
            for i in range(args.rounds):
                if i % 2:
                    b.append(ask(new, url))
                    a.append(ask(old, url))
                else:
                    a.append(ask(old, url))
                    b.append(ask(new, url))
            ma, mb = (statistics.median(x[0] for x in s) for s in (a, b))
            ca, cb = (statistics.median(x[1] for x in s) for s in (a, b))
            print(
                f"{url[:58]:58} {ma:7.2f} {mb:7.2f} {mb / ma:7.2f} {ca:7.2f} {cb:7.2f} "
                f"{a[-1][2]}/{b[-1][2]}",
                flush=True,
            )
    finally:
        old.kill()
        new.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
