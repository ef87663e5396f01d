"""``python -m fakeapi --port 8081``: run the fake Bot API standalone (loopback only)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from ._server import FakeBotApi


async def _serve(args: argparse.Namespace) -> None:
    async with FakeBotApi(
        token=args.token, username=args.username, rate_limits=args.rate_limits, port=args.port
    ) as api:
        print(f"base_url={api.base_url}", flush=True)
        print(
            f"inject: curl -X POST {api.url}/_fake/message -H 'Content-Type: application/json'"
            ' -d \'{"chat_id": 1, "text": "/start"}\'\n'
            f"sent:   curl {api.url}/_fake/sent",
            flush=True,
        )
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Parses the command line and serves until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m fakeapi", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="TCP port on 127.0.0.1")
    parser.add_argument("--token", default=None, help="accept only this token (default: any)")
    parser.add_argument("--username", default="SummitBriefingsBot", help="bot username")
    parser.add_argument("--rate-limits", action="store_true", help="enforce flood limits")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
