"""A local fake of the Telegram Bot API for tests.

A real aiogram ``Bot`` reaches it over HTTP through ``TelegramAPIServer.from_base(fake.url)``.
The fake speaks Telegram's wire format (form fields or JSON in, ``{"ok": ...}`` out, errors as
HTTP status plus ``parameters``), records every call, validates what Telegram validates (HTML
markup, the 4096-character limit, keyboards, bot commands) and can be scripted to fail.

HTML is parsed the way Telegram does it: the rules, error texts and byte offsets follow tdlib's
``parse_html`` (td/telegram/MessageEntity.cpp), which the Bot API server uses. By default the
fake is stricter than Telegram in two places, both bugs in a bot even when Telegram lets them
through (pass ``strict_html=False`` for Telegram's exact behaviour):

- a raw ``&`` that does not start a complete entity (``&amp;``, ``&#38;``, ...) is rejected;
  Telegram would show it as is, so such text was not escaped;
- ``<a>`` needs a non-empty ``href``; Telegram would take the link from the tag's text.

Flood control is simulated when ``limit_per_chat_per_second`` or ``limit_per_second`` is set,
timed by the ``clock`` given to the constructor (seconds as float, or the app's datetime clock).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

JSON = dict[str, Any]
Handler = Callable[[JSON], Awaitable[Any]]

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units of the visible text
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION_LENGTH = 256
MAX_CALLBACK_ANSWER_LENGTH = 200

CHAT_MEMBER_STATUSES = ("creator", "administrator", "member", "left", "kicked")
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
# Form fields arrive as strings; these are decoded so tests compare real values.
JSON_FIELDS = frozenset(
    [
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "results",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "button",
    ]
)
INT_FIELDS = frozenset(
    [
        "chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "reply_to_message_id",
    ]
)
BOOL_FIELDS = frozenset(
    [
        "disable_notification",
        "protect_content",
        "show_alert",
        "is_personal",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_paid_broadcast",
    ]
)
# Methods refused for a blocked user or an upgraded group, as Telegram refuses them.
SENDING_METHODS = frozenset({"sendMessage", "editMessageText", "sendChatAction"})
CHAT_METHODS = SENDING_METHODS | {"getChat", "getChatMember"}
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_send_welcome_messages",
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


@dataclass
class Call:
    """One request to the fake: the method, its decoded params and how it ended."""

    method: str
    params: JSON
    error: str | None = None  # the error description when the call was rejected
    result: Any = None  # what the fake answered when it was accepted

    @property
    def ok(self) -> bool:
        """True when the call was accepted."""
        return self.error is None


class ApiError(Exception):
    """An error answer: HTTP status = error_code, plus optional response parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _ScriptedDelay:
    method: str
    seconds: float
    times: int
    chat_id: int | None


@dataclass
class _ScriptedFailure:
    method: str
    error: ApiError
    times: int
    chat_id: int | None


# --- Telegram's HTML ------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; the message is Telegram's description of the problem."""


@dataclass(frozen=True)
class ParsedText:
    """Visible text plus MessageEntity dicts (offsets in UTF-16 code units)."""

    text: str
    entities: list[JSON] = field(default_factory=list)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji usually counts 2)."""
    return len(text.encode("utf-16-le")) // 2


SUPPORTED_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
SIMPLE_TAG_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only <span class="tg-spoiler"> gets this far
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(b" \t\r\n\v\0")  # tdlib's is_space; NUL doubles as the end of the text
_PLAIN_RUN = re.compile(rb"[^<&]+")
_LINK_SCHEMES = ("http://", "https://", "tg://", "ton://")


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset of the tag's content
    piece: int  # index into the output pieces where the content starts


class _HtmlParser:
    """A port of tdlib's parse_html: same accepted input, same error texts and byte offsets."""

    def __init__(self, html: str, *, strict: bool) -> None:
        self.data = html.encode()
        self.strict = strict
        self.pieces: list[str] = []
        self.offset = 0
        self.entities: list[JSON] = []
        self.open: list[_OpenTag] = []

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.offset += utf16_length(text)

    def parse(self) -> ParsedText:
        i = 0
        while i < len(self.data):
            char = self.data[i]
            if char == ord("&"):
                i = self.parse_ampersand(i)
            elif char == ord("<"):
                i = self.parse_end_tag(i) if self.at(i + 1) == ord("/") else self.parse_tag(i)
            else:
                run = _PLAIN_RUN.match(self.data, i)
                assert run is not None
                self.emit(run.group().decode())
                i = run.end()
        if self.open:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return ParsedText("".join(self.pieces), self.entities)

    def decode_entity(self, pos: int) -> tuple[int, int, bool]:
        """(code point or 0, position after it, whether ';' ended it), like decode_html_entity."""
        end = pos + 1
        code = 0
        if self.at(end) == ord("#"):
            end += 1
            hexadecimal = self.at(end) == ord("x")
            end += hexadecimal
            digits = b"0123456789abcdefABCDEF" if hexadecimal else b"0123456789"
            start = end
            while self.at(end) and self.at(end) in digits:
                end += 1
            if end > start:
                code = int(self.data[start:end], 16 if hexadecimal else 10)
            if code == 0 or code >= 0x10FFFF or end - pos >= 10:
                return 0, pos, False
        else:
            while chr(self.at(end)).isascii() and chr(self.at(end)).isalpha():
                end += 1
            name = self.data[pos + 1 : end].decode()
            if name not in NAMED_ENTITIES:
                return 0, pos, False
            code = ord(NAMED_ENTITIES[name])
        terminated = self.at(end) == ord(";")
        return code, end + terminated, terminated

    def parse_ampersand(self, i: int) -> int:
        code, end, terminated = self.decode_entity(i)
        if self.strict and not (code and terminated):
            raise HtmlParseError(
                f'Unescaped "&" at byte offset {i}: write &amp; (Telegram would show it as is; '
                "the fake is stricter)"
            )
        if not code:
            self.emit("&")
            return i + 1
        if 0xD800 <= code <= 0xDFFF:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        self.emit(chr(code))
        return end

    def skip_spaces(self, i: int) -> int:
        while self.at(i) and self.at(i) in _SPACES:
            i += 1
        return i

    def scan_name(self, i: int) -> int:
        while self.at(i) not in _SPACES and self.at(i) not in b"=>/\"'":
            i += 1
        return i

    def parse_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != ord(">"):
            i += 1
        if self.at(i) == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        name = self.data[begin + 1 : i].decode(errors="replace").lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        attributes, i = self.parse_attributes(name, begin, i)
        argument = _tag_argument(name, attributes)
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        if name == "a" and self.strict and not argument:
            raise HtmlParseError(
                f'Tag "a" must have a non-empty "href" at byte offset {begin} '
                "(the fake is stricter than Telegram)"
            )
        self.open.append(_OpenTag(name, argument, self.offset, len(self.pieces)))
        return i + 1

    def parse_attributes(self, name: str, begin: int, i: int) -> tuple[dict[str, str], int]:
        """Attributes up to the closing '>' (bare ones map to ""); returns the '>' position."""
        attributes: dict[str, str] = {}
        while self.at(i) != ord(">"):
            i = self.skip_spaces(i)
            if self.at(i) == ord(">"):
                break
            attribute_begin, i = i, self.scan_name(i)
            attribute = self.data[attribute_begin:i].decode(errors="replace")
            if not attribute:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {begin}'
                )
            i = self.skip_spaces(i)
            if self.at(i) != ord("="):
                if self.at(i) == 0:
                    raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
                attributes[attribute] = ""
                continue
            i = self.skip_spaces(i + 1)
            if self.at(i) == 0:
                raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
            attributes[attribute], i = self.parse_attribute_value(i)
            if self.at(i) == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        return attributes, i

    def parse_attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in b"'\"":
            # A name token: letters, digits, periods or hyphens, not case sensitive.
            start = i
            while chr(self.at(i)).isascii() and (chr(self.at(i)).isalnum() or self.at(i) in b".-"):
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != ord(">"):
                raise HtmlParseError(f"Unexpected end of name token at byte offset {start}")
            return self.data[start:i].decode().lower(), i
        i += 1
        value = bytearray()
        while self.at(i) != quote and self.at(i) != 0:
            if self.at(i) == ord("&"):
                code, end, _ = self.decode_entity(i)
                if code:
                    value += chr(code).encode(errors="surrogatepass")
                    i = end
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == quote:
            i += 1
        return value.decode(errors="replace"), i

    def parse_end_tag(self, begin: int) -> int:
        if not self.open:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while self.at(i) not in _SPACES and self.at(i) != ord(">"):
            i += 1
        end_name = self.data[begin + 2 : i].decode(errors="replace").lower()
        i = self.skip_spaces(i)
        if self.at(i) != ord(">"):
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.open[-1]
        if end_name and end_name != tag.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        if self.offset > tag.offset:
            self.close_entity(tag)
        self.open.pop()
        return i + 1

    def close_entity(self, tag: _OpenTag) -> None:
        span: JSON = {"offset": tag.offset, "length": self.offset - tag.offset}
        if tag.name in SIMPLE_TAG_ENTITIES:
            self.entities.append({"type": SIMPLE_TAG_ENTITIES[tag.name], **span})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            url = tag.argument or "".join(self.pieces[tag.piece :])
            if "://" not in url:
                url = f"http://{url}"
            if url.lower().startswith(_LINK_SCHEMES):  # Telegram drops links it can't check
                self.entities.append({"type": "text_link", **span, "url": url})
        elif tag.name in ("pre", "code"):
            self.close_pre_or_code(tag, span)
        else:  # blockquote
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append({"type": kind, **span})

    def close_pre_or_code(self, tag: _OpenTag, span: JSON) -> None:
        """<pre><code class="language-x"> (either nesting order) makes one pre with a language."""
        last = self.entities[-1] if self.entities else {}
        same_span = all(last.get(key) == value for key, value in span.items())
        if tag.name == "pre" and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        elif tag.name == "code" and same_span and last["type"] == "pre" and tag.argument:
            last["language"] = tag.argument
        elif tag.name == "pre":
            self.entities.append({"type": "pre", **span})
        else:
            self.entities.append({"type": "code", **span, "language": tag.argument})


def _tag_argument(name: str, attributes: dict[str, str]) -> str:
    """The one attribute value a tag carries into its entity, as tdlib picks it."""
    if name == "a":
        return attributes.get("href", "")
    if name == "tg-emoji":
        return attributes.get("emoji-id", "")
    if name == "blockquote":
        return "1" if "expandable" in attributes else ""
    prefix = {"code": "language-", "span": "tg-"}.get(name)
    value = attributes.get("class", "")
    return value.removeprefix(prefix) if prefix and value.startswith(prefix) else ""


def parse_html(html: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities; raise HtmlParseError like Telegram."""
    return _HtmlParser(html, strict=strict).parse()


# --- the server -----------------------------------------------------------------------------


class FakeTelegram:
    """A fake Bot API server: records calls, validates like Telegram, can be scripted to fail."""

    def __init__(
        self,
        token: str = "123456:TEST-token-0123456789abcdefghijklmnop",
        bot_username: str = "dipbrief_bot",
        *,
        strict_html: bool = True,
        clock: Callable[[], float | dt.datetime] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Дипбриф",
            "username": bot_username,
        }
        self.strict_html = strict_html
        self.url = ""  # set by running_fake() once the server listens
        self.calls: list[Call] = []
        self.rejected: list[Call] = []
        self.unknown_methods: list[str] = []
        self.blocked_chats: set[int] = set()
        self.migrated_chats: dict[int, int] = {}
        # Flood control: accepted sendMessage calls per sliding second (None = unlimited).
        self.limit_per_chat_per_second: int | None = None
        self.limit_per_second: int | None = None
        self.too_many_requests = 0
        self.pollers_waiting = 0
        self._clock = clock
        self._failures: list[_ScriptedFailure] = []
        self._delays: list[_ScriptedDelay] = []
        self._delayed: set[asyncio.Task[web.Response]] = set()
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._closing = False
        self._changed = asyncio.Event()
        self._members: dict[tuple[int, int], str] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._last_message_id: defaultdict[int, int] = defaultdict(int)
        self._sent_at: defaultdict[int | None, deque[float]] = defaultdict(deque)
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._true,
                "close": self._true,
                "logOut": self._true,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "answerCallbackQuery": self._answer_callback_query,
                "answerInlineQuery": self._answer_inline_query,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
            }.items()
        }
        self.app = web.Application()
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.app.on_shutdown.append(self._on_shutdown)

    # --- scripting and inspection ---

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[JSON]:
        """Params of accepted calls of `method`, optionally only those to `chat_id`."""
        return [
            call.params
            for call in self.calls
            if call.ok
            and call.method == method
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def last(self, method: str = "sendMessage") -> JSON:
        """Params of the last accepted call of `method`; AssertionError when there is none."""
        sent = self.sent(method)
        assert sent, f"no accepted {method} calls; rejected: {self.rejected}"
        return sent[-1]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """The `text` param (markup included) of accepted sendMessage calls."""
        return [params["text"] for params in self.sent("sendMessage", chat_id)]

    def add_update(self, update: JSON) -> None:
        """Queue an update for getUpdates, numbering it when it has no update_id."""
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._updates.append(update)
        self._notify()

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id` if given) with this error."""
        parameters: JSON = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        error = ApiError(status, description, parameters or None)
        self._failures.append(_ScriptedFailure(method.lower(), error, times, chat_id))

    def delay(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """Answer the next `times` calls of `method` only after `seconds` of real time.

        The call is still carried out: past the client's timeout this is Telegram accepting
        a message whose answer never arrived (the client hung up; aiohttp lets us finish).
        """
        self._delays.append(_ScriptedDelay(method.lower(), seconds, times, chat_id))

    @property
    def delayed(self) -> int:
        """Calls being held by `delay` right now."""
        return len(self._delayed)

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember reports for this user in this chat (default "member")."""
        if status not in CHAT_MEMBER_STATUSES:
            raise ValueError(f"status must be one of {CHAT_MEMBER_STATUSES}, not {status!r}")
        self._members[chat_id, user_id] = status

    # The timeout parameters mirror asyncio.wait_for: tests read better with them inline.
    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """Wait until `count` accepted calls of `method` exist and return their params."""
        try:
            await self.until(lambda: len(self.sent(method)) >= count, timeout)
        except TimeoutError:
            raise AssertionError(
                f"expected {count} accepted {method} calls within {timeout}s, "
                f"got {len(self.sent(method))}; rejected: {self.rejected}"
            ) from None
        return self.sent(method)

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until `condition()` holds, rechecking after each request or update."""
        async with asyncio.timeout(timeout):
            while not condition():
                await self._changed.wait()

    # --- HTTP ---

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        seconds = self._take_delay(method, params)
        if seconds is None:
            return await self._respond(request.match_info["token"], method, params)
        # The test server cancels a handler whose client hung up; Telegram would carry on.
        task = asyncio.create_task(self._respond_later(seconds, request, method, params))
        self._delayed.add(task)
        task.add_done_callback(self._delayed.discard)
        self._notify()
        return await asyncio.shield(task)

    async def _respond_later(
        self, seconds: float, request: web.Request, method: str, params: JSON
    ) -> web.Response:
        await asyncio.sleep(seconds)
        return await self._respond(request.match_info["token"], method, params)

    async def _respond(self, token: str, method: str, params: JSON) -> web.Response:
        call = Call(method, params)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            known = self._handlers.get(method.lower())
            if known is None:
                self.unknown_methods.append(method)
                raise ApiError(404, "Not Found")
            call.method, handler = known
            self._check_scripted(call)
            self._check_chat(call)
            call.result = await handler(params)
        except ApiError as error:
            call.error = error.description
            self.calls.append(call)
            self.rejected.append(call)
            self._notify()
            body: JSON = {"ok": False, "error_code": error.status, "description": call.error}
            if error.parameters:
                body["parameters"] = error.parameters
            return _json_response(body, error.status)
        self.calls.append(call)
        self._notify()
        return _json_response({"ok": True, "result": call.result}, 200)

    async def _on_shutdown(self, _app: web.Application) -> None:
        # Release long polls at once instead of letting them hold the shutdown.
        self._closing = True
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _take_delay(self, method: str, params: JSON) -> float | None:
        for delay in self._delays:
            chat_matches = delay.chat_id is None or delay.chat_id == params.get("chat_id")
            if delay.method == method.lower() and chat_matches:
                delay.times -= 1
                if delay.times <= 0:
                    self._delays.remove(delay)
                return delay.seconds
        return None

    def _check_scripted(self, call: Call) -> None:
        for failure in self._failures:
            chat_matches = failure.chat_id is None or failure.chat_id == call.params.get("chat_id")
            if failure.method == call.method.lower() and chat_matches:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise failure.error

    def _check_chat(self, call: Call) -> None:
        if call.method not in CHAT_METHODS or "chat_id" not in call.params:
            return
        chat_id = call.params["chat_id"]
        if chat_id in self.migrated_chats:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated_chats[chat_id]},
            )
        if chat_id in self.blocked_chats and call.method in SENDING_METHODS:
            raise ApiError(403, _forbidden_description(chat_id))

    def _seconds(self) -> float:
        now = self._clock()
        return now.timestamp() if isinstance(now, dt.datetime) else now

    def _date(self) -> int:
        """Unix time for Message.date: the clock's when it tells dates, else the real one."""
        now = self._clock()
        return int(now.timestamp() if isinstance(now, dt.datetime) else time.time())

    def _check_flood(self, chat_id: int) -> None:
        now = self._seconds()
        retry_after = max(
            _flood_wait(self._sent_at[chat_id], self.limit_per_chat_per_second, now),
            _flood_wait(self._sent_at[None], self.limit_per_second, now),
        )
        if retry_after:
            self.too_many_requests += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        self._sent_at[chat_id].append(now)
        self._sent_at[None].append(now)

    # --- validation shared by methods ---

    def _message_text(self, text: Any, parse_mode: Any, entities: Any) -> ParsedText:
        if not isinstance(text, str) or not text:
            raise bad_request("message text is empty")
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                parsed = parse_html(text, strict=self.strict_html)
            except HtmlParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode in ("", "none"):
            parsed = ParsedText(text, entities if isinstance(entities, list) else [])
        elif mode in ("markdown", "markdownv2"):
            raise bad_request(f"the fake Bot API parses only HTML, not parse_mode {parse_mode}")
        else:
            raise bad_request("unsupported parse_mode")
        if not parsed.text.strip():
            raise bad_request("message text is empty")
        if utf16_length(parsed.text) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        return parsed

    def _check_reply_markup(self, markup: Any) -> None:
        if markup is None:
            return
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return  # reply keyboards, keyboard removal and force reply are not checked
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for button in (button for row in rows for button in row):
            _check_inline_button(button)

    def _chat(self, chat_id: int) -> JSON:
        kind = _chat_type(chat_id)
        if kind == "private":
            return {"id": chat_id, "type": kind, "first_name": f"User {chat_id}"}
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _user(self, user_id: int) -> JSON:
        if user_id == self.bot_user["id"]:
            return dict(self.bot_user)
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}

    # --- methods ---

    async def _true(self, _params: JSON) -> bool:
        return True

    async def _get_me(self, _params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        self._poll_generation += 1
        generation = self._poll_generation
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(int(params.get("timeout") or 0), 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.pollers_waiting += 1
        self._notify()  # an older poll still waiting ends with 409, as on Telegram
        try:
            while not self._updates and not self._closing and loop.time() < deadline:
                changed = self._changed
                with suppress(TimeoutError):
                    async with asyncio.timeout_at(deadline):
                        await changed.wait()
                if generation != self._poll_generation:
                    raise ApiError(409, POLL_CONFLICT)
        finally:
            self.pollers_waiting -= 1
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list) and allowed:
            # Telegram drops update types the bot did not ask for.
            self._updates = [u for u in self._updates if _update_type(u) in allowed]
        return self._updates[:limit]

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = _chat_id(params)
        parsed = self._message_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        self._check_reply_markup(params.get("reply_markup"))
        self._check_flood(chat_id)
        self._last_message_id[chat_id] += 1
        message: JSON = {
            "message_id": self._last_message_id[chat_id],
            "date": self._date(),
            "chat": self._chat(chat_id),
            "from": dict(self.bot_user),
            "text": parsed.text,
        }
        if parsed.entities:
            message["entities"] = parsed.entities
        if "message_thread_id" in params:
            message["message_thread_id"] = params["message_thread_id"]
        if markup := _inline_markup(params.get("reply_markup")):
            message["reply_markup"] = markup
        self._messages[chat_id, message["message_id"]] = message
        return message

    async def _edit_message_text(self, params: JSON) -> JSON | bool:
        parsed = self._message_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = params.get("reply_markup")
        self._check_reply_markup(markup)
        if "inline_message_id" in params:
            return True
        chat_id = _chat_id(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or message_id <= 0:
            raise bad_request("message to edit not found")
        # Tests build callback updates by hand, so an unknown message is taken as existing.
        old = self._messages.get((chat_id, message_id))
        new_content = (parsed.text, parsed.entities, markup)
        if old and (old["text"], old.get("entities", []), old.get("reply_markup")) == new_content:
            raise bad_request(NOT_MODIFIED)
        message: JSON = {
            "message_id": message_id,
            "date": old["date"] if old else self._date(),
            "edit_date": self._date(),
            "chat": self._chat(chat_id),
            "from": dict(self.bot_user),
            "text": parsed.text,
        }
        if parsed.entities:
            message["entities"] = parsed.entities
        if inline_markup := _inline_markup(markup):
            message["reply_markup"] = inline_markup
        self._messages[chat_id, message_id] = message
        return message

    async def _answer_callback_query(self, params: JSON) -> bool:
        if not params.get("callback_query_id"):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        return True

    async def _answer_inline_query(self, params: JSON) -> bool:
        if not params.get("inline_query_id"):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse JSON encoded inline query results")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        ids: set[str] = set()
        for result in results:
            result_id = str(result.get("id") or "") if isinstance(result, dict) else ""
            if not 1 <= len(result_id.encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in ids:
                raise bad_request("RESULT_ID_DUPLICATE")
            ids.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                self._message_text(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
            self._check_reply_markup(result.get("reply_markup"))
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        _chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        self._commands[_commands_key(params)] = [_bot_command(command) for command in commands]
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return self._commands.get(_commands_key(params), [])

    async def _delete_my_commands(self, params: JSON) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    async def _get_chat(self, params: JSON) -> JSON:
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            **self._chat(_chat_id(params)),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {name: True for name in gifts} | {"gifts_from_channels": True},
        }

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat_id, user_id = _chat_id(params), params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request("invalid user_id specified")
        status = self._members.get((chat_id, user_id), "member")
        member: JSON = {"status": status, "user": self._user(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member |= dict.fromkeys(ADMIN_RIGHTS, True) | {
                "can_be_edited": False,
                "is_anonymous": False,
            }
        elif status == "kicked":
            member["until_date"] = 0
        return member


# --- helpers --------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> JSON:
    """Query string plus body (multipart, urlencoded or JSON), decoded to Python values."""
    params: JSON = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            with suppress(ValueError):
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = f"<file {value.filename}>"
                else:
                    params[key] = value.decode() if isinstance(value, bytes) else value
    return {key: _decode_field(key, value) for key, value in params.items()}


def _decode_field(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in JSON_FIELDS:
        with suppress(ValueError):
            return json.loads(value)
    elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
        return int(value)
    elif key in BOOL_FIELDS and value in ("true", "false"):
        return value == "true"
    return value


def _json_response(body: JSON, status: int) -> web.Response:
    text = json.dumps(body, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json")


def _chat_id(params: JSON) -> int:
    chat_id = params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    if not isinstance(chat_id, int) or chat_id == 0:
        raise bad_request("chat not found")  # @usernames are not modelled
    return chat_id


def _chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _forbidden_description(chat_id: int) -> str:
    kind = _chat_type(chat_id)
    if kind == "private":
        return "Forbidden: bot was blocked by the user"
    return f"Forbidden: bot was kicked from the {kind} chat"


def _flood_wait(sent_at: deque[float], limit: int | None, now: float) -> int:
    """Seconds to wait before another send fits `limit` per sliding second (0: fits now)."""
    while sent_at and sent_at[0] <= now - 1.0:
        sent_at.popleft()
    if limit is None or len(sent_at) < limit:
        return 0
    return max(1, math.ceil(sent_at[0] + 1.0 - now))


def _inline_markup(markup: Any) -> JSON | None:
    """The markup when it is an inline keyboard: only those are echoed in the Message."""
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if "text" not in button:
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    if not isinstance(button["text"], str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}  # the rest are actions
    if not any(button[action] not in (None, "") for action in actions):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    callback_data = button.get("callback_data")
    if isinstance(callback_data, str) and len(callback_data.encode()) > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def _commands_key(params: JSON) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


def _bot_command(command: Any) -> JSON:
    """Validate one BotCommand as tdlib and Telegram do; return it cleaned up."""
    if not isinstance(command, dict):
        raise bad_request("command must be non-empty")
    name = str(command.get("command") or "").strip().removeprefix("/")
    description = str(command.get("description") or "").strip()
    if not name:
        raise bad_request("command must be non-empty")
    if len(name) > MAX_COMMAND_LENGTH:
        raise bad_request(f"command length must not exceed {MAX_COMMAND_LENGTH}")
    if not description:
        raise bad_request("command description must be non-empty")
    if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
        raise bad_request(
            f"command description length must not exceed {MAX_COMMAND_DESCRIPTION_LENGTH}"
        )
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise bad_request("BOT_COMMAND_INVALID")
    return {"command": name, "description": description}


@asynccontextmanager
async def running_fake(fake: FakeTelegram | None = None) -> AsyncIterator[FakeTelegram]:
    """Serve `fake` (a new FakeTelegram by default) on 127.0.0.1 with `.url` set."""
    fake = fake or FakeTelegram()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()
