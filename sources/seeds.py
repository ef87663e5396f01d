"""Articles → seed files: Markdown with YAML front matter, named stably from the URL.

The front matter carries the article's own metadata (title, url, source, published, fetched);
the engine reads it (``briefings/ingest.py``), and the seeds watcher digests and announces the
file like any other.  Values are written as JSON strings, which are valid YAML double-quoted
scalars, so no title, however odd, breaks the block.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from sources.parse import Article

_SPACE = re.compile(r"\s+")


def normalized(text: str) -> str:
    """Lower-case words only: what two copies of one text have in common, whatever the spacing
    or the punctuation's typography."""
    return _SPACE.sub(" ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def content_hash(article: Article) -> str:
    """Hash of the title and the text (normalized): the same article re-published under a new
    GUID or at a new URL has the same hash; an edit changes it."""
    body = normalized(article.title) + "\n" + normalized(article.text)
    return hashlib.sha256(body.encode()).hexdigest()


#: MinHash: ``BANDS`` bands of ``ROWS`` hashes.  Two texts sharing half their word 3-shingles
#: meet in some band 3 times in 4, sharing 70 % almost always; unrelated texts rarely do.
BANDS, ROWS = 10, 3
_PRIME = (1 << 61) - 1
_SALTS = [
    (int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=8).digest()) % _PRIME | 1,
     int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=8).digest()) % _PRIME)
    for i in range(BANDS * ROWS)
]  # fmt: skip


def fingerprint(text: str) -> list[int] | None:
    """MinHash signature of the word 3-shingles; None for texts too short to tell copies apart.

    Wire copies of one story differ by a headline, a byline, a sentence: most of their shingles
    are the same, so most signature values are; different articles share almost none.
    """
    words = normalized(text).split()
    if len(words) < 40:
        return None
    shingles = {
        int.from_bytes(
            hashlib.blake2b(" ".join(words[i : i + 3]).encode(), digest_size=8).digest()
        )
        for i in range(len(words) - 2)
    }
    return [min((a * x + b) % _PRIME for x in shingles) for a, b in _SALTS]


def bands(signature: list[int]) -> list[str]:
    """The signature's bands, each hashed to a short key (an index lookup finds candidates)."""
    return [
        hashlib.blake2b(
            repr(signature[i * ROWS : (i + 1) * ROWS]).encode(), digest_size=6
        ).hexdigest()
        for i in range(BANDS)
    ]


def similarity(one: list[int], other: list[int]) -> float:
    """Estimated share of shingles two texts have in common (Jaccard), from their signatures."""
    return sum(a == b for a, b in zip(one, other, strict=True)) / len(one)


def encode_signature(signature: list[int]) -> str:
    """The signature as stored."""
    return ",".join(f"{v:x}" for v in signature)


def decode_signature(value: str) -> list[int]:
    """A stored signature."""
    return [int(v, 16) for v in value.split(",")]


def render_seed(article: Article, fetched: dt.datetime, url: str) -> str:
    """The seed file's text: front matter, then the article's paragraphs."""
    fields = {
        "title": article.title,
        "url": url,
        "source": article.source,
        "published": article.published,
        "fetched": fetched.astimezone(dt.UTC).isoformat(timespec="seconds"),
    }
    lines = ["---"]
    for key, value in fields.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False) if value else 'null'}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + article.text.strip() + "\n"


def write_seed(seeds_dir: Path, name: str, text: str) -> bool:
    """Write ``name`` atomically (a hidden temporary file renamed over it, so the watcher never
    sees half a file); False when the file already holds this text."""
    path = seeds_dir / name
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    seeds_dir.mkdir(parents=True, exist_ok=True)
    temporary = seeds_dir / f".{name}.tmp"
    temporary.write_bytes(data)
    temporary.replace(path)
    return True
