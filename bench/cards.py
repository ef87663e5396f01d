"""Summit cards against the hand-annotated gold in ``bench/cards_gold.json``.

Exports the corpus with the real CLI, finds each gold summit's card (the exported summit that
holds its files) and scores every line shown:

* meeting: right when the organisation is the gold one and any city or month it shows is too;
* participant: right when the person (by last name) is one the text places at the meeting;
* outcome / next: right when its sentence holds one of the gold evidence phrases of that kind.

Precision = right lines / lines shown; recall = gold items found / gold items (the meeting
counts as one item).  ``verify_gold`` checks that every evidence phrase and name is in its
article, so the gold cannot drift from the texts.

    uv run python -m bench.cards [--no-write]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.quality import CORPUS, export
from bench.results import write_section

GOLD = Path(__file__).resolve().parent / "cards_gold.json"
_MONTHS = "January February March April May June July August September October November December"


def verify_gold(gold: dict[str, Any], articles: Path) -> list[str]:
    """Evidence phrases and names of the gold that are not in their articles (none expected)."""
    missing = []
    for summit in gold["summits"]:
        text = "\n".join((articles / f).read_text(encoding="utf-8") for f in summit["files"])
        for phrase in [*summit["outcomes"], *summit["next"], *summit["participants"]]:
            if phrase not in text:
                missing.append(f"{summit['files'][0]}: {phrase}")
    return missing


def _month_label(month: str) -> str:
    return f"{_MONTHS.split()[int(month[5:7]) - 1]} {month[:4]}"


def _meeting_right(text: str, meeting: dict[str, str]) -> bool:
    if meeting["organization"].lower() not in text.lower():
        return False
    shown_months = re.findall(rf"\b(?:{'|'.join(_MONTHS.split())}) \d{{4}}\b", text)
    if shown_months and shown_months != [_month_label(meeting["month"])]:
        return False
    head = text.split(" (which meeting")[0]
    parts = [p.strip() for p in head.split(",")[1:]]
    cities = [p for p in parts if not re.search(r"\d{4}", p)]
    return all(c.lower() == meeting["city"].lower() for c in cities)


def score_card(card: list[dict[str, str]], summit: dict[str, Any]) -> tuple[int, int, int, int]:
    """(lines right, lines shown, gold items found, gold items) of one card."""
    last_names = {p.split()[-1].lower(): p for p in summit["participants"]}
    right = 0
    found: set[str] = set()
    for line in card:
        kind, text, evidence = line["kind"], line["text"], line["evidence"]
        if kind == "meeting":
            ok = _meeting_right(text, summit["meeting"])
            found |= {"meeting"} if ok else set()
        elif kind == "participant":
            last = text.split(" (")[0].split()[-1].lower()
            ok = last in last_names
            found |= {f"p:{last}"} if ok else set()
        else:
            phrases = summit["outcomes" if kind == "outcome" else "next"]
            hits = [p for p in phrases if p in evidence]
            ok = bool(hits)
            found |= {f"{kind}:{p}" for p in hits}
        right += ok
    total = 1 + len(summit["participants"]) + len(summit["outcomes"]) + len(summit["next"])
    return right, len(card), len(found), total


def main() -> int:
    """Export the corpus, score every gold summit's card, print and record the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    articles = CORPUS / "articles"
    missing = verify_gold(gold, articles)
    if missing:
        print("gold evidence not in its article:\n" + "\n".join(missing), file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        document = export(articles, Path(tmp) / "data")
    summits: list[dict[str, Any]] = document["summits"]  # type: ignore[assignment]
    by_file = {f: s for s in summits for f in s["files"]}
    rows, totals = [], [0, 0, 0, 0]
    for summit in gold["summits"]:
        exported = by_file.get(summit["files"][0], {})
        figures = score_card(exported.get("card", []), summit)
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        rows.append(
            f"| {summit['files'][0]} | {figures[0]}/{figures[1]} | {figures[2]}/{figures[3]} |"
        )
    precision = totals[0] / max(1, totals[1])
    recall = totals[2] / max(1, totals[3])
    print("\n".join(rows))
    print(f"card_precision={precision:.2f} card_recall={recall:.2f} summits={len(rows)}")
    if not args.no_write:
        body = (
            f"Gold: `bench/cards_gold.json` ({len(rows)} summits, annotated by hand from the "
            "texts; every evidence phrase checked to be in its article).\n\n"
            f"**card precision {precision:.2f}** (lines right / lines shown: {totals[0]}/"
            f"{totals[1]}), **card recall {recall:.2f}** (gold items found: {totals[2]}/"
            f"{totals[3]}).\n\n| summit | right/shown | found/gold |\n|---|---|---|\n"
            + "\n".join(rows)
        )
        write_section("Summit cards", "uv run python -m bench.cards", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
