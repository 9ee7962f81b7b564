"""Per-question checks and their aggregation. Pure functions over answer objects (dicts of the CLI contract)
and retrieved passages (dicts of `python -m assistant retrieve --json`)."""
from __future__ import annotations

import statistics

from assistant.figures import contains_number
from assistant.verify import MARKER, ungrounded_figures

RECALL_KS = (1, 5)


def gold_present(answer_text: str, gold: str) -> bool:
    """A gold figure counts only as a whole number: 45 is not found in 145 or 4.5."""
    if gold.replace(".", "").isdigit():
        return contains_number(answer_text, gold)
    return gold in answer_text


def stated_part(answer_text: str, question_type: str) -> str:
    """What the answer asserts in its own words, quotes and citation markers removed: a figure question (follow-ups
    included) must state its figure there, not only inside a quoted span or as the "1" of a marker "[1]". Quotes nest
    (“上线23个“高效办成一件事”重点事项”)."""
    if question_type not in ("figure", "date", "followup"):
        return answer_text
    answer_text = MARKER.sub(" ", answer_text)
    kept, depth = [], 0
    for ch in answer_text:
        if ch == "“":
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
        elif not depth:
            kept.append(ch)
    return "".join(kept)


def holds_evidence(passage: dict, report_id: str, span: tuple[int, int]) -> bool:
    """The passage is from the gold report and covers at least half of the gold evidence span."""
    if passage["report_id"] != report_id:
        return False
    overlap = min(passage["end"], span[1]) - max(passage["start"], span[0])
    return overlap * 2 >= span[1] - span[0]


def judge_retrieval(item: dict, passages: list[dict], span: tuple[int, int] | None) -> dict:
    """Evidence recall@k and whether the first passage comes from the gold report (single-report questions only)."""
    if item["type"] == "unanswerable" or item["type"] in ROW_TYPES or span is None:
        return {f"recall@{k}": None for k in RECALL_KS} | {"right_report@1": None}
    hits = [holds_evidence(p, item["report_id"], span) for p in passages]
    return ({f"recall@{k}": any(hits[:k]) for k in RECALL_KS}
            | {"right_report@1": bool(passages) and passages[0]["report_id"] == item["report_id"]})


# Types whose gold is one row per report (a comparison table, the candidates of a "clarify" answer).
ROW_TYPES = {"comparison": "answered", "ambiguous": "clarify"}


def judge(item: dict, result: dict) -> dict:
    """The checks of one answer: accuracy, citation support, groundedness, cited report, refusal."""
    status = result.get("status")
    citations = result.get("citations", [])
    grounded = not ungrounded_figures(result) if status in ("answered", "clarify") else None
    checks = {"grounded": grounded, "refused": status == "not_found", "answerable": item["type"] != "unanswerable",
              "uncertain": status == "uncertain"}
    if item["type"] == "unanswerable":
        # any figure offered as an answer (answered, or a "clarify" listing figures) to what no report states is wrong
        return checks | {"correct": status == "not_found", "wrong": status in ("answered", "clarify"),
                         "supported": None, "cited_report": None}
    if item["type"] == "open":
        return checks | judge_open(item, result)
    if item["type"] in ROW_TYPES:
        rows = judge_rows(item, result, ROW_TYPES[item["type"]])
        return checks | rows | {"wrong": status == "answered" and not rows["correct"]}
    stated = stated_part(result.get("answer", ""), item["type"])
    correct = status == "answered" and all(gold_present(stated, g) for g in item["gold"])
    supported = any(item["evidence"] in c["text"] and c["report_id"] == item["report_id"] for c in citations)
    cited_report = bool(citations) and citations[0]["report_id"] == item["report_id"]
    # wrong: a confident answer that does not state the gold figure(s) in its own words (a quote does not count)
    return checks | {"correct": correct, "wrong": status == "answered" and not correct, "supported": supported,
                     "cited_report": cited_report}


def judge_rows(item: dict, result: dict, status: str) -> dict:
    """Each gold row's figure in the answer's row for that report, and no figure for a report listed as not
    stating it (a row saying "not stated", or no row at all); each gold row's evidence in a citation of that report."""
    rows = {r["report_id"]: r for r in result.get("rows", [])}
    citations = result.get("citations", [])
    figures_right = all(g["report_id"] in rows and all(gold_present(rows[g["report_id"]].get("figure") or "", x) for x in g["gold"])
                        for g in item["rows"])
    silent_right = not any(rows.get(r, {}).get("figure") for r in item.get("not_stated", []))
    supported = all(any(g["evidence"] in c["text"] and c["report_id"] == g["report_id"] for c in citations) for g in item["rows"])
    cited = {c["report_id"] for c in citations}
    return {"correct": result.get("status") == status and figures_right and silent_right, "supported": supported,
            "cited_report": all(g["report_id"] in cited for g in item["rows"])}


def cites_span(citation: dict, span: str) -> bool:
    """A citation quotes a key span when it holds the span, or is itself a clause (10+ characters) of it."""
    text = citation.get("text", "")
    return span in text or (len(text) >= 10 and text in span)


def judge_open(item: dict, result: dict) -> dict:
    """An open question (summary, "what is", measures, list, yes/no): answered, citing at least min_cited of its
    key spans, and no report outside the ones it may cite (an off-scope citation makes the answer wrong)."""
    citations = result.get("citations", [])
    allowed = set(item["reports"])
    cited = sum(any(c.get("report_id") in allowed and cites_span(c, span) for c in citations) for span in item["key_spans"])
    off_scope = any(c.get("report_id") not in allowed for c in citations)
    answered = result.get("status") == "answered"
    return {"correct": answered and cited >= item["min_cited"] and not off_scope, "wrong": answered and off_scope,
            "supported": cited >= item["min_cited"], "cited_report": bool(citations) and not off_scope}


def rate(values: list) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 3) if kept else None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


def summarize(rows: list[dict]) -> dict:
    """rows: dicts with the judge() and judge_retrieval() keys plus 'latency_ms'."""
    latencies = [r["latency_ms"] for r in rows]
    return {
        "n": len(rows),
        **{f"recall@{k}": rate([r[f"recall@{k}"] for r in rows]) for k in RECALL_KS},
        "right_report@1": rate([r["right_report@1"] for r in rows]),
        "accuracy": rate([r["correct"] for r in rows]),
        "wrong_answer": rate([r["wrong"] for r in rows]),
        "uncertain": rate([r["uncertain"] for r in rows]),
        "citation_support": rate([r["supported"] for r in rows]),
        "grounded": rate([r["grounded"] for r in rows]),
        # unanswerable questions answered "not found" / answerable questions answered "not found"
        "refusal": rate([r["refused"] for r in rows if not r["answerable"]]),
        "false_refusal": rate([r["refused"] for r in rows if r["answerable"]]),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
    }
