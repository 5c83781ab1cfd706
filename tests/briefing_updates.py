"""Update payloads the briefing tests need beyond TestApp.message: buttons, inline queries."""

from __future__ import annotations

from typing import Any

from tests.conftest import TestApp

BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Дипбриф", "username": "dipbrief_bot"}


def callback(
    app: TestApp, data: str, *, user_id: int = 42, chat_id: int = 42, thread_id: int | None = None
) -> dict[str, Any]:
    """A button press on a bot message (in a forum topic when thread_id is given)."""
    update_id = app._next_id()
    chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    message: dict[str, Any] = {
        "message_id": 7,
        "date": int(app.clock().timestamp()),
        "chat": chat,
        "from": BOT_USER,
        "text": "Темы",
    }
    if thread_id is not None:
        message.update(message_thread_id=thread_id, is_topic_message=True)
    query = {
        "id": f"cb{update_id}",
        "from": {"id": user_id, "is_bot": False, "first_name": "Айгуль"},
        "chat_instance": "ci",
        "message": message,
        "data": data,
    }
    return {"update_id": update_id, "callback_query": query}


def inline_query(app: TestApp, query: str, *, user_id: int = 42) -> dict[str, Any]:
    update_id = app._next_id()
    payload = {
        "id": f"iq{update_id}",
        "from": {"id": user_id, "is_bot": False, "first_name": "Айгуль"},
        "query": query,
        "offset": "",
    }
    return {"update_id": update_id, "inline_query": payload}
