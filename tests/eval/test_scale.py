"""The synthetic library of eval.scale: copies moved to other places with their figures substituted, and questions
whose gold is the copy's own figure, found in the copy's text."""
import json
import tomllib

from eval.runner import EVAL_DIR, load_questions
from eval.scale import SOURCES, generate


def test_copies_and_their_questions_agree(tmp_path):
    made = generate(12, tmp_path, seed=3, traps=6)
    corpus = made["corpus"]
    reports = tomllib.loads((corpus / "manifest.toml").read_text(encoding="utf-8"))["reports"]
    assert len(reports) == made["reports"] == 12 and len({r["region"] for r in reports}) == 10  # 深圳市 twice, 龙华区 twice
    texts = {r["id"]: (corpus / r["file"]).read_text(encoding="utf-8") for r in reports}
    copies = [r for r in reports if r["notes"].startswith("synthetic")]
    for r in copies:
        assert "深圳" not in r["bureau"] and "中山" not in r["bureau"] and r["region"][:2] in texts[r["id"]]
    questions = [json.loads(line) for line in (corpus / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    source = {q["id"]: q for name in SOURCES for q in load_questions(EVAL_DIR / name)}
    of_copies = [q for q in questions if q.get("kind_note") == "copy"]
    assert of_copies and {q["type"] for q in questions} == {"figure", "unanswerable", "ambiguous"}
    for q in of_copies:
        assert q["evidence"] in texts[q["report_id"]] and all(g in q["evidence"] for g in q["gold"])
        assert q["gold"] != source[q["source"]]["gold"]  # the copy's own figure, not the base's
