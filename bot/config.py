"""The bot's one settings object, read from environment variables.

The token is a ``SecretStr``: it never appears in a repr, a log line or a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from bot.delivery.db import parse_database_url
from bot.delivery.subscriptions import time_zone
from briefings.config import EngineSettings

OFFICIAL_BASE_URL = "https://api.telegram.org/bot"


class Settings(EngineSettings):
    """Everything the bot is configured with (see the README's configuration table)."""

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = OFFICIAL_BASE_URL
    database_url: str | None = None
    admin_chat_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    seed_poll_seconds: float = Field(default=30.0, gt=0)
    tz: str = "UTC"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    flood_limit: int = 30
    #: Messages per second over all chats that the bot's rate limiter lets through (Telegram's
    #: limit is 30); 0 switches the overall limit off (benchmarks against a local fake server).
    rate_limit_overall: float = Field(default=30.0, ge=0)
    flood_window_seconds: float = 10.0
    #: ``local``: the bot digests new seeds in its own process pool; ``external``: it queues
    #: them for builders (``python -m briefings worker``) in the PostgreSQL ``DATABASE_URL``.
    build_workers: Literal["local", "external"] = "local"
    #: Briefing deliveries: how long one that keeps failing for passing reasons is retried
    #: (from its briefing), the longest wait between two tries, when admins are told that
    #: deliveries are held, and how long a send waits for Telegram's answer.
    delivery_horizon_hours: float = Field(default=24.0, gt=0)
    delivery_retry_max_seconds: float = Field(default=60.0, ge=1, le=600)
    delivery_held_alert_minutes: float = Field(default=10.0, gt=0)
    send_read_timeout: float = Field(default=15.0, gt=0)
    #: Feeds and pages to follow (``sources/``): one URL per line, ``#`` comments, a label.
    sources_file: Path = Path("sources.txt")
    source_poll_seconds: float = Field(default=600.0, gt=0)
    #: The sources' database (default ``DATA_DIR/sources.sqlite3``; the demo keeps its own).
    sources_db: Path | None = None
    #: A source failing this long is reported to the admins, once per outage.
    source_fail_report_seconds: float = Field(default=86_400.0, gt=0)

    @field_validator("admin_chat_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept "1, -100200" as well as a list."""
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        return value

    @field_validator("tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        if time_zone(value) is None:  # also a folder ("Europe") or an overlong name
            raise ValueError(
                f"unknown time zone {value[:80]!r} (use an IANA name like Europe/Paris)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        """Refuse at start-up, before any network, a URL the bot cannot open (PostgreSQL)."""
        if value:
            parse_database_url(value)  # raises ValueError saying what to use instead
        return value

    @model_validator(mode="after")
    def _check_build_workers(self) -> Settings:
        """External builders take their jobs from PostgreSQL: refuse the setting without it."""
        from briefings.build_queue import queue_url

        if self.build_workers == "external" and queue_url(self.database_url) is None:
            raise ValueError(
                "BUILD_WORKERS=external needs DATABASE_URL=postgresql://… (the build queue)"
            )
        return self

    @field_validator("telegram_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                f"{value!r} is not an http(s) URL (the default is {OFFICIAL_BASE_URL})"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        """``DATABASE_URL`` or SQLite inside ``DATA_DIR``."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'bot.sqlite3').as_posix()}"

    @property
    def store_file(self) -> Path:
        """The digest store the bot answers from."""
        return self.store_path()
