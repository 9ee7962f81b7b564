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


def test_exports_share_one_folder_and_old_ones_are_removed(assistant):
    """Each export is written into the app's own temporary folder (removed when the app stops); exports older than
    an hour are removed at the next one."""
    import os
    import time
    from pathlib import Path
    from types import SimpleNamespace

    from ui.conversations import EXPORT_KEEP_S, Conversations

    owner = "browser:" + "b" * 32
    current, _ = Turn(assistant).save(owner, None, QUESTION, assistant.ask(QUESTION), None, "zh")
    conversations = Conversations(assistant)
    request = SimpleNamespace(url=SimpleNamespace(scheme="http", netloc="127.0.0.1:7860"))
    first = [Path(f) for f in conversations.export(owner, current, "zh", request)["value"]]
    assert {f.suffix for f in first} == {".md", ".json"} and "45个" in first[0].read_text(encoding="utf-8")
    root = Path(conversations._exports.name)
    assert first[0].parent.parent == root
    old = time.time() - EXPORT_KEEP_S - 60
    os.utime(first[0].parent, (old, old))
    second = [Path(f) for f in conversations.export(owner, current, "zh", request)["value"]]
    assert second[0].is_file() and not first[0].parent.exists() and [d for d in root.iterdir()] == [second[0].parent]
    conversations._exports.cleanup()
    assert not root.exists()
