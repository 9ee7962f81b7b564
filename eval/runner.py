"""The eval runner (python -m eval [--questions FILE] [--out DIR]): run the question set through the same paths as the CLI
(`ask` batch mode and `retrieve`), print retrieval and answer metrics overall and per language / type /
disambiguation, and write the per-question rows, the table and a plot under a git-ignored folder."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable

from assistant.cli import ask_batch
from assistant.service import Assistant
from assistant.settings import Settings
from eval.metrics import judge, judge_retrieval, summarize
from eval.plot import plot_groups
from index.load import load_reports

EVAL_DIR = Path(__file__).resolve().parent
COLUMNS = ["n", "recall@1", "recall@5", "right_report@1", "accuracy", "wrong_answer", "uncertain", "citation_support", "grounded", "refusal",
           "false_refusal", "p50_ms", "p95_ms"]
RETRIEVAL_K = 5


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evidence_spans(settings: Settings, questions: list[dict]) -> dict[str, tuple[int, int] | None]:
    """Where each gold evidence string sits in its report (offsets into the stored text)."""
    texts = {r.meta.id: r.text for r in load_reports(settings.manifest_path)}
    spans = {}
    for item in questions:
        evidence = item.get("evidence") or ""
        at = texts.get(item.get("report_id") or "", "").find(evidence or "\0")
        spans[item["id"]] = (at, at + len(evidence)) if at >= 0 and evidence else None
    return spans


def run(settings: Settings, questions: list[dict], assistant: Assistant | None = None,
        progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """progress(done, total) is called before each question (the UI's progress bar)."""
    assistant = assistant or Assistant(settings)
    spans = evidence_spans(settings, questions)
    rows = []
    for done, item in enumerate(questions):
        if progress:
            progress(done, len(questions))
        history = item.get("history", [])
        # the answer, through the CLI's batch path
        line = json.dumps({"id": item["id"], "question": item["question"], "history": history}, ensure_ascii=False)
        started = time.perf_counter()
        result = next(iter(ask_batch(assistant, [line])))
        latency = (time.perf_counter() - started) * 1000
        # the ranked passages, through the CLI's retrieve path
        passages = [p.model_dump() for p in assistant.retrieve(item["question"], RETRIEVAL_K, history=history)]
        rows.append({"id": item["id"], "type": item["type"], "lang": item["lang"],
                     "kind": item.get("kind_note"),
                     "disambiguation": bool(item.get("disambiguation")), "latency_ms": latency,
                     **judge_retrieval(item, passages, spans[item["id"]]), **judge(item, result),
                     "status": result.get("status"), "answer": result.get("answer", result.get("error")),
                     "top_passage": passages[0]["report_id"] + ":" + passages[0]["text"][:60] if passages else None})
    return rows


def summarize_groups(rows: list[dict]) -> dict[str, dict]:
    return {name: summarize(members) for name, members in groups(rows).items()}


def write_outputs(rows: list[dict], summaries: dict[str, dict], out: Path) -> dict[str, Path]:
    """The per-question rows, the table and the plot of one run, named by its time."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    paths = {"results": out / f"results-{stamp}.jsonl", "summary": out / f"summary-{stamp}.md", "plot": out / f"plot-{stamp}.png"}
    paths["results"].write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    paths["summary"].write_text(table(summaries) + "\n", encoding="utf-8")
    plot_groups(summaries, paths["plot"], title=f"eval {stamp} ({len(rows)} questions)")
    return paths


def groups(rows: list[dict]) -> dict[str, list[dict]]:
    named = {"all": rows}
    for key in ("lang", "type"):
        for value in sorted({r[key] for r in rows}):
            named[f"{key}={value}"] = [r for r in rows if r[key] == value]
    for kind in sorted({r["kind"] for r in rows if r["type"] == "open"}):
        named[f"open={kind}"] = [r for r in rows if r["type"] == "open" and r["kind"] == kind]
    named["disambiguation"] = [r for r in rows if r["disambiguation"]]
    return {name: members for name, members in named.items() if members}


def table(summaries: dict[str, dict]) -> str:
    lines = ["| group | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, summary in summaries.items():
        lines.append(f"| {name} | " + " | ".join("-" if summary[c] is None else str(summary[c]) for c in COLUMNS) + " |")
    return "\n".join(lines)


def failures(rows: list[dict]) -> list[str]:
    return [f"FAIL {r['id']}: [{r['status']}] r@5={r['recall@5']} {str(r['answer'])[:150]}\n     top: {r['top_passage']}"
            for r in rows if not r["correct"] or r["supported"] is False or r["recall@5"] is False]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval")
    parser.add_argument("--questions", type=Path, default=EVAL_DIR / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "results")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    rows = run(settings, load_questions(args.questions))
    summaries = summarize_groups(rows)
    print(table(summaries))
    if args.show_failures:
        print("\n".join(failures(rows)))
    paths = write_outputs(rows, summaries, args.out)
    print("\nwrote " + ", ".join(str(path) for path in paths.values()))


if __name__ == "__main__":
    main()
