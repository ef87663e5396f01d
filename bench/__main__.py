"""``python -m bench [--quick] [--no-write] [NAME ...]``: run the benchmarks one after another.

Each benchmark runs in its own process (``python -m bench.NAME``), so one's memory, threads and
event loop never disturb the next, and writes its own section of ``bench/RESULTS.md``.  The
quality benchmark (``python -m bench.quality``, extraction quality against the gold corpus) is not
part of this run; it has its own command.

The first run also generates the corpora and builds their digest stores under ``bench/.work/``
(1,000 articles in ``--quick`` mode, 10,000 in full mode); later runs reuse them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from bench.common import PROJECT, log

#: In running order: the build first (it makes the cached stores the others answer from).
BENCHMARKS = (
    "build",
    "archive",
    "latency",
    "throughput",
    "building",
    "broadcast",
    "replies_broadcast",
)
QUICK_BUDGET = 120.0


def write_summary(command: str, seconds: float) -> None:
    """The "Summary" section: every target row of the sections, quick and full, in one table."""
    from bench.results import sections, write_section

    rows = []
    for name, text in sections().items():
        if name == "Summary":
            continue
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            targets = [c for c in cells[1:] if c.endswith(("met", "**missed**"))]
            if line.startswith("|") and targets:
                values = [c for c in cells[1:] if c and c not in targets]
                rows.append(
                    f"| {name} | {cells[0]} | {' · '.join(values)} | {'; '.join(targets)} |"
                )
    body = (
        f"The last run of the suite took {seconds:.0f} s.  Every target of every section below, "
        "as that section measured it (sections marked (quick) come from `--quick`; the "
        "others from the full mode; each section has its own command and date).\n\n"
        "| section | measure | value | target |\n|---|---|---|---|\n" + "\n".join(rows)
    )
    write_section("Summary", command, body, first=True)


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks (all by default); non-zero if any failed."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under 2 minutes)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    flags = [flag for flag, on in (("--quick", args.quick), ("--no-write", args.no_write)) if on]
    failed: list[str] = []
    started = time.monotonic()
    for name in args.names or BENCHMARKS:
        log(f"bench.{name} {' '.join(flags)}")
        begun = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", *flags], cwd=PROJECT, check=False
        )
        log(f"bench.{name}: exit {done.returncode} after {time.monotonic() - begun:.0f} s")
        if done.returncode != 0:
            failed.append(name)
    total = time.monotonic() - started
    log(f"all done in {total:.0f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    if not args.no_write:
        write_summary(" ".join(["uv run python -m bench", *flags, *args.names]), total)
    if args.quick and total > QUICK_BUDGET:
        log(f"note: --quick took longer than {QUICK_BUDGET:.0f} s (first run builds the caches)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
