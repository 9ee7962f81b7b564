"""The Ask tab's turn (ui/chat.py) saving into the real conversations store."""
from __future__ import annotations

from ui.chat import Turn, allowed_reports, filter_choices

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
    assert first[0].name.startswith("深圳市2025年上线了多少个-高效办成一件事-")  # named after the conversation's title
    root = Path(conversations._exports.name)
    assert first[0].parent.parent == root
    old = time.time() - EXPORT_KEEP_S - 60
    os.utime(first[0].parent, (old, old))
    second = [Path(f) for f in conversations.export(owner, current, "zh", request)["value"]]
    assert second[0].is_file() and not first[0].parent.exists() and [d for d in root.iterdir()] == [second[0].parent]
    conversations._exports.cleanup()
    assert not root.exists()


def _contents(step) -> list[str]:
    chat = step[0]
    return [m["content"] for m in chat if m["role"] == "assistant"]


def test_a_turn_shows_what_was_understood_then_the_passages_read_then_the_answer(assistant):
    steps = list(Turn(assistant).respond(QUESTION, [], None, [], [], [], "en"))
    last = [_contents(step)[-1] for step in steps]
    working = [m for m in last if 'data-status="working"' in m]
    assert len(working) == 3 and len(last) == 4  # searching, understood, reading; then the answer
    assert "understood" not in working[0] and "Understood: a figure · Shenzhen · 2025" in working[1]
    assert "source-card" not in working[1] and "Reading (" in working[2] and "source-card" in working[2]
    assert 'data-status="answered"' in last[-1] and "45个" in last[-1]
    # what was understood stays with the answer, below it (the answer's first words are its figure)
    assert "Understood: a figure · Shenzhen · 2025" in last[-1]
    assert last[-1].index("45个") < last[-1].index("Understood")
    chat, context = steps[-1][0], steps[-1][2]
    assert [m["role"] for m in chat] == ["user", "assistant"] and len(context["history"]) == 2


def test_regenerate_asks_the_last_question_again_with_the_filters_as_they_are_now(assistant):
    turn = Turn(assistant)
    question = "上线了多少个“高效办成一件事”？"
    first = list(turn.respond(question, [], None, [], [], [], "zh"))[-1]
    assert 'data-status="clarify"' in _contents(first)[-1]
    chat, context = first[0], first[2]
    shenzhen_2025 = [rid for rid, m in assistant.reports.items() if (m.region, m.year) == ("深圳市", 2025)]
    again = list(turn.regenerate(chat, context, shenzhen_2025, [], [], "zh"))[-1]
    answers = _contents(again)
    assert len(answers) == 2 and 'data-status="clarify"' in answers[0]  # the earlier answer is kept
    assert 'data-status="answered"' in answers[1] and "45个" in answers[1]
    assert [m["content"] for m in again[0] if m["role"] == "user"] == [question, question]
    assert [h["content"] for h in again[2]["history"] if h["role"] == "user"] == [question, question]


def test_an_example_clicked_mid_conversation_is_asked_as_written_and_joins_the_conversation(assistant):
    turn = Turn(assistant)
    first = list(turn.respond("2024年中山市12345热线服务总量是多少？", [], None, [], [], [], "zh"))[-1]
    typed = list(turn.respond("How many one-matter items were launched?", first[0], first[2], [], [], [], "en"))[-1]
    assert 'data-status="clarify"' not in _contents(typed)[-1]  # typed, it is read as a follow-up about Zhongshan
    clicked = list(turn.example("How many one-matter items were launched?", first[0], first[2], [], [], [], "en"))[-1]
    assert 'data-status="clarify"' in _contents(clicked)[-1]  # clicked, it asks which bureau, as in a new chat
    assert len(clicked[2]["history"]) == 4  # and it is a turn of the conversation


def test_regenerate_without_a_question_to_ask_again_changes_nothing(assistant):
    steps = list(Turn(assistant).regenerate([], None, [], [], [], "zh"))
    assert len(steps) == 1 and all(isinstance(v, dict) and v.get("__type__") == "update" for v in steps[0])


class _StoreDown:
    """The real assistant, whose vector store stops answering (a Chroma server that went away) while it answers."""

    def __init__(self, assistant):
        self.real, self.down = assistant, True

    def __getattr__(self, name):
        return getattr(self.real, name)

    def ask(self, text, **kwargs):
        if self.down:
            raise ConnectionError("[Errno 111] Connection refused")
        return self.real.ask(text, **kwargs)


def test_a_failure_while_answering_is_one_line_in_the_chat_and_regenerate_asks_again(assistant):
    down = _StoreDown(assistant)
    turn = Turn(down)
    failed = list(turn.respond(QUESTION, [], None, [], [], [], "en"))[-1]
    chat, box, context = failed[0], failed[1], failed[2]
    assert "status-error" in chat[-1]["content"] and "ConnectionError: [Errno 111] Connection refused" in chat[-1]["content"]
    assert "try again (↻)" in chat[-1]["content"] and box == QUESTION and context["history"] == []  # nothing kept
    down.down = False
    # the chat as the browser sends it back: Gradio's form of a message, its text in a list of parts
    chat = [{"role": m["role"], "metadata": None, "content": [{"text": m["content"], "type": "text"}], "options": None}
            for m in chat]
    again = list(turn.regenerate(chat, context, [], [], [], "en"))[-1]
    assert [m["role"] for m in again[0]] == ["user", "assistant"]  # asked again in the failed turn's place
    assert "45个" in again[0][-1]["content"] and len(again[2]["history"]) == 2
    assert again[2]["history"][0]["content"] == QUESTION and again[0][0]["content"] == QUESTION  # as it was typed


def test_a_bureau_that_spelled_its_name_two_ways_is_listed_once_and_filters_all_its_reports(assistant):
    _, bureaus, _ = filter_choices(assistant)
    longhua = [b for b in bureaus if "龙华区" in b]
    assert longhua == ["深圳市龙华区政务服务和数据管理局"]  # the 2025 spelling; 2022 wrote 政务服务数据管理局
    both = sorted(rid for rid, m in assistant.reports.items() if m.region == "深圳市龙华区")
    assert sorted(allowed_reports(assistant, [], longhua, [])) == both
    assert sorted(allowed_reports(assistant, [], ["深圳市龙华区政务服务数据管理局"], [])) == both  # the old spelling too
    assert allowed_reports(assistant, [], longhua, ["2022"]) == [r for r in both if assistant.reports[r].year == 2022]


def test_invisible_characters_are_neither_shown_nor_saved(assistant):
    """A right-to-left override in a question ("\u202e…") would show it reversed in the chat and the title."""
    turn = Turn(assistant)
    chat = list(turn.respond("\u202e" + QUESTION + "\u200b", [], None, [], [], [], "en"))[-1][0]
    assert chat[0]["content"] == QUESTION and "45个" in chat[-1]["content"]
    only_invisible = list(turn.respond("\u202e\u200b", [], None, [], [], [], "en"))[-1][0]
    assert "Type a question first." in only_invisible[-1]["content"]


def test_an_empty_question_is_refused_once_however_often_it_is_sent(assistant):
    turn = Turn(assistant)
    once = list(turn.respond("  ", [], None, [], [], [], "en"))[-1][0]
    assert [m["role"] for m in once] == ["user", "assistant"] and "Type a question first." in once[-1]["content"]
    again = list(turn.respond("", once, None, [], [], [], "en"))[-1][0]
    assert again == once  # Enter pressed again on the empty box: no second warning
    # ... also when the chat comes back from the browser, in Gradio's form of a message
    sent_back = [{"role": m["role"], "metadata": None, "content": [{"text": m["content"], "type": "text"}], "options": None}
                 for m in once]
    assert list(turn.respond("", sent_back, None, [], [], [], "en"))[-1][0] == sent_back
    asked = list(turn.respond(QUESTION, again, None, [], [], [], "en"))[-1][0]
    assert len(asked) == 4 and "45个" in asked[-1]["content"]


def test_each_filter_lists_only_what_the_other_two_allow(assistant):
    reports, bureaus, years = filter_choices(assistant)
    assert len(reports) == len(assistant.reports) and years == ["2022", "2024", "2025"]
    zhongshan = [b for b in bureaus if "中山市" in b]
    reports, bureaus_left, years = filter_choices(assistant, [], zhongshan, [])
    assert years == ["2024"] and [rid for _, rid in reports] == ["003"] and bureaus_left == bureaus  # its own list kept
    _, bureaus_2022, _ = filter_choices(assistant, [], [], ["2022"])
    assert bureaus_2022 == ["深圳市龙华区政务服务和数据管理局"]
    # what a filter holds stays a choice, even when the others rule it out (the status then says nothing matches)
    reports, bureaus, years = filter_choices(assistant, ["002"], zhongshan, ["2022"])
    assert "2022" in years and "002" in [rid for _, rid in reports] and zhongshan[0] in bureaus


def test_a_place_no_report_covers_offers_no_report_to_ask_instead(assistant):
    """"北京市…" is not found; a button "中山市2024年" would be read into that question ("中山市北京市2024年…"), so none is
    offered; a fact the reports do not state still offers the reports of its related passages."""
    turn = Turn(assistant)
    elsewhere = assistant.ask("北京市2024年12345热线接了多少电话？")
    assert elsewhere.status == "not_found" and elsewhere.scope["other_places"] and turn.candidates(elsewhere) == []
    unstated = assistant.ask("How many one-matter items did Shenzhen launch in 2023?")
    assert unstated.status == "not_found" and turn.candidates(unstated)


def test_an_export_holds_no_quote_that_is_no_longer_its_reports_text(assistant):
    """Export checks a saved answer as the chat does (Assistant.conversation): a turn whose quoted span was edited in
    the data dir is exported as damaged, not with its unsupported quote and figure."""
    import sqlite3
    from pathlib import Path
    from types import SimpleNamespace

    from assistant.conversations import DAMAGED
    from ui.conversations import Conversations

    owner = "browser:" + "c" * 32
    answer = assistant.ask(QUESTION)
    current, turn_id = Turn(assistant).save(owner, None, QUESTION, answer, None, "zh")
    edited = answer.model_copy(update={"citations": [c.model_copy(update={"text": c.text.replace("45", "99")})
                                                     for c in answer.citations],
                                       "answer": answer.answer.replace("45", "99")})
    with sqlite3.connect(assistant.conversations.path) as db:
        db.execute("UPDATE turns SET answer = ? WHERE id = ?", (edited.model_dump_json(), turn_id))
    request = SimpleNamespace(url=SimpleNamespace(scheme="http", netloc="127.0.0.1:7860"))
    conversations = Conversations(assistant)  # its export folder lives as long as it does
    files = [Path(f) for f in conversations.export(owner, current, "zh", request)["value"]]
    exported = "".join(f.read_text(encoding="utf-8") for f in files)
    assert edited.citations[0].text not in exported and "99个" not in exported and DAMAGED.split(" (")[0] in exported
    assert assistant.conversation(owner, current).turns[0].answer.answer == DAMAGED


def test_asking_from_a_shared_link_continues_a_copy_of_it(assistant):
    """A shared conversation is read-only; a question asked from it is read against it (its context is kept) and
    the conversation continues as the asker's own copy, with the shared turns and the new one."""
    from ui.conversations import SHARED

    turn, store = Turn(assistant), assistant.conversations
    sharer, reader = "browser:" + "d" * 32, "browser:" + "e" * 32
    first = "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?"
    shared_id, _ = turn.save(sharer, None, first, assistant.ask(first), None, "en")
    token = store.share(sharer, shared_id)
    chat, context, _ = turn.restore(assistant.shared_conversation(token), "en")
    *_, (chat, _, context, _, current, turn_ids) = turn.respond(
        "How many work orders did it dispatch?", chat, context, [], [], [], "en", reader, SHARED + token, {})
    assert "43.9万张" in chat[-1]["content"] and current != shared_id
    copy = store.get(reader, current)
    assert [t.question for t in copy.turns] == [first, "How many work orders did it dispatch?"]
    assert sorted(turn_ids) == [1, 3] and list(turn_ids.values()) == [t.id for t in copy.turns]
    assert len(store.get(sharer, shared_id).turns) == 1  # the shared conversation is unchanged


def test_a_rename_to_an_empty_title_keeps_the_title_and_shows_it_again(assistant):
    from ui.conversations import Conversations

    owner = "browser:" + "r" * 32
    current, _ = Turn(assistant).save(owner, None, QUESTION, assistant.ask(QUESTION), None, "zh")
    conversations = Conversations(assistant)
    kept = conversations.title_of(owner, current)
    assert conversations.rename(owner, current, " \u200b ", "", "zh")[2] == kept  # the box shows the kept title
    assert conversations.title_of(owner, current) == kept
    conversations._exports.cleanup()
