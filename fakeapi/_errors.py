"""Bot API error objects: the exact ``{"ok": false, ...}`` shapes Telegram answers with."""

from __future__ import annotations

from typing import Any

JSONDict = dict[str, Any]

#: Default descriptions per HTTP status, worded like the real Bot API.
DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API failure that the server turns into an error response.

    Attributes:
        status: HTTP status code, also used as ``error_code``.
        description: The ``description`` field, e.g. ``"Bad Request: chat not found"``.
        parameters: Optional ``ResponseParameters`` (``retry_after``, ``migrate_to_chat_id``).
    """

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """Returns the JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    """A 400 error with Telegram's ``"Bad Request: "`` prefix."""
    return ApiError(400, f"Bad Request: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 flood-control error carrying ``parameters.retry_after``."""
    retry_after = max(1, int(retry_after))
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def chat_migrated(new_chat_id: int) -> ApiError:
    """The 400 error Telegram sends to a group that became a supergroup."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


def make_error(
    status: int,
    description: str | None = None,
    *,
    retry_after: int | None = None,
    migrate_to_chat_id: int | None = None,
) -> ApiError:
    """Builds an error for a fault switch, filling in Telegram's wording when not given.

    Args:
        status: HTTP status / ``error_code``.
        description: Custom ``description``; defaults to Telegram's text for ``status``.
        retry_after: Seconds for ``parameters.retry_after`` (defaults to 1 for 429).
        migrate_to_chat_id: Value for ``parameters.migrate_to_chat_id``.

    Returns:
        The error to raise from a handler.
    """
    parameters: JSONDict = {}
    if status == 429 or retry_after is not None:
        retry_after = max(1, int(retry_after if retry_after is not None else 1))
        parameters["retry_after"] = retry_after
    if migrate_to_chat_id is not None:
        parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            description = "Bad Request: group chat was upgraded to a supergroup chat"
    if description is None:
        template = DEFAULT_DESCRIPTIONS.get(status, "Unknown error")
        description = template.format(retry_after=retry_after)
    return ApiError(status, description, parameters or None)
