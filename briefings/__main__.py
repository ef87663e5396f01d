"""The engine's command line: ``python -m briefings build | show FILE | export [SEEDS_DIR]``,
and, with a PostgreSQL ``DATABASE_URL``, ``worker | enqueue`` (builders on other machines)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from briefings.config import EngineSettings
from briefings.library import Library
from briefings.pipeline import BuildReport, build, plan_build, scan_seeds
from briefings.render_text import render_digest
from briefings.store import DigestStore, open_store
from briefings.store.location import StoreUnavailableError
from briefings.store_health import check_store, damage_reason, recover
from briefings.summits.claims import find_disagreements

log = logging.getLogger("briefings")


HELP_DESCRIPTION = """\
Summit Briefings engine: turn news articles about summits (.txt, .md, .html files) into
digests (summary, quotes with speakers, dated timeline, people, places, organisations) and
keep them in DATA_DIR, where the bot reads them."""

HELP_EPILOG = """\
environment variables:
  SEEDS_DIR               folder of article files, default ./seeds
  DATA_DIR                where digests are stored, default ./data
  DATABASE_URL            postgresql://... keeps the digests in that database instead
  BRIEFINGS_SPACY_MODEL   spaCy model package for people, places and organisations
  DATABASE_URL            postgresql://… the build queue of "worker" and "enqueue"
  BUILD_FILE_TIMEOUT_SECONDS, BUILD_LEASE_SECONDS, BUILD_MAX_ATTEMPTS   builders' limits

examples:
  python -m briefings build
  python -m briefings show 002_ae500b144d0d54b5.txt
  python -m briefings export ../shared/corpus/articles > digests.json
  DATABASE_URL=postgresql://briefings@db/briefings python -m briefings worker

Run "python -m briefings COMMAND --help" for a command's options."""


def _build(seeds_dir: Path, store: DigestStore, show_progress: bool) -> BuildReport:
    todo, _ = plan_build(scan_seeds(seeds_dir), store.file_states())
    if show_progress and len(todo) > 20:
        from tqdm import tqdm

        with tqdm(total=len(todo), unit="file", desc="digesting", file=sys.stderr) as bar:
            return build(seeds_dir, store, progress=bar.update)
    return build(seeds_dir, store)


def cmd_build(settings: EngineSettings, args: argparse.Namespace) -> int:
    """Build the digests of new and changed seeds."""
    seeds_dir = args.seeds_dir or settings.seeds_dir
    with open_store(settings, seeds_dir) as store:
        report = _build(seeds_dir, store, show_progress=not args.quiet)
    print(
        f"built {len(report.built)}, unchanged {report.unchanged}, removed {len(report.removed)}, "
        f"errors {len(report.errors)}"
    )
    for error in report.errors:
        print(f"  error: {error.file}: {error.error}")
    return 0


def cmd_show(settings: EngineSettings, args: argparse.Namespace) -> int:
    """Print one article's digest in readable form."""
    seeds_dir = args.seeds_dir or settings.seeds_dir
    name = Path(args.file).name if Path(args.file).parent == Path() else args.file
    candidate = Path(args.file)
    if candidate.exists() and candidate.resolve().is_relative_to(seeds_dir.resolve()):
        name = candidate.resolve().relative_to(seeds_dir.resolve()).as_posix()
    with open_store(settings, seeds_dir) as store:
        _build(seeds_dir, store, show_progress=False)
        digest = store.digest(name)
        if digest is None:
            error = next((e for e in store.errors() if e.file == name), None)
            reason = error.error if error else "no such seed file"
            print(f"{name}: {reason}", file=sys.stderr)
            return 1
    print(render_digest(digest))
    return 0


def export_document(library: Library) -> dict[str, Any]:
    """The export JSON (a contract other tools rely on: add fields, never rename)."""
    articles = []
    for digest in library.store.digests():  # the whole archive: read once, in file order
        articles.append(
            {
                "file": digest.file,
                "id": digest.article_id,
                "title": digest.meta.title,
                "source": digest.meta.source,
                "author": digest.meta.author,
                "published": digest.meta.published,
                "published_time": digest.meta.published_time,
                "timezone": digest.meta.timezone,
                "summit": digest.summit,
                "summary": list(digest.summary),
                "quotes": [
                    {"speaker": q.speaker, "text": q.text, "kind": q.kind} for q in digest.quotes
                ],
                "timeline": [
                    {"date": t.date, "event": t.event, "evidence": t.evidence}
                    for t in digest.timeline
                ],
                "unresolved_dates": [
                    {"evidence": u.evidence, "reason": u.reason} for u in digest.unresolved_dates
                ],
                "entities": {
                    "people": list(digest.entities.people),
                    "places": list(digest.entities.places),
                    "organizations": list(digest.entities.organizations),
                },
            }
        )
    summits = [
        {
            "name": s.name,
            "key": s.key,
            "files": list(s.files),
            "conflicts": [
                {
                    "topic": c.topic,
                    "claims": [
                        {"value": cl.value, "file": cl.file, "evidence": cl.evidence}
                        for cl in c.claims
                    ],
                }
                for c in s.conflicts
            ],
            "timeline": [
                {"date": e.date, "event": e.event, "files": list(e.files), "disputed": e.disputed}
                for e in s.timeline
            ],
            "card": list(s.extra.get("card", [])),
        }
        for s in (library.summit(head.key) for head in library.summits)
        if s is not None
    ]
    errors = [{"file": e.file, "error": e.error} for e in library.errors]
    return {"articles": articles, "summits": summits, "errors": errors, "claims": _claims(library)}


def _claims(library: Library) -> list[dict[str, Any]]:
    """Every checkable claim of the archive; ``disputed`` when another source disagrees."""
    claims = library.store.claims()
    disputed = {
        (claim.file, claim.evidence)
        for conflict in find_disagreements(claims)
        for claim in conflict.claims
    }
    return [
        {
            "subject": c.subject,
            "attribute": c.attribute,
            "value": c.value,
            "file": c.file,
            "sentence": c.sentence,
            "disputed": (c.file, c.sentence) in disputed,
        }
        for c in claims
    ]


def cmd_export(settings: EngineSettings, args: argparse.Namespace) -> int:
    """Build, then print every digest, summit and error as JSON on stdout."""
    seeds_dir = Path(args.seeds_dir) if args.seeds_dir else settings.seeds_dir
    if not seeds_dir.is_dir():
        print(f"not a folder: {seeds_dir}", file=sys.stderr)
        return 2
    with open_store(settings, seeds_dir) as store:
        _build(seeds_dir, store, show_progress=False)
        document = export_document(Library.load(store))
    json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _queue_url(settings: EngineSettings) -> str | None:
    """``DATABASE_URL`` when it names PostgreSQL (the queue's home); None after saying why."""
    from briefings.build_queue import queue_url

    url = queue_url(settings.database_url)
    if url is None:
        print(
            "the build queue lives in PostgreSQL: set DATABASE_URL=postgresql://user@host/db"
            + (" (it is not a PostgreSQL URL)" if settings.database_url else " (it is not set)"),
            file=sys.stderr,
        )
    return url


def cmd_worker(settings: EngineSettings, args: argparse.Namespace) -> int:
    """Claim build jobs from the queue and digest them until SIGTERM."""
    import psycopg

    from briefings.build_worker import run_worker
    from briefings.store.location import StoreUnavailableError

    url = _queue_url(settings)
    if url is None:
        return 2
    try:
        return run_worker(settings, url, until_empty=args.until_empty)
    except (psycopg.OperationalError, StoreUnavailableError) as exc:
        # The queue and the digest store are one database: whichever is opened first says so.
        print(f"cannot reach the build queue: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1


def cmd_enqueue(settings: EngineSettings, args: argparse.Namespace) -> int:
    """Queue the given seeds, or every new and changed one, for the builders."""
    import psycopg

    from briefings import build_queue
    from briefings.store import open_store
    from briefings.store.location import StoreUnavailableError

    url = _queue_url(settings)
    if url is None:
        return 2
    try:
        with build_queue.connect(url) as conn:
            if args.files:
                report = build_queue.enqueue(conn, settings.seeds_dir, args.files)
            else:
                with open_store(settings) as store:
                    report = build_queue.enqueue_changed(conn, settings.seeds_dir, store)
            failed = build_queue.failed_jobs(conn)
    except (psycopg.OperationalError, StoreUnavailableError) as exc:
        print(f"cannot reach the build queue: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    print(
        f"queued {len(report.queued)}, already queued or built {report.known}, "
        f"unreadable {len(report.unreadable)}, failed jobs {len(failed)}"
    )
    for name, error in report.unreadable:
        print(f"  unreadable: {name}: {error}")
    for name, error in failed:
        print(f"  failed: {name}: {error}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m briefings``."""
    parser = argparse.ArgumentParser(
        prog="python -m briefings",
        description=HELP_DESCRIPTION,
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_build = sub.add_parser(
        "build",
        help="digest the new and changed articles of the seeds folder",
        description="Digest the new and changed articles of the seeds folder into DATA_DIR "
        "(unchanged files are skipped; unreadable ones are listed with the reason).",
    )
    p_build.add_argument(
        "--seeds-dir", type=Path, default=None, help="folder of articles (default: SEEDS_DIR)"
    )
    p_build.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p_show = sub.add_parser(
        "show",
        help="print one article's digest in readable form",
        description="Print one article's digest in readable form (built first if needed).",
    )
    p_show.add_argument("file", help="the article's file name, or its path in the seeds folder")
    p_show.add_argument(
        "--seeds-dir", type=Path, default=None, help="folder of articles (default: SEEDS_DIR)"
    )
    p_export = sub.add_parser(
        "export",
        help="print every digest, summit and error of a folder as JSON",
        description="Build, then print {articles, summits, errors} as JSON on stdout.",
    )
    p_export.add_argument(
        "seeds_dir", nargs="?", default=None, help="folder of articles (default: SEEDS_DIR)"
    )
    p_worker = sub.add_parser(
        "worker",
        help="be a builder: digest the jobs of the build queue (DATABASE_URL) until stopped",
        description="Claim build jobs from the queue in PostgreSQL (DATABASE_URL), digest the "
        "seeds they name (SEEDS_DIR) and write the digests to the store, one file at a time, "
        "until SIGTERM. Start as many as you like, on any machine that reaches the database "
        "and the seeds: each file is built once; a builder that dies loses nothing.",
    )
    p_worker.add_argument(
        "--until-empty", action="store_true", help="exit when no job is left to claim"
    )
    p_enqueue = sub.add_parser(
        "enqueue",
        help="queue new and changed seeds (or the FILES given) for the builders",
        description="Queue seeds for the builders: the FILES given (names in SEEDS_DIR), or "
        "every new and changed seed (the digests of removed files are dropped). A file whose "
        "content is queued or built already is not queued again. Lists the jobs that failed, "
        "with their errors.",
    )
    p_enqueue.add_argument("files", nargs="*", help="seed file names (default: what changed)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    settings = EngineSettings()
    commands = {
        "build": cmd_build,
        "show": cmd_show,
        "export": cmd_export,
        "worker": cmd_worker,
        "enqueue": cmd_enqueue,
    }
    seeds_dir = getattr(args, "seeds_dir", None)
    location = settings.store_location(Path(seeds_dir) if seeds_dir else settings.seeds_dir)
    if not isinstance(location, Path):  # PostgreSQL: no file to check or set aside
        try:
            return commands[args.command](settings, args)
        except StoreUnavailableError as exc:
            print(exc, file=sys.stderr)
            return 1
    # A damaged store (SQLite's check now, or a row that fails while the command reads it) is
    # set aside with one line saying so, and the command runs again on a store rebuilt from
    # the seeds.
    reason = check_store(location)
    if reason is not None:
        _set_aside_for_cli(location, reason)
    try:
        return commands[args.command](settings, args)
    except Exception as exc:
        reason = damage_reason(exc)
        if reason is None:
            raise
    _set_aside_for_cli(location, reason)
    return commands[args.command](settings, args)


def _set_aside_for_cli(path: Path, reason: str) -> None:
    """Set the damaged store aside; :func:`recover` logs the one line that says so."""
    try:
        recover(path, reason)
    except OSError:
        raise SystemExit(1) from None  # recover() said what to do by hand


if __name__ == "__main__":
    raise SystemExit(main())
