"""Container health check: is the bot's heartbeat fresh?

The running bot touches ``DATA_DIR/heartbeat`` from a JobQueue job every 30 s, so a fresh file
proves the event loop and the scheduler are alive, not merely that the process exists.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.config import Settings

HEARTBEAT_FILE = "heartbeat"
HEARTBEAT_SECONDS = 30.0
STALE_AFTER = 3 * HEARTBEAT_SECONDS


def heartbeat_path(data_dir: Path) -> Path:
    """Where the running bot writes its heartbeat."""
    return data_dir / HEARTBEAT_FILE


def main() -> int:
    """Exit 0 when the heartbeat is fresh, 1 otherwise (with the reason)."""
    path = heartbeat_path(Settings().data_dir)
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        print(f"unhealthy: no heartbeat at {path}", file=sys.stderr)
        return 1
    if age > STALE_AFTER:
        print(f"unhealthy: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
