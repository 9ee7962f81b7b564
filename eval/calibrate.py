"""python -m eval.calibrate [--questions FILE]: sweep the two answering thresholds over the question set and
print what each value does, to choose them by measurement:
- min_answer_score: below it the answer is "not found" (refusal on unanswerable vs false refusal on answerable);
- clarify_margin: reports answering within it of the best one, with different figures, make the assistant ask
  back (accuracy on ambiguous questions vs single-report questions wrongly turned into "clarify")."""
from __future__ import annotations

import argparse
from pathlib import Path

from assistant.service import Assistant
from assistant.settings import Settings
from eval.runner import EVAL_DIR, load_questions, run
from eval.metrics import rate, summarize

MIN_SCORES = (0.7, 0.8, 0.9, 1.0, 1.05, 1.1, 1.15, 1.2)
MARGINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4)


def sweep(assistant: Assistant, settings: Settings, questions: list[dict], field: str, values: tuple[float, ...]) -> list[str]:
    lines = [f"| {field} | accuracy | refusal | false_refusal | ambiguous accuracy | single-report clarified |",
             "|---|---|---|---|---|---|"]
    for value in values:
        assistant.settings = settings.model_copy(update={field: value})
        rows = run(assistant.settings, questions, assistant)
        summary = summarize(rows)
        ambiguous = rate([r["correct"] for r in rows if r["type"] == "ambiguous"])
        clarified = rate([r["status"] == "clarify" for r in rows if r["type"] not in ("ambiguous", "unanswerable")])
        lines.append(f"| {value} | {summary['accuracy']} | {summary['refusal']} | {summary['false_refusal']} | {ambiguous} | {clarified} |")
    assistant.settings = settings
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate")
    parser.add_argument("--questions", type=Path, default=EVAL_DIR / "questions.jsonl")
    args = parser.parse_args()
    settings = Settings()
    assistant = Assistant(settings)
    questions = load_questions(args.questions)
    print("\n".join(sweep(assistant, settings, questions, "min_answer_score", MIN_SCORES)))
    print()
    print("\n".join(sweep(assistant, settings, questions, "clarify_margin", MARGINS)))


if __name__ == "__main__":
    main()
