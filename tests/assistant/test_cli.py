"""The CLI contract against the session's index: its main() in-process (`cli`), and as a user runs it, a new
process (`cli_process`, `run_cli`), where the process boundary matters (output encoding, exit codes, startup)."""
import json
import os
import subprocess
import sys

import pytest

from assistant.settings import REPO_ROOT

ANSWER_KEYS = {"id", "question", "status", "answer", "citations", "timings_ms"}
CITATION_KEYS = {"n", "report_id", "title", "bureau", "year", "text", "start", "end", "score"}


def test_ask_json_contract(cli_process):
    done = cli_process("ask", "深圳市2025年上线了多少个“高效办成一件事”？", "--json")
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


def test_a_bad_line_never_stops_the_batch(cli_process, tmp_path):
    good = "深圳市2025年上线了多少个“高效办成一件事”？"
    lines = [json.dumps({"id": [1], "question": good}).encode(), json.dumps({"id": {"a": 1}, "question": good}).encode(),
             json.dumps({"id": 1.5, "question": good}).encode(), json.dumps({"id": True, "question": good}).encode(),
             b'{"id": "gbk", "question": "' + "深圳".encode("gbk") + b'"}', b'{"id": "s", "question": "\\ud800"}',
             b'{"id": "\\udc80", "question": "x"}', b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe\x00",
             json.dumps({"id": "h", "question": "满意度呢？", "history": "abc"}).encode(),
             json.dumps({"id": "long", "question": good, "history": [{"role": "user", "content": "中山市" * 400_000}]},
                        ensure_ascii=False).encode(),
             json.dumps({"id": "fw", "question": "深圳市２０２５年上线了多少个“高效办成一件事”？"}, ensure_ascii=False).encode(),
             json.dumps({"id": "own", "question": "上线了多少个“高效办成一件事”？", "reports": ["000"]}, ensure_ascii=False).encode(),
             json.dumps({"id": 7, "question": "上线了多少个“高效办成一件事”？"}, ensure_ascii=False).encode()]
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = cli_process("ask", "--json", "--questions", str(path), "--reports", "002")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    assert all("error" in o and o["id"] is None for o in out[:4])
    assert [o["id"] for o in out[4:10]] == [None, "s", None, None, None, "h"] and all("error" in o for o in out[4:10])
    assert "not UTF-8" in out[4]["error"] and "not valid Unicode" in out[5]["error"] and "nested too deeply" in out[7]["error"]
    assert out[10]["status"] == "answered" and out[10]["answer"].startswith("45个")  # the history was capped, not chewed on
    assert out[11]["answer"].startswith("45个")  # full-width digits read as 2025
    assert out[12]["answer"].startswith("23个") and out[12]["scope"]["filter"] == ["000"]  # its own filter wins
    assert out[13]["id"] == 7 and out[13]["answer"].startswith("45个") and out[13]["scope"]["filter"] == ["002"]


def run_cli(*args, **env):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=REPO_ROOT, env={**os.environ, **env},
                          capture_output=True, timeout=120)


@pytest.mark.parametrize("args, env, message", [
    (["ask", "--json", "--questions", "/nonexistent/q.jsonl"], {}, b"No such file"),
    (["ask", "--json", "--questions", "/tmp"], {}, b"Is a directory"),
    (["ask", b"\xff\xfe\xe6\xb7".decode("utf-8", "surrogateescape")], {}, b"not valid Unicode"),
    (["ask", "x"], {"GOVQA_GLOSSARY_NAME": "../../../etc/passwd"}, b"GOVQA_GLOSSARY_NAME"),
    (["ask", "x"], {"GOVQA_MANIFEST_NAME": "../../etc/hosts"}, b"GOVQA_MANIFEST_NAME"),
    (["ask", "x"], {"GOVQA_MAX_QUESTION_CHARS": "many"}, b"GOVQA_MAX_QUESTION_CHARS"),
    (["ask", "x"], {"GOVQA_DENSE_WEIGHT": "nan"}, b"GOVQA_DENSE_WEIGHT: Input should be a finite number"),
    (["ask", "x"], {"GOVQA_RRF_K": "-60"}, b"GOVQA_RRF_K"),
    (["ask", "x"], {"GOVQA_EMBED_BATCH_SIZE": "0"}, b"GOVQA_EMBED_BATCH_SIZE"),
    (["ask", "深圳市2025年上线了多少个“高效办成一件事”？"], {"GOVQA_DATA_DIR": "/etc/hostname"}, b"data dir /etc/hostname"),
    (["retrieve", "热线", "-k", "0"], {}, b"-k must be"),
])
def test_every_cli_failure_is_one_line_and_exit_2(args, env, message):
    done = run_cli(*args, **env)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert b"Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1 and done.stdout == b""
    assert b"root:" not in done.stderr  # no file's content is echoed


def test_a_batch_line_longer_than_the_limit_is_refused_unread():
    """One huge line (or a file without line ends) is skipped in pieces, never held whole, and is that line's error
    only."""
    import io

    from assistant.cli import bounded_lines

    data = b'{"id": 1}\n' + b"x" * 100 + b"\n" + b"y" * 250 + b'\n{"id": 2}\n' + b"z" * 30
    assert list(bounded_lines(io.BytesIO(data), limit=64)) == [b'{"id": 1}\n', None, None, b'{"id": 2}\n', b"z" * 30]
