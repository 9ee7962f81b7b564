"""python -m eval feedback: disliked answers become draft eval items."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from assistant.conversations import ConversationStore
from assistant.settings import REPO_ROOT


def test_disliked_answers_become_draft_items(tmp_path, assistant):
    question = "中山市2024年12345热线服务总量是多少？"
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    conversation_id = store.start("browser:a", question)
    first = store.add_turn("browser:a", conversation_id, question, assistant.ask(question))
    follow_up = assistant.ask("满意度呢？", history=store.get("browser:a", conversation_id).history())
    second = store.add_turn("browser:a", conversation_id, "满意度呢？", follow_up)
    store.rate("browser:a", first, 1)
    store.rate("browser:a", second, -1, "want the hotline's rate")
    out = tmp_path / "drafts.jsonl"
    env = {**os.environ, "GOVQA_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "eval", "feedback", "--out", str(out)], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 disliked answers")
    [item] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert item["question"] == "满意度呢？" and item["history"][0] == {"role": "user", "content": question}
    assert item["gold"] == [] and item["feedback"]["comment"] == "want the hotline's rate"
    assert item["answer_given"]["answer"] == follow_up.answer
