"""python -m eval feedback: every 👎 answer saved by the app becomes a draft eval item (the question, the
conversation before it, the answer given and the user's comment) for a person to complete with the gold figure
and its evidence, then move into a question set. Only reads the conversations (a file of an older schema is
migrated first, as the app would do)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.conversations import Conversation, ConversationError, ConversationStore, SavedTurn
from assistant.settings import Settings

EVAL_DIR = Path(__file__).parent


def draft(conversation: Conversation, turn: SavedTurn) -> dict:
    """One eval item to complete: type, report_id, gold and evidence are left for the person who checks it."""
    answer = turn.answer
    return {
        "id": f"feedback-{turn.id}",
        "question": turn.question,
        "history": conversation.history(),
        "lang": answer.lang,
        "type": "",          # figure / followup / comparison / ambiguous / unanswerable …
        "report_id": "",
        "gold": [],
        "evidence": "",
        "feedback": {"comment": turn.comment, "conversation": conversation.title, "reports_filter": turn.reports},
        "answer_given": {"status": answer.status, "answer": answer.answer,
                         "citations": [{"report_id": c.report_id, "year": c.year, "text": c.text} for c in answer.citations]},
    }


def export(settings: Settings, out: Path) -> int:
    """Writes the drafts to out (JSON lines); -> how many."""
    if not settings.conversations_path.exists():
        drafts = []
    else:
        store = ConversationStore(settings.conversations_path)
        drafts = [draft(conversation, turn) for conversation, turn in store.disliked()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in drafts), encoding="utf-8")
    return len(drafts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval feedback",
                                     description="Export the answers users marked 👎 as draft eval items.")
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "results" / "feedback-drafts.jsonl")
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        count = export(settings, args.out)
    except (ConversationError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{count} disliked answers from {settings.conversations_path} -> {args.out}"
          + ("" if count else " (nothing to complete)"))
    return 0
