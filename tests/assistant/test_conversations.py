"""Saved conversations (assistant/conversations.py) on a real SQLite file, holding real answers."""
from __future__ import annotations

import sqlite3

import pytest

from assistant.conversations import MIGRATIONS, ConversationError, ConversationStore

QUESTION = "深圳市2025年上线了多少个“高效办成一件事”？"


@pytest.fixture(scope="module")
def answers(assistant):
    first = assistant.ask(QUESTION)
    follow = assistant.ask("2024年呢？", history=[{"role": "user", "content": QUESTION},
                                                {"role": "assistant", "content": first.answer}])
    return first, follow


@pytest.fixture
def store(tmp_path):
    return ConversationStore(tmp_path / "conversations.sqlite3")


def test_a_conversation_keeps_its_turns_answers_and_filters(store, answers):
    first, follow = answers
    conversation_id = store.start("browser:a", QUESTION)
    store.add_turn("browser:a", conversation_id, QUESTION, first)
    store.add_turn("browser:a", conversation_id, "2024年呢？", follow, reports=["000"])
    saved = store.get("browser:a", conversation_id)
    assert saved.title == QUESTION
    assert [t.question for t in saved.turns] == [QUESTION, "2024年呢？"]
    assert saved.turns[0].answer == first  # the whole answer object: status, citations, scope, notes
    assert saved.turns[1].reports == ["000"] and saved.turns[0].reports is None
    assert saved.history()[1] == {"role": "assistant", "content": first.answer}
    # reopened from the file, as after a restart
    assert ConversationStore(store.path).get("browser:a", conversation_id).turns[1].answer == follow


def test_list_is_newest_first_searchable_and_per_owner(store, answers):
    first, _ = answers
    older = store.start("browser:a", "100% 的问题_一")
    store.add_turn("browser:a", older, "100% 的问题_一", first)
    newer = store.start("browser:a", "second")
    store.add_turn("browser:a", newer, "second", first)
    store.start("browser:b", "someone else's")
    assert [s.id for s in store.summaries("browser:a")] == [newer, older]
    assert [s.turns for s in store.summaries("browser:a")] == [1, 1]
    assert [s.id for s in store.summaries("browser:a", "100%")] == [older]   # % and _ are literal, not wildcards
    assert store.summaries("browser:a", "0%的") == []
    assert {s.id for s in store.summaries("browser:a", "上线45个")} == {older, newer}  # text of an answer
    assert len(store.summaries("browser:b")) == 1
    with pytest.raises(ConversationError):
        store.get("browser:b", older)
    with pytest.raises(ConversationError):
        store.add_turn("browser:b", older, "x", first)
    with pytest.raises(ConversationError):
        store.delete("browser:b", older)
    assert store.get("browser:a", older).turns


def test_rename_delete_and_titles(store, answers):
    conversation_id = store.start("browser:a", "  a   very long question " + "很" * 200)
    assert len(store.get("browser:a", conversation_id).title) == 80
    store.rename("browser:a", conversation_id, "  Shenzhen one-matter  ")
    assert store.get("browser:a", conversation_id).title == "Shenzhen one-matter"
    assert store.title("browser:a", conversation_id) == "Shenzhen one-matter"
    with pytest.raises(ConversationError):
        store.title("browser:b", conversation_id)
    with pytest.raises(ConversationError):
        store.rename("browser:a", conversation_id, "   ")
    # a right-to-left override would show the title reversed, a spoof: invisible characters are not kept
    store.rename("browser:a", conversation_id, "\u202e5202 nehznehS\u202c")
    assert store.title("browser:a", conversation_id) == "5202 nehznehS"
    with pytest.raises(ConversationError):
        store.rename("browser:a", conversation_id, "\u202e\u200b")
    turn = store.add_turn("browser:a", conversation_id, QUESTION, answers[0])
    store.rate("browser:a", turn, -1, "wrong")
    store.delete("browser:a", conversation_id)
    assert store.summaries("browser:a") == []
    with sqlite3.connect(store.path) as db:  # turns and feedback go with it
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


def test_feedback_is_kept_and_disliked_turns_come_with_what_preceded_them(store, answers):
    first, follow = answers
    conversation_id = store.start("browser:a", QUESTION)
    liked = store.add_turn("browser:a", conversation_id, QUESTION, first)
    disliked = store.add_turn("browser:a", conversation_id, "2024年呢？", follow)
    with pytest.raises(ConversationError):
        store.comment("browser:a", liked, "not rated yet")
    store.rate("browser:a", liked, 1)
    store.rate("browser:a", disliked, -1, "expected the 2024 figure")
    store.rate("browser:a", disliked, -1)  # a second click keeps the comment
    with pytest.raises(ConversationError):
        store.rate("browser:a", liked, 5)
    with pytest.raises(ConversationError):
        store.rate("browser:b", liked, -1)
    turns = store.get("browser:a", conversation_id).turns
    assert [(t.rating, t.comment) for t in turns] == [(1, ""), (-1, "expected the 2024 figure")]
    [(conversation, turn)] = store.disliked()
    assert turn.question == "2024年呢？" and [t.question for t in conversation.turns] == [QUESTION]
    store.unrate("browser:a", disliked)
    assert store.disliked() == []


def test_a_share_token_opens_one_conversation_read_only(store, answers):
    conversation_id = store.start("browser:a", QUESTION)
    store.add_turn("browser:a", conversation_id, QUESTION, answers[0])
    token = store.share("browser:a", conversation_id)
    assert store.share("browser:a", conversation_id) == token and len(token) >= 24
    assert store.shared(token).turns[0].answer == answers[0]
    for bad in ("", "nope", None):
        with pytest.raises(ConversationError):
            store.shared(bad)


def test_schema_is_versioned_and_a_newer_file_is_left_alone(tmp_path):
    path = tmp_path / "conversations.sqlite3"
    assert ConversationStore(path).version == len(MIGRATIONS)
    assert ConversationStore(path).version == len(MIGRATIONS)  # opening again migrates nothing
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    before = path.read_bytes()
    with pytest.raises(ConversationError, match="newer version"):
        ConversationStore(path)
    assert path.read_bytes() == before
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database " * 100)
    with pytest.raises(ConversationError, match="not a conversations file"):
        ConversationStore(garbage)
    assert garbage.read_bytes() == b"not a database " * 100


def test_a_read_only_data_dir_keeps_conversations_in_a_temporary_copy(tmp_path, answers):
    writable = ConversationStore.open(tmp_path, "c.sqlite3", writable=True)
    conversation_id = writable.start("browser:a", QUESTION)
    before = (tmp_path / "c.sqlite3").read_bytes()
    copy = ConversationStore.open(tmp_path, "c.sqlite3", writable=False)
    assert not copy.persistent and copy.path.parent != tmp_path
    copy.add_turn("browser:a", conversation_id, QUESTION, answers[0])
    assert copy.get("browser:a", conversation_id).turns
    assert (tmp_path / "c.sqlite3").read_bytes() == before


def test_a_damaged_or_edited_saved_answer_is_shown_as_damaged_and_the_rest_loads(store, answers):
    """The data dir is outside input: a turn whose answer is not valid JSON, or whose text states a figure no cited
    span holds ("45个" edited to "999个"), comes back as a "not sure" answer saying it is damaged; the other turns,
    and the conversation, load as saved."""
    from assistant.conversations import DAMAGED, checked

    first, follow = answers
    conversation_id = store.start("browser:a", QUESTION)
    store.add_turn("browser:a", conversation_id, QUESTION, first)
    store.add_turn("browser:a", conversation_id, "2024年呢？", follow)
    store.add_turn("browser:a", conversation_id, QUESTION, first)
    with sqlite3.connect(store.path) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM turns ORDER BY position")]
        db.execute("UPDATE turns SET answer = ? WHERE id = ?", ("{not json", ids[0]))
        db.execute("UPDATE turns SET answer = ? WHERE id = ?", (first.model_dump_json().replace("45个。", "999个。"), ids[1]))
        db.execute("UPDATE turns SET reports = ? WHERE id = ?", ("[oops", ids[2]))
    saved = store.get("browser:a", conversation_id)
    assert [t.answer.answer for t in saved.turns[:2]] == [DAMAGED, DAMAGED]
    assert all(t.answer.status == "uncertain" and not t.answer.citations for t in saved.turns[:2])
    assert saved.turns[2].answer == first and saved.turns[2].reports is None
    # an edited report text: the span no longer matches it at its offsets, so the answer is shown (and exported) as
    # damaged; a report no longer in the library is not checked
    texts = {c.report_id: "x" * c.end for c in first.citations}
    shown = checked(saved, texts)
    assert shown.turns[2].answer.answer == DAMAGED and shown.turns[:2] == saved.turns[:2]
    assert checked(saved, {}).turns == saved.turns
