"""Deterministic benchmark corpora recombined from real summit articles, and their digest stores.

Article ``i`` is made from the sentences and paragraphs of the gold corpus (``../shared/corpus``,
when present) and the project's seeds: the title, stamp and lead of one *base* article, then
paragraphs drawn from the base and from the other articles until the text reaches about 800 words,
with every year shifted by the same offset (so the dates stay consistent and the archive spreads
over many summits, as a real archive does).  The text of article ``i`` depends only on ``i`` and
the sources, so the first 1,000 articles of the 10,000 corpus *are* the 1,000 corpus.

Everything is cached under ``bench/.work/`` (git-ignored):

* ``corpus/a00000.txt …`` the articles (fixed mtime, so a regenerated file is "unchanged");
* ``sets/nN/`` hard links to the first N articles (a seeds folder of N articles);
* ``stores/nN.sqlite3`` their digests, built once with the process pool (a smaller store is
  derived from a larger one by removing the extra files; digests do not depend on each other).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench.common import PROJECT, WORK, log

SOURCES = (PROJECT.parent / "shared" / "corpus" / "articles", PROJECT / "seeds")
CORPUS = WORK / "corpus"
SETS = WORK / "sets"
STORES = WORK / "stores"
TARGET_WORDS = 800
#: All generated files get this mtime (2025-01-01), so regenerating one changes nothing.
FIXED_MTIME_NS = 1_735_689_600 * 10**9
_YEARS = re.compile(r"\b(19[5-9]\d|20[0-2]\d)\b")
_STAMP = re.compile(
    r"\b(?:\d{1,2} )?(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December) (?:\d{1,2},? )?\d{4}\b"
)


@dataclass(frozen=True, slots=True)
class Source:
    """One real article, cut into what recombination needs."""

    name: str
    title: str
    stamp: str | None
    paragraphs: tuple[str, ...]


def _load_source(path: Path) -> Source | None:
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs = tuple(line for line in lines if len(line.split()) >= 12)
    if not lines or len(paragraphs) < 2:
        return None
    meta_path = path.with_suffix(".meta.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    title = str(meta.get("title") or next(line for line in lines if len(line.split()) >= 4))
    stamp = meta.get("published")
    if stamp is None:
        found = _STAMP.search(text[:800])
        stamp = found.group(0) if found else None
    return Source(path.stem, title, stamp, paragraphs)


@cache
def sources() -> tuple[Source, ...]:
    """The real articles to recombine (gold corpus articles, when present, and the seeds)."""
    found: list[Source] = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            source = _load_source(path)
            if source is not None:
                found.append(source)
    if not found:
        raise RuntimeError(f"no source articles found in {', '.join(map(str, SOURCES))}")
    return tuple(found)


def _shift_years(text: str, delta: int) -> str:
    return _YEARS.sub(lambda m: str(int(m.group(1)) + delta), text) if delta else text


def article_text(index: int) -> str:
    """The text of generated article ``index`` (deterministic)."""
    rng = random.Random(f"summit-briefings-bench:{index}")
    pool = sources()
    base = pool[index % len(pool)]
    delta = -rng.randrange(0, 25)
    lead_count = min(len(base.paragraphs), rng.randint(2, 4))
    body = list(base.paragraphs[:lead_count])
    words = sum(len(p.split()) for p in body)
    candidates = [p for s in pool for p in s.paragraphs if p not in body]
    own = list(base.paragraphs[lead_count:])
    while words < TARGET_WORDS and (own or candidates):
        # Half of the rest from the base article (so it stays about its summit), half mixed in.
        source = own if own and rng.random() < 0.5 else candidates
        paragraph = source.pop(rng.randrange(len(source)))
        if paragraph in body:
            continue
        body.append(paragraph)
        words += len(paragraph.split())
    header = [base.title]
    if base.stamp:
        header.append(f"Published: {base.stamp}")
    return _shift_years("\n\n".join(header + body), delta) + "\n"


def file_name(index: int) -> str:
    """File name of generated article ``index``."""
    return f"a{index:05d}.txt"


def ensure_articles(indices: Iterable[int]) -> Path:
    """``bench/.work/corpus`` holding (at least) the generated articles ``indices``."""
    CORPUS.mkdir(parents=True, exist_ok=True)
    for index in indices:
        path = CORPUS / file_name(index)
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(article_text(index), encoding="utf-8")
            os.utime(tmp, ns=(FIXED_MTIME_NS, FIXED_MTIME_NS))
            tmp.replace(path)
    return CORPUS


def ensure_corpus(count: int) -> Path:
    """``bench/.work/corpus`` holding at least articles ``0 .. count-1``."""
    return ensure_articles(range(count))


def seeds_set(count: int) -> Path:
    """A seeds folder of exactly the first ``count`` generated articles (hard links)."""
    ensure_corpus(count)
    folder = SETS / f"n{count}"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {file_name(i) for i in range(count)}
    for extra in {p.name for p in folder.iterdir()} - wanted:
        (folder / extra).unlink()
    for name in wanted:
        link = folder / name
        if not link.exists():
            os.link(CORPUS / name, link)
    return folder


def words_per_article(count: int = 50) -> float:
    """Mean word count of the first ``count`` generated articles."""
    return sum(len(article_text(i).split()) for i in range(count)) / count


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """A built store of the first ``count`` articles and how it was made."""

    count: int
    seeds: Path
    path: Path
    built: int
    build_seconds: float
    cached: bool


def ensure_store(count: int) -> StoreInfo:
    """The digest store of the first ``count`` articles, built (with the pool) if not cached.

    Starts from the nearest cached store: a larger one is copied and pruned, a smaller one is
    copied and the missing articles are built into it.  ``built``/``build_seconds`` say what
    this call had to build (0 when it came from the cache).
    """
    from briefings.pipeline import build
    from briefings.store.digests import DigestStore

    seeds = seeds_set(count)
    STORES.mkdir(parents=True, exist_ok=True)
    path = STORES / f"n{count}.sqlite3"
    if not path.exists():
        cached = sorted(
            (int(p.stem[1:]) for p in STORES.glob("n*.sqlite3") if p.stem[1:].isdigit()),
            key=lambda n: (n < count, abs(n - count)),
        )
        if cached:
            _copy_store(STORES / f"n{cached[0]}.sqlite3", path)
    started = time.perf_counter()
    with DigestStore(path) as store:
        report = build(seeds, store)  # its own process pool (one worker per core) when needed
    seconds = time.perf_counter() - started
    if report.errors:
        log(f"warning: {len(report.errors)} generated article(s) failed: {report.errors[:3]}")
    built = len(report.built)
    if built:
        log(f"built {built} digests for n={count} in {seconds:.1f}s")
        history = {
            "built": built,
            "seconds": round(seconds, 1),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "workers": min(built, os.cpu_count() or 1),
        }
        path.with_suffix(".json").write_text(json.dumps(history), encoding="utf-8")
    return StoreInfo(count, seeds, path, built, seconds, cached=built == 0)


def build_history(count: int) -> dict[str, object] | None:
    """How the cached store of ``count`` articles was last built (digests built, seconds, date,
    pool workers), as recorded by :func:`ensure_store`."""
    path = STORES / f"n{count}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _copy_store(source: Path, target: Path) -> None:
    """Copy a store (and its WAL, if any) so the copy opens with the same content."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def copy_store(info: StoreInfo, target_dir: Path) -> Path:
    """A private copy of a cached store (``digests.sqlite3`` in ``target_dir``)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / "digests.sqlite3"
    for stale in (target, *(target.with_name(target.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    _copy_store(info.path, target)
    return target


def copy_seeds(info: StoreInfo, target: Path) -> Path:
    """A private seeds folder with the store's articles (hard links keep size and mtime)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in info.seeds.iterdir():
        os.link(path, target / path.name)
    return target


def drop_new_seeds(seeds: Path, first: int, count: int) -> list[str]:
    """Copy generated articles ``first .. first+count-1`` into ``seeds`` as new files, the way a
    user drops them in (written under a ``.tmp`` name, then renamed); returns their names."""
    ensure_articles(range(first, first + count))
    names = []
    for index in range(first, first + count):
        name = file_name(index)
        tmp = seeds / f"{name}.tmp"
        shutil.copyfile(CORPUS / name, tmp)
        tmp.replace(seeds / name)
        names.append(name)
    return names
