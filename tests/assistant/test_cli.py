"""The CLI contract, run as a user runs it (a subprocess), against the session's index."""
import json
import os
import subprocess
import sys

from assistant.settings import REPO_ROOT

ANSWER_KEYS = {"id", "question", "status", "answer", "citations", "timings_ms"}
CITATION_KEYS = {"n", "report_id", "title", "bureau", "year", "text", "start", "end", "score"}


def test_ask_json_contract(cli):
    done = cli("ask", "深圳市2025年上线了多少个“高效办成一件事”？", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert ANSWER_KEYS <= set(answer) and answer["status"] == "answered"
    assert answer["answer"].startswith("45个")
    assert CITATION_KEYS <= set(answer["citations"][0])
    assert set(answer["timings_ms"]) == {"retrieve", "answer", "total"}


def test_bad_question_exits_2_with_message(cli):
    for bad in ("", "   ", "问" * 600):
        done = cli("ask", bad, "--json")
        assert done.returncode == 2 and "error:" in done.stderr and done.stdout == ""


def test_batch_mode_one_line_per_input(cli, tmp_path):
    lines = [
        {"id": "a", "question": "中山市12345热线满意度是多少？"},
        {"id": "b", "question": "  "},
        {"id": "c", "question": "“出生一件事”业务量是多少？",
         "history": [{"role": "user", "content": "龙华区2025年的情况"}, {"role": "assistant", "content": "…"}]},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n", encoding="utf-8")
    done = cli("ask", "--json", "--questions", str(path))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", "b", "c", None]
    assert "99.63%" in out[0]["answer"]
    assert "error" in out[1] and "empty" in out[1]["error"]
    assert out[2]["citations"][0]["report_id"] == "004" and "4046件" in out[2]["answer"]
    assert "invalid JSON" in out[3]["error"]


def test_retrieve_json(cli):
    done = cli("retrieve", "热线满意度", "--json", "-k", "2")
    assert done.returncode == 0, done.stderr
    passages = json.loads(done.stdout)
    assert len(passages) == 2 and passages[0]["rank"] == 1 and "report_id" in passages[0]


def test_index_is_idempotent_from_the_cli(cli):
    done = cli("index")
    assert done.returncode == 0 and "added -" in done.stdout and "unchanged" in done.stdout


def test_ask_json_adds_grounding_fields_and_clarify_in_text(cli):
    done = cli("ask", "深圳市上线了多少个“高效办成一件事”？", "--json")
    answer = json.loads(done.stdout)
    assert answer["status"] == "clarify" and {"rows", "related", "notes", "answerer", "verified_figures", "scope"} <= set(answer)
    assert {r["figure"] for r in answer["rows"]} == {"23个", "45个"} and "23" in answer["verified_figures"]
    text = cli("ask", "深圳市上线了多少个“高效办成一件事”？")
    assert text.returncode == 0 and text.stdout.startswith("[clarify]") and "深圳市2025年" in text.stdout


def test_llm_mode_without_endpoint_is_a_settings_error():
    env = {**os.environ, "GOVQA_LLM_MODE": "openai_like"}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", "问题"], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "llm_api_base" in done.stderr


def test_ask_with_a_report_filter(cli, tmp_path):
    done = cli("ask", "上线了多少个“高效办成一件事”？", "--json", "--reports", "002")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "answered" and answer["answer"].startswith("45个") and answer["scope"]["filter"] == ["002"]
    done = cli("ask", "热线满意度是多少？", "--reports", "999")
    assert done.returncode == 2 and "unknown report id" in done.stderr
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "f", "question": "热线满意度是多少？", "reports": "003"}) + "\n", encoding="utf-8")
    out = json.loads(cli("ask", "--json", "--questions", str(path)).stdout)
    assert "reports must be a list" in out["error"]
