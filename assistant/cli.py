"""Thin CLI over the library. Contract (outside checks depend on it):
  python -m assistant index [--rebuild]
  python -m assistant train
  python -m assistant ask "QUESTION" [--json]
  python -m assistant ask --json --questions FILE.jsonl
  python -m assistant retrieve "QUESTION" --json [-k 5] [--explain]
  python -m assistant glossary [--missing]
  python -m assistant add PATH... [--review FILE.toml] [--confirm-same] | --reviewed FILE.toml [--confirm-same]
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Iterable

from pydantic import ValidationError

from assistant.glossary import GlossaryError
from assistant.question import QuestionError, clean_text, error_line, validate_question
from assistant.settings import Settings
from index.load import ManifestError
from index.store import ReadOnlyError, StoreUnavailable, writable

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Cited answers from the government work reports.")
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", help="build or update the index")
    index.add_argument("--rebuild", action="store_true", help="drop the stored index and build it again")
    sub.add_parser("train", help="train the answer ranker again on questions generated from the indexed reports")
    ask = sub.add_parser("ask", help="answer a question (or a JSONL file of questions)")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--questions", metavar="FILE.jsonl", help="batch mode: one JSON object per line")
    ask.add_argument("--reports", metavar="ID,ID", help="answer from these reports only (ids in corpus/manifest.toml)")
    retrieve = sub.add_parser("retrieve", help="show the ranked passages for a question")
    retrieve.add_argument("question")
    retrieve.add_argument("--json", action="store_true")
    retrieve.add_argument("-k", type=int, default=None, help="number of passages")
    retrieve.add_argument("--explain", action="store_true",
                          help="also show what was understood: bureau/region, level, year, kind, focus, glossary expansions")
    add = sub.add_parser("add", help="add report files or folders (txt, md, html, docx, pdf) and index them")
    add.add_argument("paths", nargs="*", metavar="PATH", help="report files, or folders searched for them")
    add.add_argument("--review", metavar="FILE.toml",
                     help="write the metadata proposed for each file to FILE.toml to check and edit; add nothing")
    add.add_argument("--reviewed", metavar="FILE.toml", help="add the reports of an edited review file, with its metadata")
    add.add_argument("--confirm-same", action="store_true",
                     help="add a report even when the library has one of the same bureau and year (a review file's "
                          "entry confirms it alone with confirmed = true)")
    glossary = sub.add_parser("glossary", help="check the bilingual glossary against the reports")
    glossary.add_argument("--missing", action="store_true", help="list quoted report terms no glossary entry covers")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as err:
        problems = "; ".join((f"GOVQA_{'_'.join(map(str, e['loc'])).upper()}: " if e["loc"] else "") + e["msg"] for e in err.errors())
        print(f"error: bad settings: {problems}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if args.command == "index":
            return run_index(settings, args.rebuild)
        if args.command == "train":
            return run_train(settings)
        if args.command == "ask":
            return run_ask(settings, args)
        if args.command == "glossary":
            return run_glossary(settings, args.missing)
        if args.command == "add":
            return run_add(settings, args)
        return run_retrieve(settings, args)
    except (QuestionError, ManifestError, GlossaryError, ReadOnlyError, StoreUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # the data dir unusable, a damaged index: one line naming it, never a traceback
        print(f"error: {error_line(err)} (data dir {settings.data_dir}; "
              f"`python -m assistant index --rebuild` rebuilds the index)", file=sys.stderr)
        return EXIT_BAD_INPUT


def run_index(settings: Settings, rebuild: bool) -> int:
    from index.build import build_index
    from index.ingest import undo_interrupted_add

    undo_interrupted_add(settings)
    summary = build_index(settings, rebuild=rebuild)
    print(f"index: {summary.chunks} chunks, {summary.sentences} sentences; added {summary.added or '-'}, "
          f"replaced {summary.replaced or '-'}, removed {summary.removed or '-'}, unchanged {summary.unchanged or '-'}"
          + (f"; texts embedded {summary.embedded}, from the cache {summary.cached}" if summary.embedded or summary.cached else ""))
    return 0


def run_add(settings: Settings, args: argparse.Namespace) -> int:
    """Adds files and folders in one transaction and prints what became of each file; exit 1 when a file was
    refused (a duplicate is skipped, not refused), 2 for bad arguments."""
    import tomllib
    from pathlib import Path

    import tomli_w

    from index.ingest import UploadError, add_many, propose_many, report_files

    if bool(args.paths) == bool(args.reviewed):
        raise QuestionError("give report files or folders, or --reviewed FILE.toml (not both)")
    confirmed = {"confirmed": True} if args.confirm_same else {}
    if args.reviewed:
        try:
            entries = tomllib.loads(Path(args.reviewed).read_text(encoding="utf-8")).get("reports", [])
        except (OSError, ValueError) as err:
            raise QuestionError(f"cannot read {args.reviewed}: {err}") from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries):
            raise QuestionError(f"{args.reviewed}: every [[reports]] entry needs a path")
        items, refused = [(Path(e["path"]), e | confirmed) for e in entries], []
    else:
        files, refused = report_files([Path(p) for p in args.paths])
        if args.review:
            proposals, unreadable = propose_many(settings, files)
            Path(args.review).write_text("# Check and edit, then: python -m assistant add --reviewed " + args.review
                                         + "\n\n" + tomli_w.dumps({"reports": proposals}), encoding="utf-8")
            for path, why in refused + unreadable:
                print(f"refused    {path}: {why}")
            print(f"review: {len(proposals)} proposals written to {args.review}; {len(refused + unreadable)} refused")
            return 1 if refused or unreadable else 0
        items = [(path, confirmed) for path in files]
    try:
        result = add_many(settings, items)
    except UploadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path, meta in result.added:
        print(f"added      {meta.id}  {meta.title} ({meta.year})  <- {path}")
    for path, why in result.duplicates:
        print(f"duplicate  {path}: {why}")
    for path, why in refused + result.refused:
        print(f"refused    {path}: {why}")
    chunks = f"; index: {result.summary.chunks} chunks" if result.summary else ""
    print(f"summary: added {len(result.added)}, skipped as duplicate {len(result.duplicates)}, "
          f"refused {len(refused + result.refused)}{chunks}")
    return 1 if refused or result.refused else 0


def run_train(settings: Settings) -> int:
    if not writable(settings.data_dir):
        raise ReadOnlyError(f"the data dir {settings.data_dir} is read-only: the ranker it holds is used as it is")
    settings.ranker_path.unlink(missing_ok=True)  # the assistant trains a ranker when it finds none for its index
    stats = _assistant(settings).ranker.stats
    print(f"ranker: {stats['questions']} generated questions, source claim retrieved for {stats['source_in_pool']}, "
          f"{stats['rows']} candidate rows; held-out top-1 {stats['heldout_top1']}; {stats['seconds']} s -> "
          f"{settings.ranker_path}")
    return 0


def run_ask(settings: Settings, args: argparse.Namespace) -> int:
    only = [r.strip() for r in args.reports.split(",") if r.strip()] if args.reports is not None else None
    if args.questions:
        if args.question:
            raise QuestionError("give either a question or --questions FILE, not both")
        try:
            lines = open(args.questions, "rb")  # bytes: a line that is not UTF-8 is that line's error only
        except OSError as err:
            raise QuestionError(f"cannot read {args.questions}: {err.strerror or type(err).__name__}") from None
        with lines:
            assistant = _assistant(settings)
            for result in ask_batch(assistant, bounded_lines(lines), reports=only):
                print(json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    question = validate_question(args.question, settings.max_question_chars)  # fail before loading models
    answer = _assistant(settings).ask(question, reports=only)
    print(answer.model_dump_json() if args.json else format_answer(answer))
    return 0


BATCH_LINE_BYTES = 8 << 20  # a question with its history fits many times over; a longer line is refused unread


def bounded_lines(stream, limit: int = BATCH_LINE_BYTES) -> Iterable[bytes | None]:
    """The lines of a binary file, none held longer than limit bytes: a longer one is read past to its end in pieces
    and given as None (that line's error), so one huge line cannot fill the memory."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def ask_batch(assistant, lines: Iterable[str | bytes | None], reports: list[str] | None = None) -> Iterable[dict]:
    """One result per non-empty input line: the answer object, or {"id", "error"} for a bad line (None: one longer
    than BATCH_LINE_BYTES); a bad line never stops the lines after it. reports: the filter for lines that give none
    of their own (--reports)."""
    for number, line in enumerate(lines, 1):
        qid = None
        try:
            if line is None:
                raise QuestionError(f"longer than {BATCH_LINE_BYTES >> 20} MB: not read")
            if isinstance(line, bytes):
                line = line.decode("utf-8")
            if not line.strip():
                continue
            item = json.loads(line)
            if not isinstance(item, dict):
                raise QuestionError("each line must be a JSON object")
            given = item.get("id")
            if isinstance(given, bool) or not isinstance(given, (str, int, type(None))):
                raise QuestionError("id must be a string or an integer")
            if isinstance(given, str):
                clean_text(given)  # a lone surrogate could not be printed back
            qid = given
            own = item.get("reports")
            if own is not None and not (isinstance(own, list) and all(isinstance(r, str) for r in own)):
                raise QuestionError("reports must be a list of report ids")
            yield assistant.ask(item.get("question"), history=item.get("history"), qid=qid,
                                reports=own if own is not None else reports).model_dump()
        except UnicodeDecodeError:
            yield {"id": None, "error": f"line {number}: not UTF-8 text"}
        except json.JSONDecodeError as err:
            yield {"id": None, "error": f"line {number}: invalid JSON: {err.msg}"}
        except RecursionError:
            yield {"id": None, "error": f"line {number}: the JSON is nested too deeply"}
        except QuestionError as err:
            yield {"id": qid, "error": f"line {number}: {err}"}
        except Exception as err:  # one question failing must not lose the answers to the others
            yield {"id": qid, "error": f"line {number}: could not be answered ({type(err).__name__})"}


def run_retrieve(settings: Settings, args: argparse.Namespace) -> int:
    question = validate_question(args.question, settings.max_question_chars)
    if args.k is not None and args.k < 1:
        raise QuestionError("-k must be at least 1")
    understood, passages = _assistant(settings).explain(question, args.k)
    if args.json:
        rows = [p.model_dump() for p in passages]
        print(json.dumps({"question": understood, "passages": rows} if args.explain else rows, ensure_ascii=False))
        return 0
    if args.explain:
        print(format_understanding(understood))
    for p in passages:
        print(f"[{p.rank}] {p.score:.4f} {p.report_id} {p.year} {p.bureau} | {p.section}\n    {p.text}")
        if args.explain and p.best_sentence:
            print(f"    best sentence ({p.sentence_score}): {p.best_sentence}")
    return 0


def format_understanding(u: dict) -> str:
    scope = ", ".join(u["bureaus"]) if u["bureaus"] else ("none matches" if u["scope_reports"] == [] else "not named")
    lines = [
        f"language: {u['lang']}   kind: {u['kind']} (answer: {u['wants']}{', unit ' + u['unit'] if u['unit'] else ''})",
        f"region: {', '.join(u['regions']) or '-'}   level: {u['level'] or '-'}   years: {', '.join(map(str, u['years'])) or '-'}"
        + (f"   ({u['relative_year']}: ambiguous, no year assumed)" if u["relative_year"] else ""),
        f"reports in scope: {', '.join(u['scope_reports'] or []) or '-'} ({scope}; {u['scope_mode']}"
        + (", filtered)" if u["filtered"] else ")"),
    ]
    if u["other_places"]:
        lines.append(f"places no report covers: {', '.join(u['other_places'])}")
    if u["glossary"]:
        lines.append("glossary: " + "; ".join(f"{g['en']} -> {'|'.join(g['zh'])}" for g in u["glossary"]))
    lines.append(f"counts: {' '.join(u['focus']) or '-'} (head: {' '.join(u['focus_head']) or '-'})"
                 f"   names: {' '.join(u['names']) or '-'}   plans asked: {'yes' if u['asks_plan'] else 'no'}")
    lines.append(f"search terms: {' '.join(u['terms'])}")
    return "\n".join(lines) + "\n"


def run_glossary(settings: Settings, missing: bool) -> int:
    from assistant.glossary import Glossary, missing_terms
    from index.load import load_reports

    glossary = Glossary.load(settings.corpus_dir / (settings.glossary_name or "glossary.tsv"))
    print(f"glossary: {len(glossary)} entries, {len(glossary.places)} place names")
    if missing:
        for term, count in missing_terms([r.text for r in load_reports(settings.manifest_path)], glossary):
            print(f"{count:3d}  {term}")
    return 0


def format_answer(answer) -> str:
    lines = [f"[{answer.status}] {answer.answer}"]
    lines += [f"  note: {note}" for note in answer.notes]
    for c in answer.citations:
        lines.append(f"  [{c.n}] {c.title} ({c.bureau}, {c.year}) chars {c.start}-{c.end}")
    if answer.related:
        lines.append("  related (not an answer):")
        lines += [f"    {c.title} chars {c.start}-{c.end}: {c.text[:80]}" for c in answer.related]
    if answer.status == "clarify":
        lines.append("  ask again with one of: " + " | ".join(r.followup for r in answer.rows))
    return "\n".join(lines)


def _assistant(settings: Settings):
    from assistant.service import Assistant  # heavy imports only once the input is known to be good

    return Assistant(settings)


