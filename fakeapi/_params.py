"""Reading Bot API parameters the way Telegram does.

PTB sends ``application/x-www-form-urlencoded`` (or multipart) bodies in which every value
is a string and nested objects are JSON-encoded; other clients send JSON bodies with typed
values. These helpers accept both.
"""

from __future__ import annotations

import json
from typing import Any

from ._errors import bad_request

JSONDict = dict[str, Any]


def get_int(params: JSONDict, name: str, *, required: bool = False) -> int | None:
    """An integer parameter (``"123"`` or ``123``)."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty")
        return None
    if isinstance(value, bool):
        raise bad_request(f'invalid parameter "{name}": expected an Integer')
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise bad_request(f'invalid parameter "{name}": expected an Integer') from None


def get_float(params: JSONDict, name: str, default: float) -> float:
    """A numeric parameter such as ``timeout``."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f'invalid parameter "{name}": expected a Number') from None


def get_str(params: JSONDict, name: str) -> str | None:
    """A string parameter; numbers are turned into strings like Telegram does."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise bad_request(f'invalid parameter "{name}": expected a String')


def get_bool(params: JSONDict, name: str, default: bool = False) -> bool:
    """A boolean parameter (``"true"``, ``"1"``, ``True``)."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def get_json(params: JSONDict, name: str) -> Any:
    """A nested object: decoded from its JSON string, or taken as-is from a JSON body."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def get_chat_id(
    params: JSONDict, name: str = "chat_id", *, required: bool = True
) -> int | str | None:
    """A chat id: an integer or an ``@channelusername``."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.startswith("@"):
        return text
    try:
        return int(text)
    except ValueError:
        raise bad_request("chat not found") from None
