"""The list of sources: ``SOURCES_FILE`` (one URL per line, ``#`` comments, optional label)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


class SourceError(ValueError):
    """A source line or a ``/source`` argument that cannot be followed (message is for people)."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source as configured: its URL and an optional label shown instead of the host."""

    url: str
    label: str = ""

    @property
    def name(self) -> str:
        """What people see: the label, or the host."""
        return self.label or (urlsplit(self.url).hostname or self.url)


def check_url(url: str) -> str:
    """The URL if it can be fetched (http or https with a host).

    Raises:
        SourceError: anything else, with the reason.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not a web address (http:// or https://): {url[:200]!r}")
    if len(url) > 2000:
        raise SourceError("the address is longer than 2000 characters")
    return url.strip()


def parse_line(line: str) -> SourceSpec | None:
    """One line of the sources file: ``URL [label words]``; None for blanks and comments.

    Raises:
        SourceError: the line's first word is not a web address.
    """
    text = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
    if not text:
        return None
    url, _, label = text.partition(" ")
    return SourceSpec(check_url(url), " ".join(label.split())[:80])


def read_sources_file(path: Path) -> list[SourceSpec]:
    """Every valid source of the file, in order, each URL once; bad lines are logged, skipped.

    A missing file is an empty list (sources may also be added in the chat).
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("cannot read sources file %s: %s", path, exc)
        return []
    found: dict[str, SourceSpec] = {}
    for number, line in enumerate(text.splitlines(), 1):
        try:
            spec = parse_line(line)
        except SourceError as exc:
            log.warning("%s line %d skipped: %s", path, number, exc)
            continue
        if spec is not None and spec.url not in found:
            found[spec.url] = spec
    return list(found.values())
