"""Logging setup; the bot token is redacted from every record, whatever logged it."""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<BOT_TOKEN>"
# Anything shaped like a Telegram token ("123456:AAE…", 30+ characters after the colon), so
# text is clean even where the configured token is not known (the store, another bot's token).
TOKEN_SHAPE = re.compile(r"(?<!\d)\d{3,20}:[A-Za-z0-9_-]{30,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Text with the given secrets and every token-shaped string replaced by <BOT_TOKEN>."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return TOKEN_SHAPE.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record: message, args, exception and stack text.

    A filter sees only `record.msg`; aiohttp errors quote the request URL (`…/bot<token>/getMe`)
    in the exception text and traceback, which the formatter adds after filters ran.
    """

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def setup_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr (stdout belongs to console mode's replies); uncaught errors too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Tracebacks nobody caught would be printed raw by Python; route them through the formatter.
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_uncaught


def _log_uncaught(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    logging.getLogger("bot").critical("uncaught error", exc_info=(kind, error, tb))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    logging.getLogger("bot").critical(
        "uncaught error in thread %s",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
