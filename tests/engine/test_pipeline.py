"""Incremental builds: only new or changed seeds are digested; bad files never stop a build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from briefings import pipeline
from briefings.pipeline import build, scan_seeds
from briefings.store import digests as store_module
from briefings.store.digests import DigestStore

SEED_002 = "002_ae500b144d0d54b5.txt"


@pytest.fixture
def seeds(tmp_path: Path, seeds_dir: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir, folder)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> DigestStore:
    with DigestStore(tmp_path / "data" / "digests.sqlite3") as opened:
        yield opened


def test_second_build_rebuilds_nothing(seeds: Path, store: DigestStore) -> None:
    first = build(seeds, store)
    assert sorted(first.built) == sorted(p.name for p in seeds.iterdir())
    second = build(seeds, store)
    assert second.built == [] and second.unchanged == 2 and not second.changed


def test_changed_new_and_removed_files(seeds: Path, store: DigestStore) -> None:
    build(seeds, store)
    target = seeds / SEED_002
    target.write_text(
        target.read_text(encoding="utf-8") + "\nLeaders also met on Friday.\n", encoding="utf-8"
    )
    (seeds / "new.md").write_text("# New summit\n\nLeaders met in Baku and agreed on trade.\n")
    (seeds / "000_828d40792933caee.txt").unlink()
    report = build(seeds, store)
    assert sorted(report.built) == ["002_ae500b144d0d54b5.txt", "new.md"]
    assert report.removed == ["000_828d40792933caee.txt"]
    assert {d.file for d in store.digests()} == {SEED_002, "new.md"}


def test_touching_a_file_without_changing_it_does_not_rebuild(
    seeds: Path, store: DigestStore
) -> None:
    build(seeds, store)
    os.utime(seeds / SEED_002, ns=(1, 1))
    report = build(seeds, store)
    assert report.built == [] and report.unchanged == 2
    assert build(seeds, store).unchanged == 2  # the new stat was remembered


def test_format_version_change_triggers_rebuild(
    seeds: Path, store: DigestStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(seeds, store)
    monkeypatch.setattr(pipeline, "DIGEST_FORMAT_VERSION", 999)
    monkeypatch.setattr(store_module, "DIGEST_FORMAT_VERSION", 999)
    assert len(build(seeds, store).built) == 2


def test_bad_files_are_reported_and_good_ones_still_built(seeds: Path, store: DigestStore) -> None:
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (seeds / "latin1.txt").write_bytes(
        "Leaders met in Bogot\xe1 on Monday and agreed to cooperate.\n".encode("latin-1")
    )
    (seeds / "nosentences.txt").write_text("Subscribe\nLoading...\n")
    with (seeds / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (seeds / "page.html").write_text(
        "<html><head><script>alert('x')</script><title>Summit</title></head><body>"
        "<p>Leaders met in Baku on Tuesday and agreed to expand trade.</p></body></html>"
    )
    report = build(seeds, store)
    failed = {e.file: e.error for e in report.errors}
    assert set(failed) == {"empty.txt", "binary.txt", "nosentences.txt", "huge.txt"}
    assert "too large" in failed["huge.txt"]
    assert all(failed.values())
    built = {d.file for d in store.digests()}
    assert {SEED_002, "latin1.txt", "page.html"} <= built
    assert "alert" not in " ".join(store.digest("page.html").paragraphs)  # type: ignore[union-attr]
    # Unchanged bad files are not retried; a fixed one is.
    again = build(seeds, store)
    assert again.built == [] and {e.file for e in store.errors()} == set(failed)
    (seeds / "empty.txt").write_text("Leaders met in Sochi and signed a declaration.\n")
    assert build(seeds, store).built == ["empty.txt"]
    assert "empty.txt" not in {e.file for e in store.errors()}


def test_file_vanishing_during_build_is_transient(seeds: Path, store: DigestStore) -> None:
    seed = next(s for s in scan_seeds(seeds) if s.name == SEED_002)
    seed.path.unlink()
    outcome = pipeline.digest_seed(seed)
    assert outcome.transient and "disappeared" in (outcome.error or "")


def test_file_still_being_written_is_left_for_later(seeds: Path) -> None:
    seed = next(s for s in scan_seeds(seeds) if s.name == SEED_002)
    with seed.path.open("a", encoding="utf-8") as handle:
        handle.write("More text arriving.\n")
    outcome = pipeline.digest_seed(seed)
    assert outcome.transient and "still being written" in (outcome.error or "")


def test_scan_skips_hidden_partial_and_outside_symlinks(seeds: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("Leaders met.\n")
    (seeds / "link.txt").symlink_to(outside)
    (seeds / ".hidden.txt").write_text("x")
    (seeds / "download.txt.part").write_text("x")
    (seeds / "notes.pdf").write_bytes(b"%PDF")
    (seeds / "sub").mkdir()
    (seeds / "sub" / "odd name – ü.txt").write_text("Leaders met in Baku.\n")
    names = [s.name for s in scan_seeds(seeds)]
    assert "link.txt" not in names and ".hidden.txt" not in names
    assert "sub/odd name – ü.txt" in names
    assert all(n.endswith(".txt") for n in names)


def test_many_files_use_the_process_pool(seeds: Path, store: DigestStore) -> None:
    text = (seeds / SEED_002).read_text(encoding="utf-8")
    for i in range(8):
        (seeds / f"copy{i}.txt").write_text(text + f"\nCopy number {i} was filed.\n")
    report = build(seeds, store)
    assert len(report.built) == 10 and not report.errors
