"""The Ask tab's turn (ui/chat.py) saving into the real conversations store."""
from __future__ import annotations

from ui.chat import Turn

QUESTION = "深圳市2025年上线了多少个“高效办成一件事”？"


def test_a_turn_is_saved_and_a_conversation_deleted_meanwhile_starts_a_new_one(assistant):
    turn, store = Turn(assistant), assistant.conversations
    answer = assistant.ask(QUESTION)
    first, turn_id = turn.save("browser:" + "a" * 32, None, QUESTION, answer, None, "zh")
    assert store.get("browser:" + "a" * 32, first).turns[0].id == turn_id
    store.delete("browser:" + "a" * 32, first)  # in another tab
    second, turn_id = turn.save("browser:" + "a" * 32, first, QUESTION, answer, ["002"], "zh")
    assert second != first and store.get("browser:" + "a" * 32, second).turns[0].reports == ["002"]
    assert turn.save(None, None, QUESTION, answer, None, "zh") == (None, None)  # an HTTP API client: not saved
