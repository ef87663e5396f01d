"""Chats, users and messages of the fake Bot API, and the methods that act on them.

Every method here is synchronous: it validates like Telegram, changes the state and returns
the ``result`` object, or raises :class:`ApiError`.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._errors import NOT_MODIFIED, ApiError, bad_request, chat_migrated, too_many_requests
from ._html import EntityParseError, parse_html, trim_text, utf16_len
from ._limits import FloodControl
from ._params import get_bool, get_chat_id, get_int, get_json, get_str
from ._records import CallbackAnswer, SentRecord

JSONDict = dict[str, Any]

MAX_TEXT_UTF16 = 4096
SUPERGROUP_ID_BELOW = -1_000_000_000_000

_BUTTON_ACTIONS = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip
_MENU_TYPES = frozenset({"default", "commands", "web_app"})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_CHAT_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})
#: The users Telegram shows as the sender of a message posted on behalf of a chat.
ANONYMOUS_ADMIN_ID = 1087968824  # @GroupAnonymousBot: an anonymous admin of the group
CHANNEL_BOT_ID = 136817688  # @Channel_Bot: a channel (e.g. linked to the group)
_ADMIN_RIGHTS: JSONDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def default_chat_type(chat_id: int) -> str:
    """``private`` for positive ids, ``supergroup`` for -100..., ``group`` otherwise."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id < SUPERGROUP_ID_BELOW else "group"


def command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entities like Telegram adds to incoming messages (``/cmd@Bot`` too)."""
    entities: list[JSONDict] = []
    for match in _BOT_COMMAND.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


@dataclass(slots=True)
class Chat:
    """A chat the fake server knows."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    #: Administrators who post as the group itself (``is_anonymous``).
    anonymous_admins: set[int] = field(default_factory=set)
    menu_button: JSONDict | None = None

    def as_dict(self) -> JSONDict:
        """The ``Chat`` object as Telegram embeds it in messages."""
        chat: JSONDict = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or f"User{self.id}"
        else:
            chat["title"] = self.title or f"Chat {self.id}"
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass(slots=True)
class _Query:
    chat_id: int | None
    update_id: int
    answered: bool = False


class BotState:
    """Everything the fake server stores, plus the chat-related Bot API methods.

    Args:
        bot_user: The ``User`` object of the bot (``getMe``).
        strict_chats: If true, sending to a chat that never appeared answers
            "chat not found"; otherwise such chats are created on first use.
    """

    def __init__(self, bot_user: JSONDict, *, strict_chats: bool) -> None:
        self.bot_user = bot_user
        self.bot_id: int = bot_user["id"]
        self.strict_chats = strict_chats
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, JSONDict] = {}
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.limiter: FloodControl | None = None
        self.sent: list[SentRecord] = []
        self.deleted: list[tuple[int, int, float]] = []
        self.chat_actions: list[tuple[int, str, float]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.last_commands: list[JSONDict] | None = None
        self.profile: dict[tuple[str, str], str] = {}
        self.default_menu_button: JSONDict = {"type": "commands"}
        self.first_reply_at: dict[int, float] = {}
        self.delivered_upto = 0
        self.on_sent: Callable[[SentRecord], None] | None = None
        self.on_answer: Callable[[CallbackAnswer], None] | None = None
        self._by_username: dict[str, int] = {}
        self._queries: dict[str, _Query] = {}
        self._awaiting_reply: dict[int, deque[int]] = {}
        self._update_of_message: dict[tuple[int, int], int] = {}

    # ----------------------------------------------------------------- chats & users
    def ensure_user(
        self,
        user_id: int,
        *,
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Returns the ``User`` dict for ``user_id``, creating or updating it."""
        user = self.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
            if language_code is None:
                language_code = "en"
            self.users[user_id] = user
        if first_name:
            user["first_name"] = first_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def ensure_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> Chat:
        """Returns the chat, creating it (or updating the given fields)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, chat_type or default_chat_type(chat_id))
            self.chats[chat_id] = chat
        elif chat_type:
            chat.type = chat_type
        if title:
            chat.title = title
        if first_name:
            chat.first_name = first_name
        if username:
            if chat.username:
                self._by_username.pop(chat.username.lower(), None)
            chat.username = username
            self._by_username[username.lower()] = chat_id
        return chat

    def resolve_chat(self, raw: int | str | None) -> Chat:
        """Finds the target chat of a request (raising Telegram's errors)."""
        if isinstance(raw, str):
            chat_id = self._by_username.get(raw[1:].lower())
            if chat_id is None:
                raise bad_request("chat not found")
            raw = chat_id
        if raw is None or raw == 0:
            raise bad_request("chat not found")
        new_id = self.migrated.get(raw)
        if new_id is not None:
            raise chat_migrated(new_id)
        chat = self.chats.get(raw)
        if chat is None:
            if self.strict_chats:
                raise bad_request("chat not found")
            chat = self.ensure_chat(raw)
        return chat

    def check_blocked(self, chat: Chat) -> None:
        """403 when the user blocked the bot / the bot was removed from the group."""
        if chat.id not in self.blocked:
            return
        if chat.type == "private":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type == "channel":
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")

    def migrate(self, old_id: int, new_id: int) -> None:
        """Turns group ``old_id`` into supergroup ``new_id``."""
        old = self.chats.get(old_id)
        self.ensure_chat(new_id, chat_type="supergroup", title=old.title if old else None)
        if old is not None:
            self.chats[new_id].roles.update(old.roles)
        self.migrated[old_id] = new_id

    # ----------------------------------------------------------------- incoming side
    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int,
        chat_type: str | None,
        username: str | None,
        first_name: str | None,
        language_code: str | None,
        chat_title: str | None,
        reply_to_message_id: int | None,
        entities: list[JSONDict] | None,
        sender_chat_id: int | None = None,
    ) -> JSONDict:
        """Builds (and stores) a message written by a user.

        With ``sender_chat_id``, the message is posted on behalf of a chat, as Telegram shows
        it: the group itself (an anonymous admin; ``from`` is @GroupAnonymousBot) or a channel
        (``from`` is @Channel_Bot).
        """
        if sender_chat_id is not None:
            anonymous = sender_chat_id == chat_id
            user_id = ANONYMOUS_ADMIN_ID if anonymous else CHANNEL_BOT_ID
            username = "GroupAnonymousBot" if anonymous else "Channel_Bot"
            first_name = "Group" if anonymous else "Channel"
        user = self.ensure_user(
            user_id, username=username, first_name=first_name, language_code=language_code
        )
        if sender_chat_id is not None:
            user["is_bot"] = True
        private = (chat_type or default_chat_type(chat_id)) == "private"
        chat = self.ensure_chat(
            chat_id,
            chat_type=chat_type,
            title=chat_title,
            username=username if private else None,
            first_name=user["first_name"] if private else None,
        )
        entities = command_entities(text) if entities is None else entities
        message = self._store_message(chat, user, text, entities, None, reply_to_message_id)
        if sender_chat_id is not None:
            kind = None if sender_chat_id == chat_id else "channel"
            sender = self.ensure_chat(sender_chat_id, chat_type=kind)
            message["sender_chat"] = sender.as_dict()
        return message

    def note_update(self, update_id: int, chat_id: int | None, message_id: int | None) -> None:
        """Remembers an injected update so the bot's answer can be linked to it."""
        if chat_id is None:
            return
        queue = self._awaiting_reply.get(chat_id)
        if queue is None:
            queue = self._awaiting_reply[chat_id] = deque()
        queue.append(update_id)
        if message_id is not None:
            self._update_of_message[(chat_id, message_id)] = update_id

    def register_query(self, query_id: str, chat_id: int | None, update_id: int) -> None:
        """Makes ``query_id`` answerable with ``answerCallbackQuery``."""
        self._queries[query_id] = _Query(chat_id, update_id)

    def _link_reply(self, chat_id: int, reply_to: int | None, now: float) -> int | None:
        if reply_to is not None:
            update_id = self._update_of_message.get((chat_id, reply_to))
            if update_id is not None:
                self.first_reply_at.setdefault(update_id, now)
                return update_id
        queue = self._awaiting_reply.get(chat_id)
        while queue:
            update_id = queue[0]
            if update_id in self.first_reply_at:
                queue.popleft()
                continue
            if update_id > self.delivered_upto:
                return None
            queue.popleft()
            self.first_reply_at[update_id] = now
            return update_id
        return None

    # ----------------------------------------------------------------- validation
    def _render(self, params: JSONDict) -> tuple[str, list[JSONDict], str | None, str]:
        raw = get_str(params, "text")
        if raw is None:
            raise bad_request("message text is empty")
        parse_mode = get_str(params, "parse_mode")
        mode = (parse_mode or "").lower()
        entities: list[JSONDict] = []
        text = raw
        if mode == "html":
            try:
                text, entities = parse_html(raw)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode == "":
            given = get_json(params, "entities")
            if isinstance(given, list):
                entities = [item for item in given if isinstance(item, dict)]
        elif mode not in ("markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
        text, entities = trim_text(text, entities)
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT_UTF16:
            raise bad_request("message is too long")
        return text, entities, parse_mode, raw

    @staticmethod
    def _markup(params: JSONDict) -> tuple[JSONDict | None, JSONDict | None]:
        """Returns (markup as requested, inline keyboard echoed in the Message)."""
        markup = get_json(params, "reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
                return markup, None
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
                "InlineKeyboardMarkup must be an Array of Arrays"
            )
        total = 0
        for row in rows:
            for button in row:
                total += 1
                if not isinstance(button, dict):
                    raise bad_request(
                        "can't parse inline keyboard button: InlineKeyboardButton must be "
                        "an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise bad_request("BUTTON_DATA_INVALID")
                elif "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
                        raise bad_request("BUTTON_URL_INVALID")
                elif not _BUTTON_ACTIONS.intersection(button):
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in "
                        "the inline keyboard"
                    )
        if total > 100:
            raise bad_request("reply markup is too long")
        return markup, {"inline_keyboard": rows}

    @staticmethod
    def _reply_target(params: JSONDict, chat: Chat) -> int | None:
        reply = get_json(params, "reply_parameters")
        if isinstance(reply, dict):
            message_id = get_int(reply, "message_id")
            allow = get_bool(reply, "allow_sending_without_reply")
        else:
            message_id = get_int(params, "reply_to_message_id")
            allow = get_bool(params, "allow_sending_without_reply")
        if message_id is None:
            return None
        if message_id in chat.messages:
            return message_id
        if allow:
            return None
        raise bad_request("message to be replied not found")

    def _throttle(self, chat_id: int | None, now: float) -> None:
        if self.limiter is None:
            return
        retry_after = self.limiter.check(chat_id, now)
        if retry_after is not None:
            raise too_many_requests(retry_after)
        self.limiter.record(chat_id, now)

    def _store_message(
        self,
        chat: Chat,
        sender: JSONDict,
        text: str,
        entities: list[JSONDict],
        markup: JSONDict | None,
        reply_to: int | None,
    ) -> JSONDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "from": sender,
            "chat": chat.as_dict(),
            "date": int(time.time()),
            "text": text,
        }
        if entities:
            message["entities"] = entities
        if reply_to is not None and reply_to in chat.messages:
            target = chat.messages[reply_to]
            message["reply_to_message"] = {
                key: value for key, value in target.items() if key != "reply_to_message"
            }
        if markup is not None:
            message["reply_markup"] = markup
        chat.messages[message_id] = message
        return message

    def _record(
        self,
        method: str,
        chat_id: int | None,
        message: JSONDict | None,
        parse_mode: str | None,
        markup: JSONDict | None,
        raw_text: str | None,
        params: JSONDict,
        now: float,
        reply_to: int | None = None,
        inline_message_id: str | None = None,
    ) -> None:
        linked = self._link_reply(chat_id, reply_to, now) if chat_id is not None else None
        record = SentRecord(
            method=method,
            chat_id=chat_id,
            message_id=message["message_id"] if message else None,
            text=message.get("text") if message else raw_text,
            parse_mode=parse_mode,
            reply_markup=markup,
            entities=list(message.get("entities", ())) if message else [],
            at=now,
            reply_to=linked,
            raw_text=raw_text,
            params=params,
            inline_message_id=inline_message_id,
        )
        self.sent.append(record)
        if self.on_sent is not None:
            self.on_sent(record)

    # ----------------------------------------------------------------- messages
    def send_message(self, params: JSONDict, now: float) -> JSONDict:
        """``sendMessage``."""
        chat = self.resolve_chat(get_chat_id(params))
        self.check_blocked(chat)
        text, entities, parse_mode, raw = self._render(params)
        requested, echoed = self._markup(params)
        reply_to = self._reply_target(params, chat)
        self._throttle(chat.id, now)
        message = self._store_message(chat, self.bot_user, text, entities, echoed, reply_to)
        self._record(
            "sendMessage", chat.id, message, parse_mode, requested, raw, params, now, reply_to
        )
        return message

    def _edit_target(self, params: JSONDict) -> tuple[Chat, JSONDict] | str:
        inline_id = get_str(params, "inline_message_id")
        if inline_id:
            return inline_id
        chat = self.resolve_chat(get_chat_id(params))
        self.check_blocked(chat)
        message_id = get_int(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return chat, message

    def edit_message_text(self, params: JSONDict, now: float) -> JSONDict | bool:
        """``editMessageText``."""
        target = self._edit_target(params)
        text, entities, parse_mode, raw = self._render(params)
        requested, echoed = self._markup(params)
        if isinstance(target, str):
            self._throttle(None, now)
            self._record(
                "editMessageText", None, None, parse_mode, requested, raw, params, now,
                inline_message_id=target,
            )  # fmt: skip
            return True
        chat, message = target
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == echoed
        ):
            raise bad_request(NOT_MODIFIED)
        self._throttle(chat.id, now)
        message["text"] = text
        self._set_optional(message, "entities", entities or None)
        self._set_optional(message, "reply_markup", echoed)
        message["edit_date"] = int(time.time())
        self._record("editMessageText", chat.id, message, parse_mode, requested, raw, params, now)
        return message

    def edit_message_reply_markup(self, params: JSONDict, now: float) -> JSONDict | bool:
        """``editMessageReplyMarkup``."""
        target = self._edit_target(params)
        requested, echoed = self._markup(params)
        if isinstance(target, str):
            self._throttle(None, now)
            self._record(
                "editMessageReplyMarkup", None, None, None, requested, None, params, now,
                inline_message_id=target,
            )  # fmt: skip
            return True
        chat, message = target
        if message.get("reply_markup") == echoed:
            raise bad_request(NOT_MODIFIED)
        self._throttle(chat.id, now)
        self._set_optional(message, "reply_markup", echoed)
        message["edit_date"] = int(time.time())
        self._record(
            "editMessageReplyMarkup", chat.id, message, None, requested, None, params, now
        )
        return message

    @staticmethod
    def _set_optional(message: JSONDict, key: str, value: Any) -> None:
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value

    def delete_message(self, params: JSONDict, now: float) -> bool:
        """``deleteMessage``."""
        chat = self.resolve_chat(get_chat_id(params))
        message_id = get_int(params, "message_id", required=True)
        assert message_id is not None
        if chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self.deleted.append((chat.id, message_id, now))
        return True

    def answer_callback_query(self, params: JSONDict, now: float) -> bool:
        """``answerCallbackQuery``."""
        query_id = get_str(params, "callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(_QUERY_INVALID)
        text = get_str(params, "text")
        if text is not None and utf16_len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(
            callback_query_id=query_id,
            text=text,
            show_alert=get_bool(params, "show_alert"),
            url=get_str(params, "url"),
            at=now,
            update_id=query.update_id,
        )
        self.callback_answers.append(answer)
        if self.on_answer is not None:
            self.on_answer(answer)
        return True

    def send_chat_action(self, params: JSONDict, now: float) -> bool:
        """``sendChatAction``."""
        chat = self.resolve_chat(get_chat_id(params))
        self.check_blocked(chat)
        action = get_str(params, "action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, action, now))
        return True

    # ----------------------------------------------------------------- chats & members
    def get_chat(self, params: JSONDict, now: float) -> JSONDict:
        """``getChat`` (a ``ChatFullInfo``)."""
        chat = self.resolve_chat(get_chat_id(params))
        info = chat.as_dict()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _user(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return self.bot_user
        return self.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
        }

    def _member(self, chat: Chat, user_id: int) -> JSONDict:
        status = chat.roles.get(user_id, "member")
        member: JSONDict = {"status": status, "user": self._user(user_id)}
        if status == "administrator":
            member.update(_ADMIN_RIGHTS)
            member["is_anonymous"] = user_id in chat.anonymous_admins
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def get_chat_member(self, params: JSONDict, now: float) -> JSONDict:
        """``getChatMember``."""
        chat = self.resolve_chat(get_chat_id(params))
        user_id = get_int(params, "user_id", required=True)
        assert user_id is not None
        return self._member(chat, user_id)

    def get_chat_administrators(self, params: JSONDict, now: float) -> list[JSONDict]:
        """``getChatAdministrators``."""
        chat = self.resolve_chat(get_chat_id(params))
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            self._member(chat, user_id)
            for user_id, role in chat.roles.items()
            if role in ("creator", "administrator")
        ]

    def get_chat_member_count(self, params: JSONDict, now: float) -> int:
        """``getChatMemberCount``."""
        chat = self.resolve_chat(get_chat_id(params))
        if chat.type == "private":
            return 2
        present = [role for role in chat.roles.values() if role not in ("left", "kicked")]
        return len(present) + 1

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Sets a member's status (``creator``, ``administrator``, ``member``, ...)."""
        if status not in _CHAT_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self.ensure_chat(chat_id).roles[user_id] = status

    # ----------------------------------------------------------------- commands & menu
    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = get_json(params, "scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        language = get_str(params, "language_code") or ""
        return json.dumps(scope, sort_keys=True), language

    def set_my_commands(self, params: JSONDict, now: float) -> bool:
        """``setMyCommands``."""
        commands = get_json(params, "commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = item.get("command")
            description = item.get("description")
            if not isinstance(command, str) or not _COMMAND.fullmatch(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        self.last_commands = cleaned
        return True

    def get_my_commands(self, params: JSONDict, now: float) -> list[JSONDict]:
        """``getMyCommands``."""
        return list(self.commands.get(self._scope_key(params), []))

    def delete_my_commands(self, params: JSONDict, now: float) -> bool:
        """``deleteMyCommands``."""
        self.commands.pop(self._scope_key(params), None)
        return True

    def set_chat_menu_button(self, params: JSONDict, now: float) -> bool:
        """``setChatMenuButton``."""
        button = get_json(params, "menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_TYPES:
            raise bad_request("can't parse menu button JSON object")
        chat_id = get_chat_id(params, required=False)
        if chat_id is None:
            self.default_menu_button = (
                {"type": "commands"} if button["type"] == "default" else button
            )
        else:
            self.resolve_chat(chat_id).menu_button = (
                None if button["type"] == "default" else button
            )
        return True

    def get_chat_menu_button(self, params: JSONDict, now: float) -> JSONDict:
        """``getChatMenuButton``."""
        chat_id = get_chat_id(params, required=False)
        if chat_id is not None:
            button = self.resolve_chat(chat_id).menu_button
            if button is not None:
                return button
        return self.default_menu_button

    def _profile_setter(self, field_name: str, limit: int) -> Callable[[JSONDict, float], bool]:
        def setter(params: JSONDict, now: float) -> bool:
            value = get_str(params, field_name) or ""
            if len(value) > limit:
                raise bad_request(f"{field_name} is too long")
            self.profile[(field_name, get_str(params, "language_code") or "")] = value
            return True

        return setter

    def _profile_getter(self, field_name: str) -> Callable[[JSONDict, float], JSONDict]:
        def getter(params: JSONDict, now: float) -> JSONDict:
            language = get_str(params, "language_code") or ""
            fallback = self.profile.get((field_name, ""), "")
            return {field_name: self.profile.get((field_name, language), fallback)}

        return getter

    def methods(self) -> dict[str, Callable[[JSONDict, float], Any]]:
        """Canonical method name -> implementation, for the dispatcher."""
        return {
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "setMyDescription": self._profile_setter("description", 512),
            "getMyDescription": self._profile_getter("description"),
            "setMyShortDescription": self._profile_setter("short_description", 120),
            "getMyShortDescription": self._profile_getter("short_description"),
            "setMyName": self._profile_setter("name", 64),
            "getMyName": self._profile_getter("name"),
        }
