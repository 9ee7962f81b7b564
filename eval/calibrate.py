"""python -m eval.calibrate [--questions FILE] [--max-wrong 0.05]: choose the answer ranker's thresholds by
measurement, for precision. It sweeps answer_threshold (the ranker's probability an answer needs) over a held-out
question set, prints accuracy, wrong-answer rate, "not sure" and refusal for each value, draws the risk–coverage
curve (PNG: share of answerable questions answered vs. share of answers that are wrong) and names the operating
point: the threshold maximizing accuracy - 3 x wrong-answer rate (a wrong figure with a real citation is the worst
outcome), saying whether its wrong-answer rate meets --max-wrong. Then clarify_margin and uncertain_threshold
are swept at that point. Never run it on the blind sets (eval/blind*.jsonl): they are for measuring only."""
from __future__ import annotations

import argparse
from pathlib import Path

from assistant.service import Assistant
from assistant.settings import Settings
from eval.metrics import rate, summarize
from eval.runner import EVAL_DIR, load_questions, run

THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
MARGINS = (0.1, 0.3, 0.5)
UNSURE = (0.15, 0.25, 0.35)


def sweep(assistant: Assistant, settings: Settings, questions: list[dict], field: str, values: tuple[float, ...]) -> list[dict]:
    points = []
    for value in values:
        assistant.settings = settings.model_copy(update={field: value})
        rows = run(assistant.settings, questions, assistant)
        summary = summarize(rows)
        answerable = [r for r in rows if r["answerable"]]
        answered = [r for r in rows if r["status"] in ("answered", "clarify")]
        points.append({field: value, **{k: summary[k] for k in ("accuracy", "wrong_answer", "uncertain", "refusal", "false_refusal")},
                       "coverage": rate([r["status"] in ("answered", "clarify") for r in answerable]),
                       "risk": rate([r["wrong"] for r in answered]) or 0.0,
                       "ambiguous": rate([r["correct"] for r in rows if r["type"] == "ambiguous"])})
    assistant.settings = settings
    return points


# A wrong answer costs as much as this many right ones: a wrong figure with a real citation is the worst outcome.
WRONG_COST = 3.0


def choose(points: list[dict]) -> dict:
    """The threshold with the best accuracy - 3 x wrong-answer rate (ties: fewer wrong answers)."""
    return max(points, key=lambda p: (round(p["accuracy"] - WRONG_COST * p["wrong_answer"], 6), -p["wrong_answer"]))


def table(points: list[dict], field: str) -> str:
    columns = [field, "accuracy", "wrong_answer", "uncertain", "refusal", "false_refusal", "coverage", "risk", "ambiguous"]
    lines = ["| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    lines += ["| " + " | ".join("-" if p[c] is None else str(p[c]) for c in columns) + " |" for p in points]
    return "\n".join(lines)


def plot(points: list[dict], chosen: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([p["coverage"] for p in points], [p["risk"] for p in points], marker="o")
    for p in points:
        ax.annotate(str(p["answer_threshold"]), (p["coverage"], p["risk"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.scatter([chosen["coverage"]], [chosen["risk"]], s=120, facecolors="none", edgecolors="red", label="chosen")
    ax.set_xlabel("coverage (answerable questions answered)")
    ax.set_ylabel("risk (answers that are wrong)")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate")
    parser.add_argument("--questions", type=Path, default=EVAL_DIR / "dev.jsonl")
    parser.add_argument("--max-wrong", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "results")
    args = parser.parse_args()
    if args.questions.name.startswith("blind"):
        parser.error(f"eval/{args.questions.name} is for measuring only; calibrate on another set")
    settings = Settings()
    assistant = Assistant(settings)
    questions = load_questions(args.questions)
    points = sweep(assistant, settings, questions, "answer_threshold", THRESHOLDS)
    chosen = choose(points)
    print(table(points, "answer_threshold"))
    path = args.out / f"risk-coverage-{args.questions.stem}.png"
    plot(points, chosen, path, f"risk–coverage on {args.questions.name} ({len(questions)} q)")
    met = "meets" if chosen["wrong_answer"] <= args.max_wrong else "does NOT meet"
    print(f"\noperating point: answer_threshold={chosen['answer_threshold']} (accuracy {chosen['accuracy']}, wrong-answer "
          f"rate {chosen['wrong_answer']} — {met} the target {args.max_wrong}, coverage {chosen['coverage']}); curve: {path}\n")
    settings = settings.model_copy(update={"answer_threshold": chosen["answer_threshold"]})
    margins = sweep(assistant, settings, questions, "clarify_margin", MARGINS)
    print(table(margins, "clarify_margin"))
    print()
    # below uncertain_threshold the answer is "not found": refusal on traps vs. "not sure" on answerable questions
    print(table(sweep(assistant, settings, questions, "uncertain_threshold", UNSURE), "uncertain_threshold"))


if __name__ == "__main__":
    main()
