"""The learned answer ranker on the real corpus: trained from generated questions with the index, saved in the
data dir, deterministic, and deciding between answering, "not sure" and not found."""
import pickle

import pytest

from assistant import synth
from assistant.ranker import Ranker
from assistant.verify import ungrounded_figures
from eval.metrics import stated_part


def test_the_ranker_is_trained_with_the_index_and_saved_in_the_data_dir(assistant, settings):
    assert settings.ranker_path.is_file()
    stats = assistant.ranker.stats
    assert stats["questions"] >= 300 and stats["source_in_pool"] >= 0.9 * stats["questions"]
    assert stats["heldout_top1"] >= 0.8  # generated questions held out of its fit
    assert Ranker.load(settings.ranker_path, assistant.ranker_fingerprint()) is not None


def test_a_ranker_of_another_index_or_a_damaged_file_is_not_used(assistant, settings, tmp_path):
    assert Ranker.load(settings.ranker_path, "another-index") is None
    broken = tmp_path / "ranker.pkl"
    broken.write_bytes(b"not a model")
    assert Ranker.load(broken, assistant.ranker_fingerprint()) is None
    broken.write_bytes(pickle.dumps({"version": -1}))
    assert Ranker.load(broken, assistant.ranker_fingerprint()) is None


def test_training_is_deterministic(assistant):
    questions = synth.generate(assistant.sentences, assistant.reports, assistant.glossary, assistant.dictionary, seed=5)[:60]
    again = synth.generate(assistant.sentences, assistant.reports, assistant.glossary, assistant.dictionary, seed=5)[:60]
    assert questions == again
    first = Ranker.train(questions, assistant._search_text, "fp", seed=5)
    second = Ranker.train(questions, assistant._search_text, "fp", seed=5)
    assert (first.model[-1].coef_ == second.model[-1].coef_).all()


@pytest.mark.parametrize("question, stated", [
    # a member of an enumeration: "跑动次数4次…压减比例分别为62%、51%、81%、56%"
    ("深圳市2025年“高效办成一件事”跑动次数的压减比例是多少？", "81%"),
    # the qualifier as the report writes it ("上线以来" of 深小i now asks back: tests/assistant/test_compare.py)
    ("“i深圳”注册用户超过多少？", "超2100万"),
    # two figures asked at once
    ("深圳数据交易所上架了多少个交易标的、引进了多少家经营主体？", "超3900个；超4900家"),
])
def test_the_answer_states_the_claim_the_question_asks_for(assistant, question, stated):
    answer = assistant.ask(question)
    assert answer.status == "answered" and answer.answer.startswith(stated)
    assert not ungrounded_figures(answer.model_dump())


def test_below_the_answer_threshold_the_assistant_is_not_sure_and_states_no_figure(assistant):
    question = "深圳市2025年“高效办成一件事”跑动次数的压减比例是多少？"
    kept = assistant.settings
    assistant.settings = kept.model_copy(update={"answer_threshold": 1.0, "uncertain_threshold": 0.0})
    try:
        answer = assistant.ask(question)
    finally:
        assistant.settings = kept
    assert answer.status == "uncertain" and answer.citations
    assert "81%" not in stated_part(answer.answer, "figure")  # the candidates are quoted, not stated
    assert not ungrounded_figures(answer.model_dump())
