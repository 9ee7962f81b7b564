"""The assistant as a library: load the index once, then understand, retrieve, rerank and answer.
The CLI, the UI and the eval runner all call this."""
from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import jieba
import numpy as np
from llama_index.core.schema import QueryBundle
from tqdm import tqdm

from assistant import synth
from assistant.answer import (Coverage, Draft, asks_first, compose, find_answer, first_period, missing_reports,
                              not_found_text, passage_citations)
from assistant.compare import ReportAnswer, clarification, comparison
from assistant.conversations import Conversation, ConversationStore, checked
from assistant.dictionary import Dictionary
from assistant.followup import Resolved, resolve
from assistant.glossary import Glossary, quoted_terms
from assistant.overview import outline, overview, whole_report
from assistant.places import RegionIndex
from assistant.llm import build_writer
from assistant.question import CJK, Question, QuestionError, open_form, parse_question, validate_history, validate_question
from assistant.ranker import Ranker, counted_words, index_fingerprint, names_what_is_counted, ranker_code_version
from assistant.rerank import Candidate, best_sentences, order_passages, rank_sentences, scope_match
from assistant.retrieve import HybridRetriever, Passage
from assistant.schema import Answer, RetrievedPassage, Stage
from assistant.settings import Settings
from assistant.verify import MARKER, check_figures, drop_unsupported
from index.bm25 import BM25Index
from index.build import build_index, hold_generation, index_is_current, read_state
from index.chunk import ITEM_MARKER
from index.embed import build_embedder
from index.ingest import add_and_index, undo_interrupted_add
from index.load import ReportMeta, load_reports
from index.store import all_chunk_nodes, load_serving_copy, load_sentences, open_store, writable

log = logging.getLogger(__name__)


READING_SHOWN = 3  # passages shown while the answer is composed: the best in-scope sentences of distinct passages


@dataclass
class Retrieval:
    """One retrieval run: the passages in final order and every sentence of the candidates, best first."""
    question: Question
    scope_reports: list[str] | None  # reports matching what the question names (None: it names none)
    filtered: bool                   # whether retrieval was restricted to scope_reports
    passages: list[Passage]
    sentences: list[Candidate]


class Assistant:
    def __init__(self, settings: Settings, progress: bool = True) -> None:
        self.settings = settings
        self._lock = threading.RLock()  # reload() swaps the loaded state while the UI may be asking
        self._add_lock = threading.Lock()  # one add at a time; questions never wait for it
        undo_interrupted_add(settings)  # a process killed during an add leaves the corpus as it was before it
        reports = load_reports(settings.manifest_path)
        if not index_is_current(settings, reports):
            build_index(settings, progress=progress)
        self.index = settings.at_index(settings.index_dir)  # the generation served, whatever later builds switch to
        self.lease = hold_generation(self.index.index_dir)  # builds leave it in place while it is served
        self.reports = {r.meta.id: r.meta for r in reports}
        self.texts = {r.meta.id: r.text for r in reports}  # what citations' offsets point into (the UI's reader)
        self.glossary = Glossary.load(settings.corpus_dir / settings.glossary_name) if settings.glossary_name else Glossary([])
        self.dictionary = Dictionary.load(self.index.dictionary_path)
        self.regions = RegionIndex(list(self.reports.values()), self.glossary.english_words(), self.glossary.domain_terms(),
                                   self.dictionary.places)
        self.report_names = set(quoted_terms([r.text for r in reports]))
        self.coverage = Coverage.of(list(self.reports.values()))
        self.embedder = build_embedder(settings)
        self.store = open_store(self.index)
        # the build's serving copy (vectors mapped from disk), or, for an index built before it existed, the store
        served = load_serving_copy(self.index.serving_dir, read_state(self.index).get("counts"))
        chunk_list, self.sentences = served or (all_chunk_nodes(self.store), load_sentences(self.store))
        nodes = {n.node_id: n for n in chunk_list}
        self.chunk_counts = Counter(n.metadata["report_id"] for n in nodes.values())
        self.contents = table_of_contents(nodes.values())
        self.retriever = HybridRetriever(self.store, self.embedder, BM25Index(self.index.bm25_dir), nodes, settings)
        self.writer = build_writer(settings)  # None unless an LLM endpoint is configured
        jieba.initialize()
        self.read_only = not (writable(settings.data_dir) and writable(settings.corpus_dir))  # served, never added to
        self.ranker = Ranker.load(settings.ranker_path, self.ranker_fingerprint()) or self.train(progress)

    # --- the answer ranker: trained on questions generated from this corpus, retrained when its configuration changes ---
    def ranker_fingerprint(self) -> str:
        """What the ranker must have been trained with: the index's configuration (pipeline, embedding model, chunk
        size), its own settings, code and glossary (its English questions are written through it). Not the set of
        reports: it learns how questions map onto claims, which an added report does not change, so an add does not
        retrain it (`python -m assistant train` does)."""
        config = {"seed": self.settings.ranker_seed, "questions": self.settings.ranker_questions,
                  "glossary": self.settings.glossary_name, "code": ranker_code_version(),
                  "glossary_text": self.glossary.fingerprint()}  # the entries loaded, not a second read of the file
        return index_fingerprint({"index": read_state(self.index).get("config"), "ranker": config})

    def train(self, progress: bool = True) -> Ranker:
        """Generates questions from the corpus's claims, trains the ranker on the assistant's own retrieval of
        them and saves it next to the index (python -m assistant train)."""
        questions = synth.generate(self.sentences, self.reports, self.glossary, self.dictionary, self.settings.ranker_seed)
        if len(questions) > self.settings.ranker_questions:  # a seeded sample keeps training within minutes
            kept = set(random.Random(self.settings.ranker_seed).sample(range(len(questions)), self.settings.ranker_questions))
            questions = [q for i, q in enumerate(questions) if i in kept]
        bar = tqdm(total=len(questions), desc="training the answer ranker", unit="q", disable=not progress)
        ranker = Ranker.train(questions, self._search_text, self.ranker_fingerprint(), self.sentences.texts,
                              self.settings.ranker_seed,
                              progress=lambda i, n: bar.update(1))
        bar.close()
        if writable(self.settings.data_dir):  # a read-only library keeps the model in memory only
            ranker.save(self.settings.ranker_path)
        return ranker

    @cached_property
    def conversations(self) -> ConversationStore:
        """Saved conversations and feedback, opened on first use (ConversationError for a file of a newer version);
        a read-only data dir keeps them in a temporary copy for as long as the app runs."""
        return ConversationStore.open(self.settings.data_dir, self.settings.conversations_name, writable(self.settings.data_dir))

    def conversation(self, owner: str, conversation_id: str) -> Conversation:
        """One of owner's saved conversations, as it may be shown or exported (assistant.conversations.checked)."""
        return checked(self.conversations.get(owner, conversation_id), self.texts)

    def shared_conversation(self, token: str) -> Conversation:
        """The conversation a share link opens, read-only, checked in the same way."""
        return checked(self.conversations.shared(token), self.texts)

    def continue_shared(self, owner: str, token: str) -> tuple[str, list[int]]:
        """Asking from a shared link continues the conversation as owner's own copy (ConversationStore.copy) of it as
        shown; -> the copy's id and its turn ids."""
        return self.conversations.copy(owner, self.shared_conversation(token))

    def _search_text(self, text: str) -> tuple[Question, list[Candidate]]:
        question = self.parse(text)
        _, run = self.search(question, self.settings.top_k)
        return question, run.sentences

    def reload(self) -> None:
        """Load the manifest and the index again (after a report was added), without restarting the app."""
        fresh = Assistant(self.settings, progress=False)  # loaded (and its ranker trained) before the swap
        with self._lock:
            old_store, old_lease = self.store, self.lease
            vars(self).update({name: value for name, value in vars(fresh).items() if name not in ("_lock", "_add_lock")})
        old_store.client.close()  # no question uses it any more; Chroma keeps one system per generation otherwise
        if old_lease:
            old_lease.close()  # the next build may remove the generation it served

    def add_report(self, fields: dict, text: str, original: Path | None = None, confirmed: bool = False) -> ReportMeta:
        """Adds a report to the corpus and the index (index.ingest), then reloads. Questions keep being answered from
        the loaded index meanwhile (the build writes a new generation); the new state is swapped in once it is
        complete."""
        def add() -> ReportMeta:
            meta, _ = add_and_index(self.settings, fields, text, original, confirmed)
            self.reload()
            return meta
        with self._add_lock:
            return run_politely(add)

    def check_filter(self, reports: list[str] | None) -> list[str] | None:
        """The report ids a user filter allows, in manifest order; None for no filter. Unknown ids are an error."""
        if reports is None:
            return None
        unknown = sorted(set(reports) - set(self.reports))
        if unknown:
            raise QuestionError(f"unknown report id(s) in the filter: {', '.join(unknown)}")
        if not reports:
            raise QuestionError("the filter allows no report")
        return [rid for rid in self.reports if rid in reports]

    # --- understanding: parse the question, resolve it against the conversation, fit the carried scope ---
    def validate(self, text: object, history: object) -> tuple[str, list[dict]]:
        """The turn and its conversation as the assistant reads them (cleaned, capped), or QuestionError."""
        limit = self.settings.max_question_chars
        return validate_question(text, limit), validate_history(history, self.settings.max_history_turns, limit)

    def parse(self, text: str) -> Question:
        return parse_question(text, self.glossary, self.regions, self.report_names, self.dictionary)

    def understand(self, text: str, history: list[dict] | None = None) -> Question:
        return self.understand_turn(text, history)[0]

    def understand_turn(self, text: str, history: list[dict] | None = None) -> tuple[Question, Resolved, list[str]]:
        """(question, how it was resolved, what was dropped): a year carried over from an earlier turn that leaves
        no report to answer from is dropped ("那中山市呢？" after a 2025 question: Zhongshan has 2024). A carried bureau
        never is: "And in 2025?" after a Zhongshan question asks about Zhongshan, and no other bureau's figure answers it."""
        resolved = resolve(text, history or [], self.parse, self.regions, self.coverage.english, self.mentions)
        question, dropped = resolved.question, []
        if "year" in resolved.carried and self.scope_reports(question) == []:
            question, dropped = replace(question, years=[]), ["year"]
        return question, resolved, dropped

    def mentions(self, scope: Question, question: Question) -> bool:
        """Whether the reports in scope's bureau and year speak of what question asks about: none of its program
        names or topic words that some report uses is missing from all of them ("深小i" after Longhua turns is)."""
        reports = self.scope_reports(scope)
        if not reports:
            return True
        def chinese(words: list[str]) -> list[str]:
            return [w for w in dict.fromkeys(words) if len(w) >= 2 and CJK.search(w)]
        if question.lang == "en":  # its topic words are dictionary guesses: one the reports in scope use is enough
            guesses = [w for w in chinese(question.topic_terms) if w not in question.names]
            if guesses and len(self.said_elsewhere(guesses, reports)) == len(guesses):
                return False
            return not self.said_elsewhere(chinese(question.names), reports)
        return not self.said_elsewhere(chinese(question.names + question.topic_terms), reports)

    def said_elsewhere(self, words: list[str], reports: list[str]) -> list[str]:
        """Those of words that some report uses and none of these reports does."""
        inside = [self.texts[rid] for rid in reports]
        return [w for w in words if not any(w in text for text in inside) and any(w in text for text in self.texts.values())]

    def scope_reports(self, question: Question) -> list[str] | None:
        """The reports that match every region, level and year the question names; None when it names none."""
        if not (question.regions or question.level or question.years):
            return None
        return [rid for rid, m in self.reports.items()
                if (not question.regions or m.region in question.regions) and (not question.level or m.level == question.level)
                and (not question.years or m.year in question.years)]

    def outnumbered(self, reports: list[str]) -> bool:
        """Whether these reports hold so little of the library (under 1 / dense_k of its chunks) that a library-wide
        search may bring none of their passages: then their own best passages are searched too (settings.focus_k).
        Never at five reports, where each holds about a fifth of it."""
        named = sum(self.chunk_counts[r] for r in reports)
        return bool(self.settings.focus_k) and named * self.settings.dense_k < sum(self.chunk_counts.values())

    # --- retrieval: fuse dense + BM25 (boosted or filtered by scope), then rerank at sentence level ---
    def search(self, question: Question, k: int, only: list[str] | None = None,
               q_emb: np.ndarray | None = None, allowed: list[str] | None = None) -> tuple[np.ndarray, Retrieval]:
        """only: restrict retrieval to these reports (otherwise settings.scope_mode decides). allowed: a user's
        filter; the reports in scope are those it allows, and retrieval never leaves them."""
        if q_emb is None:
            q_emb = np.asarray(self.embedder.get_query_embedding(question.text), dtype=np.float32)
        bundle = QueryBundle(query_str=question.text, embedding=q_emb.tolist())
        in_scope = self.scope_reports(question)
        if allowed is not None:
            in_scope = [rid for rid in (allowed if in_scope is None else in_scope) if rid in allowed]
            only = [rid for rid in (only or in_scope) if rid in in_scope]
            if not only:  # the filter excludes every report the question names
                return q_emb, Retrieval(question, [], True, [], [])
        mode = self.settings.scope_mode
        boost = (lambda meta: scope_match(question, self.reports[meta["report_id"]], "")) if mode == "boost" else None  # noqa: E731
        if only is None and mode == "filter" and in_scope:
            only = in_scope  # a filter that would leave nothing is dropped
        focus = in_scope if only is None and mode == "boost" and in_scope and self.outnumbered(in_scope) else None
        fused = self.retriever.search(bundle, question.terms, max(k, self.settings.rerank_depth), boost, only, focus)
        ranked = rank_sentences(question, q_emb, fused, self.sentences, self.reports)
        passages = (order_passages(fused, ranked) if self.settings.sentence_rerank else fused)[:k]
        return q_emb, Retrieval(question, in_scope, only is not None, passages, ranked)

    def retrieve(self, text: str, k: int | None = None, history: list[dict] | None = None) -> list[RetrievedPassage]:
        return self.explain(text, k, history)[1]

    def explain(self, text: str, k: int | None = None, history: list[dict] | None = None) -> tuple[dict, list[RetrievedPassage]]:
        """What was understood from the question and the ranked passages, each with its best sentence."""
        question = self.understand(*self.validate(text, history))
        _, run = self.search(question, k or self.settings.top_k)
        best = best_sentences(run.sentences)
        understood = question.explain() | {
            "scope_reports": run.scope_reports, "scope_mode": self.settings.scope_mode, "filtered": run.filtered,
            "bureaus": sorted({self.reports[r].bureau for r in run.scope_reports or []})}
        return understood, [_passage_out(rank, p, best.get(p.node.node_id)) for rank, p in enumerate(run.passages, 1)]

    # --- answering: understand, retrieve, compose (one report, a comparison, or asking back), write, verify ---
    def ask(self, text: str, history: list[dict] | None = None, qid: str | int | None = None,
            reports: list[str] | None = None, on_stage: Callable[[Stage], None] | None = None) -> Answer:
        """reports: a user's filter (report ids); the answer then rests on those reports only. on_stage: called with
        each step's result as soon as it is known (what was understood, then the passages being read), before the
        answer is returned — what the chat shows while it works."""
        self.follow_index()
        with self._lock:
            return self._ask(text, history, qid, reports, on_stage or (lambda stage: None))

    def follow_index(self) -> bool:
        """When another process (python -m assistant add / index) has switched the data dir to a newer index, loads it
        in the background and swaps it in; questions are answered from the loaded one meanwhile. True when a reload
        was started."""
        if self.settings.index_dir == self.index.index_dir or not self._add_lock.acquire(blocking=False):
            return False  # the same index, or this process is adding a report (and reloads after it)

        def reload() -> None:
            try:
                run_politely(self.reload)
            except Exception as err:  # the old index keeps answering; the next question tries again
                log.warning("could not load the newer index (%s: %s)", type(err).__name__, err)
            finally:
                self._add_lock.release()
        threading.Thread(target=reload, name="follow-index", daemon=True).start()
        return True

    def _ask(self, text: str, history: list[dict] | None, qid: str | int | None, reports: list[str] | None,
             on_stage: Callable[[Stage], None]) -> Answer:
        started = time.perf_counter()
        question, resolved, dropped = self.understand_turn(*self.validate(text, history))
        allowed = self.check_filter(reports)
        scope = {"regions": question.regions, "level": question.level, "years": question.years,
                 "carried": resolved.carried, "dropped": dropped, "filter": allowed,
                 "other_places": question.other_places}  # places named that no report covers (北京市)
        # the reports the question names, before the user's filter narrows them (the filter is shown beside them)
        on_stage(Stage("understood", question.answer_lang, question.kind, scope | {"reports": self.scope_reports(question)}))
        q_emb, run = self.search(question, self.settings.top_k, allowed=allowed)
        on_stage(Stage("retrieved", question.answer_lang, question.kind, {}, passage_citations(run.sentences, READING_SHOWN, lambda c: c.scope >= 0)))
        retrieved = time.perf_counter()
        draft = self.compose(question, q_emb, run, allowed)
        draft.notes = (scope_notes(question, resolved.carried, dropped) + filter_notes(question, allowed, run, self.reports)
                       + draft.notes)
        if draft.status != "not_found" and (gap := missing_reports(question, self.coverage)):
            draft.notes.append(gap)  # "2025年和2030年分别…": answered for 2025, and 2030 is said to have no report
        answerer = "extractive"
        if self.writer and draft.status == "answered" and not draft.rows:
            draft, answerer = self.write_with_llm(question, draft)
        draft, figures = verified(draft, question, self.coverage)
        done = time.perf_counter()
        timings = {"retrieve": (retrieved - started) * 1000, "answer": (done - retrieved) * 1000, "total": (done - started) * 1000}
        return Answer(id=qid, question=text, status=draft.status, answer=draft.text, citations=draft.citations,
                      timings_ms={k: round(v, 1) for k, v in timings.items()}, lang=question.answer_lang, kind=question.kind,
                      resolved_question=question.text, rows=draft.rows, related=draft.related, notes=draft.notes,
                      answerer=answerer, verified_figures=figures, doubt=draft.doubt,
                      scope=scope | {"reports": run.scope_reports})

    def compose(self, question: Question, q_emb: np.ndarray, run: Retrieval, allowed: list[str] | None = None) -> Draft:
        """A comparison when the question compares reports; "clarify" when a figure question fits several reports
        that state different figures; otherwise the single best-supported answer (or "not found")."""
        reports = run.scope_reports if run.scope_reports is not None else list(allowed or self.reports)
        # what a "not found" says was searched: the library, or the reports a user's filter allows
        coverage = self.coverage if allowed is None else Coverage.of([self.reports[r] for r in allowed], filtered=True)
        fitting = len(reports)
        if fitting > self.settings.scope_fanout:  # hundreds of reports: those the library-wide retrieval found
            found = dict.fromkeys(c.meta.id for c in run.sentences if c.meta.id in reports)
            reports = list(found)[: self.settings.scope_fanout]
        # a figure or date in several reports: a table, or asking back which one is meant; an open question that sets
        # several reports side by side ("what did Longhua do on X in 2022 and in 2025?") is an overview, report by report
        several = len(reports) > 1 and (question.wants != "text" or (question.kind == "comparison" and not open_form(question.text)))
        draft = None
        if several and not (question.other_places and not question.regions):
            answers = self.answer_each(question, q_emb, reports)
            if question.kind == "comparison":
                draft = comparison(question, answers, named=run.scope_reports is not None,
                                   min_share=self.settings.parallel_share, floor=self.settings.corroborate_floor,
                                   lead=self.settings.corroborate_lead)
            else:
                draft = clarification(question, answers, self.settings.clarify_margin, self.settings.clarify_floor,
                                      self.settings.clarify_choices)
        named = run.scope_reports or []
        if not draft and question.wants == "text" and whole_report(question, [self.reports[r] for r in named]):
            # "Summarize Longhua's 2025 report": the report in outline, not the sentences nearest its words
            draft = outline(question, self.sentences, self.contents, self.reports, named, self.settings)
        if not draft and question.wants == "text":
            side_by_side = question.kind == "comparison" and len(named) > 1
            draft = overview(question, run.sentences, self.settings, coverage, each_report=side_by_side)
        elif not draft:
            # what the question counts ("满意度", "数据集") is a word other reports use and the reports it names never do;
            # a Chinese question's own word, not an English one's dictionary guess ("data products" -> 产品)
            # ... or no report is of the bureau and year it names: the closest candidates are of another
            def unsaid() -> bool:  # a scan of the report texts: only when the answer would be "not sure" (or for "X呢？")
                head = counted_words(question) if question.lang == "zh" else []
                return run.scope_reports == [] or (bool(head) and run.scope_reports is not None
                                                   and self.said_elsewhere(head, run.scope_reports) == head)
            draft = compose(question, run.sentences, self.settings, coverage, self.ranker, unsaid)
        if several and fitting > len(reports):  # whatever the answer, it weighed only some of the reports
            draft.notes.append(fanout_note(question, len(reports), fitting))
        return draft

    def answer_each(self, question: Question, q_emb: np.ndarray, report_ids: list[str]) -> list[ReportAnswer]:
        """Each report's own answer, from a retrieval restricted to that report."""
        answers = []
        named = {region: i for i, region in enumerate(question.regions)}  # rows in the order the question names them
        for rid in sorted(report_ids, key=lambda r: (named.get(self.reports[r].region, len(named)), self.reports[r].region,
                                                     self.reports[r].year)):
            _, run = self.search(question, self.settings.top_k, only=[rid], q_emb=q_emb)
            # "compare the video resources …": a figure when the report states one, else the best sentence
            found = find_answer(replace(question, wants="figure") if question.wants == "text" else question,
                                run.sentences, self.settings, self.ranker)
            # a "not sure" candidate whose sentence never names what is counted is not this report saying it, nor is
            # a running total for a question about the first month ("上线以来…超430万次" for "上线首月")
            if found.status == "answered" or (found.status == "uncertain" and question.wants != "text"
                                              and not (asks_first(question) and first_period(question, found.claims[0]))
                                              and names_what_is_counted(question, found.claims[0].sentence)):
                top = found.claims[0]
                # several figures asked: one row holds them all when one sentence states them, else it is not sure
                one_sentence = all(c.sentence is top.sentence for c in found.claims)
                answers.append(ReportAnswer(self.reports[rid], top.sentence, top.claim, min(c.p for c in found.claims),
                                            found.status == "answered" and one_sentence,
                                            [c.claim for c in found.claims[1:]] if one_sentence else [], found.pool,
                                            found.rival))
            elif question.wants == "text" and run.sentences and run.sentences[0].scope >= 0 \
                    and run.sentences[0].score >= self.settings.min_answer_score:
                answers.append(ReportAnswer(self.reports[rid], run.sentences[0], None))
            else:
                answers.append(ReportAnswer(self.reports[rid], None, None, found.p, pool=found.pool))
        return answers

    def write_with_llm(self, question: Question, draft: Draft) -> tuple[Draft, str]:
        """The LLM's answer from the same spans; its unsupported sentences are dropped, and when nothing cited is
        left, or the endpoint fails, the extractive answer stays with a visible note."""
        en = question.answer_lang == "en"
        try:
            text = self.writer.write(question.text, question.answer_lang, draft.citations)
        except Exception as err:  # any endpoint failure (timeout, refused, HTTP error, bad reply) falls back
            note = (f"The language model did not answer ({type(err).__name__}); showing the extractive answer." if en
                    else f"语言模型未能作答（{type(err).__name__}），以下为抽取式答案。")
            return replace(draft, notes=draft.notes + [note]), "extractive"
        check = check_figures(text, [c.text for c in draft.citations], {c.year for c in draft.citations})
        kept = drop_unsupported(text, check) if not check.ok else text
        notes = list(draft.notes)
        if not check.ok:
            removed = ", ".join(check.unsupported + check.bad_markers)
            notes.append(f"Removed from the model's answer (not in the cited passages): {removed}." if en
                         else f"已从模型答案中删去引文里没有的数字或标注：{removed}。")
        if not kept or not MARKER.search(kept):
            notes.append("The model's answer had no verifiable cited statement left; showing the extractive answer." if en
                         else "模型答案中没有可核实的引文表述，以下为抽取式答案。")
            return replace(draft, notes=notes), "extractive"
        return replace(draft, text=kept, notes=notes), "llm"


def table_of_contents(chunks) -> dict[str, list[tuple[int, int, str]]]:
    """Per report, (depth, start offset, heading) of each section in reading order, from the section paths its chunks
    were stored with (一、 > （一）; not the 一是… items): where each section's first chunk starts."""
    contents: dict[str, list[tuple[int, int, str]]] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for chunk in sorted(chunks, key=lambda n: (n.metadata["report_id"], n.start_char_idx)):
        report_id = chunk.metadata["report_id"]
        path = [p for p in chunk.metadata.get("section", "").split(" > ") if p and not ITEM_MARKER.match(p)]
        for depth in range(1, len(path) + 1):
            if (report_id, key := tuple(path[:depth])) not in seen:
                seen.add((report_id, key))
                contents.setdefault(report_id, []).append((depth, chunk.start_char_idx, path[depth - 1]))
    return contents


POLITE_SWITCH_INTERVAL = 0.0005  # seconds: Python's thread switch interval while a report is added (default 0.005)


def run_politely(work):
    """Runs work in a thread of its own at a lower CPU priority (Linux nice 10 for it and the embedding threads it
    starts, which inherit it), so that questions answered meanwhile keep their speed on a small machine; returns its
    result or raises its error. The caller's context (Gradio's progress tracking) goes with it."""
    def lower_priority() -> None:
        with contextlib.suppress(OSError, AttributeError):  # not Linux, or not allowed: run at the usual priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    # nice orders the CPU, not Python's lock: the work's pure-Python stretches (chunking, loading the new index) would
    # make a question's thread wait the interpreter's whole 5 ms switch interval each time it needs the lock back
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, POLITE_SWITCH_INTERVAL))
    try:
        with ThreadPoolExecutor(max_workers=1, initializer=lower_priority) as pool:
            return pool.submit(contextvars.copy_context().run, work).result()
    finally:
        sys.setswitchinterval(interval)


def verified(draft: Draft, question: Question, coverage: Coverage) -> tuple[Draft, list[str]]:
    """The last step for every answerer: each figure of an answered or clarify text must be in a cited span.
    A draft that fails is downgraded to "not found" rather than returned with an unverified figure."""
    if draft.status == "not_found":
        return draft, []
    years = {c.year for c in draft.citations} | {r.year for r in draft.rows}
    check = check_figures(draft.text, [c.text for c in draft.citations], years)
    if check.ok:
        return draft, check.figures
    withheld = ", ".join(check.unsupported + check.bad_markers)
    note = f"Unverified figures withheld: {withheld}." if question.answer_lang == "en" else f"未能核实的数字已撤回：{withheld}。"
    return Draft("not_found", not_found_text(question, coverage), related=draft.citations, notes=draft.notes + [note]), []


def scope_notes(question: Question, carried: list[str], dropped: list[str]) -> list[str]:
    """Visible notes on what a follow-up took from the conversation and what it had to drop."""
    en, notes = question.answer_lang == "en", []
    kept = [p for p in carried if p not in dropped]
    if kept:
        names = [_PART_NAMES[p][0 if en else 1] for p in kept]
        notes.append(f"Follow-up: kept the {' and the '.join(names)} of the previous turn, read as “{question.text}”." if en
                     else f"接上文：沿用上一问的{'、'.join(names)}，理解为“{question.text}”。")
    if dropped:
        names = [_PART_NAMES[p][0 if en else 1] for p in dropped]
        notes.append(f"The previous turn's {' and '.join(names)} was not kept: no report covers it together with this question."
                     if en else f"未沿用上一问的{'、'.join(names)}：没有同时符合的报告。")
    return notes


def filter_notes(question: Question, allowed: list[str] | None, run: Retrieval, reports: dict[str, ReportMeta]) -> list[str]:
    """A visible note when the user's filter leaves no report the question could be answered from; the filter's
    reports are named as people know them (bureau's place and year), not by id."""
    if allowed is None or run.passages:
        return []
    if question.answer_lang == "en":
        names = ", ".join(f"{reports[r].region_short_en} {reports[r].year}" for r in allowed)
        return [f"The report filter ({names}) excludes every report this question names; clear it to search them."]
    names = "、".join(f"{reports[r].region}{reports[r].year}年" for r in allowed)
    return [f"报告筛选（{names}）排除了问题所指的全部报告；清除筛选后即可检索。"]


def fanout_note(question: Question, asked: int, fitting: int) -> str:
    """Says that a question fitting many reports was put to the few whose passages matched it best."""
    if question.answer_lang == "en":
        return (f"{fitting} reports fit this question; the {asked} whose passages match it best were asked. "
                "Name a bureau or a year to ask others.")
    return f"符合此问题的报告共{fitting}份，已查阅其中段落最相符的{asked}份；指明机构或年份可查阅其他报告。"


_PART_NAMES = {"bureau": ("bureau", "机构"), "year": ("year", "年份"), "topic": ("question", "问题"),
               "subject": ("subject", "话题")}


def _passage_out(rank: int, p: Passage, best: Candidate | None) -> RetrievedPassage:
    m = p.meta
    return RetrievedPassage(rank=rank, chunk_id=p.node.node_id, report_id=m["report_id"], title=m["title"], bureau=m["bureau"],
                            year=m["year"], section=m.get("section", ""), text=p.node.text, start=m["start"], end=m["end"],
                            score=round(p.score, 5), dense=None if p.dense is None else round(p.dense, 4),
                            bm25=None if p.bm25 is None else round(p.bm25, 3),
                            best_sentence=best.text if best else None, sentence_score=round(best.score, 4) if best else None)
