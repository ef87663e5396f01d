"""Write a benchmark's figures into its own section of ``bench/RESULTS.md``.

Each benchmark owns a section between HTML comment markers, so running one benchmark updates its
figures without touching the others.  Every section records the command, the machine and the date.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Written by the scripts in `bench/`; each section says how it was measured.\n"
)


def machine() -> str:
    """Cores, memory and Python, for the record."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown memory"
    return (
        f"{os.cpu_count()} cores, {memory}, {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, command: str, body: str, *, first: bool = False) -> None:
    """Replace (or add: at the end, or right after the header when ``first``) section ``name``
    of RESULTS.md."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- {name}:start -->\n## {name}\n\n"
        f"Command: `{command}` · machine: {machine()} · date: {stamp}\n\n{body.strip()}\n"
        f"<!-- {name}:end -->"
    )
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(
        rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->", re.DOTALL
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    elif first and "<!-- " in text:
        cut = text.index("<!-- ")
        text = text[:cut] + section + "\n\n" + text[cut:]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def sections() -> dict[str, str]:
    """Every section of RESULTS.md by name, with its text."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    return dict(re.findall(r"<!-- (.+?):start -->\n(.*?)<!-- \1:end -->", text, re.DOTALL))
