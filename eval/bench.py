"""python -m eval.bench [--repeat N]: latency of retrieval (understand + fuse + sentence rerank) and of the
whole answer (with comparisons, asking back and verification), over every question of the eval set with its
history, after a warm-up. Prints p50 / p95 / max in ms."""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from assistant.service import Assistant
from assistant.settings import Settings
from eval.runner import EVAL_DIR, load_questions
from eval.metrics import percentile


def timed(call, questions: list[dict], repeat: int) -> list[float]:
    """Milliseconds per call, each question with its conversation history (follow-ups)."""
    times = []
    for _ in range(repeat):
        for item in questions:
            started = time.perf_counter()
            call(item["question"], history=item.get("history", []))
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench")
    parser.add_argument("--questions", type=Path, default=EVAL_DIR / "questions.jsonl")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    assistant = Assistant(Settings())
    questions = load_questions(args.questions)
    timed(assistant.ask, questions, 1)  # warm-up: first-call costs (jieba, ONNX sessions) are not query latency
    print(f"{len(questions)} questions x {args.repeat}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    for name, call in (("retrieve", assistant.retrieve), ("ask (end-to-end)", assistant.ask)):
        ms = timed(call, questions, args.repeat)
        print(f"{name:<18} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms   max {max(ms):7.1f} ms")


if __name__ == "__main__":
    main()
