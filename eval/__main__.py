"""python -m eval [--questions FILE] [--out DIR]: run the question set through the same `ask` path as the
CLI and print accuracy, citation support, groundedness, right report and latency, overall and per group."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.cli import ask_batch
from assistant.service import Assistant
from assistant.settings import Settings
from eval.metrics import judge, summarize

EVAL_DIR = Path(__file__).resolve().parent
COLUMNS = ["n", "accuracy", "citation_support", "grounded", "right_report@1", "p50_ms", "p95_ms"]


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(settings: Settings, questions: list[dict]) -> list[dict]:
    assistant = Assistant(settings)
    rows = []
    for item in questions:
        line = json.dumps({"id": item["id"], "question": item["question"], "history": item.get("history", [])}, ensure_ascii=False)
        started = time.perf_counter()
        result = next(iter(ask_batch(assistant, [line])))
        latency = (time.perf_counter() - started) * 1000
        rows.append({"id": item["id"], "type": item["type"], "lang": item["lang"], "latency_ms": latency,
                     **judge(item, result), "status": result.get("status"), "answer": result.get("answer", result.get("error"))})
    return rows


def table(rows: list[dict]) -> str:
    groups = {"all": rows}
    for key in ("lang", "type"):
        for value in sorted({r[key] for r in rows}):
            groups[f"{key}={value}"] = [r for r in rows if r[key] == value]
    lines = [f"{'group':<18}" + "".join(f"{c:>18}" for c in COLUMNS)]
    for name, members in groups.items():
        summary = summarize(members)
        lines.append(f"{name:<18}" + "".join(f"{'-' if summary[c] is None else summary[c]:>18}" for c in COLUMNS))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval")
    parser.add_argument("--questions", type=Path, default=EVAL_DIR / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "results")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    rows = run(Settings(), load_questions(args.questions))
    report = table(rows)
    print(report)
    if args.show_failures:
        for r in rows:
            if not r["correct"] or r["supported"] is False:
                print(f"FAIL {r['id']}: [{r['status']}] {str(r['answer'])[:160]}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.out / f"results-{stamp}.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    (args.out / f"summary-{stamp}.txt").write_text(report + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}/results-{stamp}.jsonl and summary-{stamp}.txt")


if __name__ == "__main__":
    main()
