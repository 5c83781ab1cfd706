"""`python -m bot status`: an operator's view of the store (English, like the logs)."""

from __future__ import annotations

from bot.logs import redact
from bot.store import DeliveryStats


def render_articles(total: int, relevant: int, off_topic: int, other_language: int) -> str:
    """The article line of `python -m bot status`: how many enter briefings, and why not."""
    return (
        f"articles: {total} (relevant {relevant}, off-topic {off_topic},"
        f" non-Russian {other_language})"
    )


def render_status(stats: DeliveryStats) -> str:
    """The delivery part of `python -m bot status` (an operator tool: English)."""
    lines = ["subscriptions:"]
    for chat_type, states in sorted(stats.subscriptions.items()):
        counts = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        lines.append(f"  {chat_type}: {counts}")
    if not stats.subscriptions:
        lines.append("  none")
    outbox = ", ".join(f"{state} {n}" for state, n in sorted(stats.outbox.items()))
    lines.append(f"outbox: {outbox or 'empty'}")
    lines.append("last errors:" if stats.last_errors else "last errors: none")
    lines += [
        f"  {when} chat {chat_id} [{state}]: {redact(error)}"  # rows from before redaction
        for when, chat_id, state, error in stats.last_errors
    ]
    return "\n".join(lines)
