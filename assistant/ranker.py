"""The answer ranker: a learned model that scores every figure claim of the candidate sentences as the answer to
a question, instead of hand-tuned weights. Its probability decides what the assistant does (answer, "not sure",
not found; see answer.py), so it is calibrated for precision on held-out questions (eval/calibrate.py).

Surface, like a scikit-learn estimator: `train()` from questions generated from the corpus (assistant/synth.py),
`save()` / `load()` (the model file lives in the data dir, versioned with the index it was trained on), `score()`.
The model is a scikit-learn logistic regression over the standardized features below (deterministic: the same
index gives the same model). A linear model was chosen over gradient boosting because it carries better from
the generated questions to people's questions: on the dev set, top-1 0.756 against 0.718 (eval/README.md)."""
from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.figures import number_of, unit_matches
from assistant.question import CJK, Question, elliptic_focus
from assistant.rerank import Candidate, normalized, other_year, plan_mismatch, term_coverage
from index.bm25 import tokenize
from index.claims import TIME_SCOPE, Claim

RANKER_VERSION = 5
# Units whose meaning is unmistakable: a question asking for one is hardly answered by another.
STRICT_UNITS = ("%", "元", "天", "平方公里")
# The candidate sentences whose claims are scored: the best-ranked ones of the retrieval.
CANDIDATE_SENTENCES = 12

FEATURES = [
    "lang_en", "sentence_score", "sentence_gap", "sentence_rank", "dense", "dense_gap", "passage_rank", "scope",
    "other_year", "plan_mismatch", "unit_fit", "strict_unit_miss", "percent_for_count", "no_unit_asked",
    "focus_label", "focus_head_label", "focus_clause", "focus_sentence", "topic_clause", "topic_context",
    "topic_label", "topic_sentence", "dict_clause", "names_sentence", "anchor_gap", "plan_mismatch_claim", "baseline",
    "cumulative_fit", "period_fit", "first_unasked", "enumerated", "position", "is_first", "figures_in_sentence",
    "qualifier", "label_chars", "asks_two", "best_topic_clause_gap",
    "claim_dense", "claim_dense_gap", "label_bigrams_in_question", "question_bigrams_in_context",
    "focus_label_rare", "focus_context_rare",
]

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese runs of text: paraphrases share them where jieba's words differ
    (派出去多少张工单 / 转派工单)."""
    return {run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}


def bigram_overlap(a: str, b: str) -> float:
    """The share of the smaller bigram set of a and b that the other holds; 0.0 when either has none."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def question_bigrams(question: Question) -> set[str]:
    """The question's own Chinese (without its bureau and year words), or for English the Chinese of its terms."""
    text = " ".join(question.topic_terms) if question.lang == "en" else question.text
    for word in question.scope_terms:
        text = text.replace(word, " ")
    return bigrams(text) - {"多少", "是多", "有多", "了多", "少个", "少项", "少件", "少次"}


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


@dataclass
class Scored:
    """A claim with the sentence it stands in and the ranker's probability that it answers."""
    sentence: Candidate
    claim: Claim
    p: float


def candidates(question: Question, ranked: list[Candidate]) -> list[tuple[Candidate, Claim]]:
    """The claims that could answer: of the right kind (a date for a date question; a count, not a percentage,
    for "how many"; the asked unit where it is unmistakable: %, 元, 天), not inside a document title, from the
    best-ranked sentences that are not about another bureau or year than asked."""
    pool = [c for c in ranked if c.scope >= 0][:CANDIDATE_SENTENCES]
    return [(s, c) for s in pool for c in s.claims if fits(question, c)]


# ... and words that say how much of a thing, not which thing: the scale of it, the target for it
_GENERIC_HEADS = {"事项", "项目", "数量", "个数", "总数", "数", "数字", "事项数", "规模", "目标"}
_YEAR_IN = re.compile(r"(?<!\d)(20\d\d)年(?!\d{1,2}月\d)")


# nouns for "how many" that a figure's measure word says, not its words: 次数 is said by "1455次", 金额 by "7.16亿元"
_MEASURE_NOUNS = re.compile(r"^[个件项次人天份家场条名宗批期张篇户台套]数$|^金额$|^数额$")


def measure_noun(word: str) -> bool:
    return bool(_MEASURE_NOUNS.match(word))


def generic_head(word: str) -> bool:
    """A head that names nothing specific: a generic one (事项, 数量) or one the figure's measure word says (次数, 金额)."""
    return word in _GENERIC_HEADS or measure_noun(word)


def counted_words(question: Question) -> list[str]:
    """The Chinese words of the question's head that name what it counts ("满意度", "数据集"): not a generic head
    (事项, 数量) nor a noun the figure's unit says (次数, 金额). A "X呢？" turn has no counted phrase of its own: then
    the words it names ("满意度呢？")."""
    words = [w for w in question.focus_head if CJK.search(w) and not generic_head(w)]
    return words or [w for w in tokenize(elliptic_focus(question)) if len(w) >= 2 and CJK.search(w)
                     and w not in question.scope_terms]


def names_what_is_counted(question: Question, sentence: Candidate) -> bool:
    """A Chinese question names what it counts in the reports' own words; a sentence that never names it states a
    figure of something else (数据集 asked, 服务能力平台 stated), which may be offered as "not sure", never stated.
    A generic head (“一件事”事项, 数量, or a noun its measure word says: 次数) may be left out by the sentence: then the
    rest of what it counts must be there."""
    if question.lang != "zh" or not question.focus_head:
        return True
    if term_coverage(question.focus_head, sentence.text) > 0:
        return True
    # a head the glossary joins ("领导批示") is named by its words apart too ("市委市政府领导累计批示27次")
    if any(len(words := [w for w in tokenize(t) if w != t]) > 1 and term_coverage(words, sentence.text) == 1
           for t in question.focus_head):
        return True
    specific = [t for t in question.focus if not generic_head(t)]
    return all(map(generic_head, question.focus_head)) and term_coverage(specific, sentence.text) > 0


def counted_in_label(question: Question, claim: Claim) -> bool:
    """The claim's own label (what its figure counts) names what the question counts (its head noun: 材料 for "how
    many application materials", 访问量 for "how many visits"), rather than only sharing the question's context;
    a head that only says when (累计, 首批: "cumulative", "batch") names nothing counted. (A claim of another time
    scope than asked is never stated at all: answer.find_answer.)"""
    heads = [t for t in question.focus_head if not TIME_SCOPE.search(t)]
    return term_coverage(heads, claim.label) > 0


def other_time_scope(question: Question, claim: Claim) -> bool:
    """The claim counts over another time than the question asks: the running total (累计) for a question about one
    year only ("不算累计", "during 2022 itself"), or one year's or the first month's figure for a running total."""
    if question.period and not question.cumulative:
        return claim.scope == "cumulative"
    return question.cumulative and not question.period and claim.scope in ("period", "first")


def fits(question: Question, claim: Claim) -> bool:
    if claim.is_date != (question.wants == "date") or claim.in_title:
        return False
    if number_of(claim.figure) in question.given:
        return False  # the question states it: "Besides the 45 priority items, how many …" is not asking for 45
    named = {int(y) for y in _YEAR_IN.findall(claim.clause)}
    if question.years and not claim.is_date and named and not named & set(question.years):
        return False  # "预计2023年将新增15个" is about 2023, not the 2022 asked
    if question.unit in STRICT_UNITS and question.unit not in claim.unit.replace("％", "%"):
        return False
    return not (question.counts and ("%" in claim.unit or "％" in claim.unit))


def _anchor_gap(question: Question, sentence: str, claim: Claim) -> float:
    haystack = normalized(sentence)
    gaps = [max(0, m.start() - claim.end, claim.start - m.end())
            for term in question.topic_terms if not term.isdigit() and len(term) > 1
            for m in re.finditer(re.escape(term.lower()), haystack)]
    return min(gaps) / 10.0 if gaps else 5.0


def term_weights(sentences: list[str]) -> dict[str, float]:
    """Inverse sentence frequency of the corpus's words: the rare words of a question ("视频" in "能通过视频办理的政务服务")
    name what it asks about better than the common ones (政务, 服务)."""
    df = Counter(t for text in sentences for t in set(tokenize(text)))
    return {t: math.log((len(sentences) + 1) / (n + 1)) + 1.0 for t, n in df.items()}


def rarity(terms: list[str], weights: dict[str, float]) -> list[float]:
    """Each term's weight (term_weights; a phrase takes its rarest word's, a word the corpus lacks the highest)."""
    top = max(weights.values(), default=1.0)
    return [weights.get(t) or max((weights.get(x, top) for x in tokenize(t)), default=top) for t in terms]


def rare_coverage(terms: list[str], rare: list[float], text: str) -> float:
    """term_coverage with each term weighted by its rarity (rarity(terms))."""
    if not terms:
        return 0.0
    haystack = normalized(text)
    return sum(w for t, w in zip(terms, rare) if t.lower() in haystack) / sum(rare)


def _fit(asked: bool, has: bool) -> float:
    return 0.0 if not asked else (1.0 if has else -1.0)


def features(question: Question, pool: list[tuple[Candidate, Claim]], weights: dict[str, float]) -> np.ndarray:
    """One row of FEATURES per (sentence, claim) of the pool; some are relative to the pool's best. weights: the
    corpus's word rarity (term_weights)."""
    if not pool:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    best_score = max(s.score for s, _ in pool)
    best_dense = max(s.dense for s, _ in pool)
    claim_dense = [s.claim_dense[s.claims.index(c)] if s.claim_dense else 0.0 for s, c in pool]
    best_claim_dense = max(claim_dense)
    asked = question_bigrams(question)
    sentence_rank: dict[int, int] = {}
    for s, _ in pool:
        sentence_rank.setdefault(id(s), len(sentence_rank))
    focus, head, topic = question.focus, question.focus_head, question.topic_terms
    rare = rarity(focus, weights)
    rows, topic_clause = [], []
    for (s, c), cd in zip(pool, claim_dense):
        unit = c.unit
        context = c.clause + " " + c.lead
        tc = term_coverage(topic, context)
        topic_clause.append(tc)
        rows.append([
            float(question.lang == "en"),
            s.score, best_score - s.score, math.log1p(sentence_rank[id(s)]), s.dense, best_dense - s.dense,
            math.log1p(s.passage_rank), s.scope, other_year(question, s.text), plan_mismatch(question, s.section, s.text),
            _fit(bool(question.unit), unit_matches(question.unit, unit)),
            float(question.unit in STRICT_UNITS and question.unit not in unit),
            float(question.counts and "%" in unit or question.counts and "％" in unit),
            float(not question.unit),
            term_coverage(focus, c.label), term_coverage(head, c.label), term_coverage(focus, c.clause),
            term_coverage(focus, s.text), term_coverage(topic, c.clause), tc, term_coverage(topic, c.label),
            term_coverage(topic, s.text), term_coverage(question.dict_terms, context), term_coverage(question.names, s.text),
            _anchor_gap(question, s.text, c),
            float(c.planned != question.asks_plan), float(c.baseline),
            _fit(question.cumulative, c.scope == "cumulative") - (1.0 if question.period and c.scope == "cumulative" else 0.0),
            _fit(question.period, c.scope == "period"),
            float(c.scope == "first" and not re.search(r"首|first", question.text, re.I)),
            float(c.enumerated), c.index / max(1, c.count - 1) if c.count > 1 else 0.0, float(c.index == 0),
            float(c.count), float(bool(c.qualifier)), float(len(c.label)), float(question.asks > 1), 0.0,
            cd, best_claim_dense - cd, _share(bigrams(c.label), asked), _share(asked, bigrams(context)),
            rare_coverage(focus, rare, c.label), rare_coverage(focus, rare, context),
        ])
    x = np.asarray(rows, dtype=np.float32)
    x[:, FEATURES.index("best_topic_clause_gap")] = max(topic_clause) - np.asarray(topic_clause)
    return x


class Ranker:
    def __init__(self, model, fingerprint: str, stats: dict | None = None, weights: dict[str, float] | None = None) -> None:
        self.model = model
        self.fingerprint = fingerprint  # the index (reports + pipeline) it was trained on
        self.stats = stats or {}
        self.weights = weights or {}    # the word rarity of that index's sentences (term_weights)

    def score(self, question: Question, ranked: list[Candidate]) -> list[Scored]:
        """The candidate claims, most probable answer first."""
        pool = candidates(question, ranked)
        if not pool:
            return []
        p = self.model.predict_proba(features(question, pool, self.weights))[:, 1]
        return sorted((Scored(s, c, float(pi)) for (s, c), pi in zip(pool, p)), key=lambda x: -x.p)

    # --- persistence: the model file is derived data, rebuilt by `python -m assistant train` or on index change ---
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as out:
            pickle.dump({"version": RANKER_VERSION, "features": FEATURES, "fingerprint": self.fingerprint,
                         "stats": self.stats, "model": self.model, "weights": self.weights}, out)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> "Ranker | None":
        """The stored ranker, or None when there is none or it was trained for another index or feature set."""
        try:
            with path.open("rb") as src:
                saved = pickle.load(src)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if (not isinstance(saved, dict) or saved.get("version") != RANKER_VERSION or saved.get("features") != FEATURES
                or saved.get("fingerprint") != fingerprint):
            return None
        return cls(saved["model"], fingerprint, saved.get("stats"), saved.get("weights"))

    @classmethod
    def train(cls, questions: list, search: Callable[[str], tuple[Question, list[Candidate]]], fingerprint: str,
              sentences: list[str], seed: int = 13, progress: Callable[[int, int], None] | None = None) -> "Ranker":
        """questions: generated (assistant/synth.py); search: text -> (parsed question, ranked sentences), the
        assistant's own retrieval; sentences: the index's sentence texts (word rarity). A claim is positive when it
        is the generated question's source figure."""
        weights = term_weights(sentences)
        started = time.perf_counter()
        xs, ys, groups, found = [], [], [], 0
        for i, q in enumerate(questions):
            if progress:
                progress(i, len(questions))
            question, ranked = search(q.text)
            pool = candidates(question, ranked)
            labels = [s.meta.id == q.report_id and s.start == q.start and c.figure == q.figure for s, c in pool]
            if not any(labels):
                continue  # retrieval missed the source sentence: nothing to learn about ranking claims
            found += 1
            xs.append(features(question, pool, weights))
            ys += labels
            groups += [i] * len(pool)
        x, y, g = np.vstack(xs), np.asarray(ys, dtype=np.int8), np.asarray(groups)
        held = g % 5 == 0  # a fifth of the questions measure the model before it is fitted on all
        probe = _fit_model(x[~held], y[~held], seed)
        top1 = _top1(probe.predict_proba(x[held])[:, 1], y[held], g[held])
        model = _fit_model(x, y, seed)
        stats = {"questions": len(questions), "source_in_pool": found, "rows": int(len(y)), "positives": int(y.sum()),
                 "heldout_top1": round(top1, 3), "seconds": round(time.perf_counter() - started, 1),
                 "fingerprint": fingerprint}
        return cls(model, fingerprint, stats, weights)


@dataclass(frozen=True)
class LinearModel:
    """The fitted standardizer and logistic regression as plain arrays: scoring is one dot product, and loading the
    model file needs no scikit-learn (importing it took 1 s and 60 MB of every start)."""
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def of(cls, pipeline) -> "LinearModel":
        scaler, regression = pipeline[0], pipeline[-1]
        return cls(scaler.mean_.copy(), scaler.scale_.copy(), regression.coef_[0].copy(), float(regression.intercept_[0]))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """As scikit-learn's: one row per sample, the probabilities of 0 and of 1."""
        z = ((x - self.mean.astype(x.dtype)) / self.scale.astype(x.dtype)) @ self.coef + self.intercept  # as sklearn does
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - p, p])


def _fit_model(x: np.ndarray, y: np.ndarray, seed: int) -> LinearModel:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return LinearModel.of(make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000, random_state=seed)).fit(x, y))


def _top1(p: np.ndarray, y: np.ndarray, g: np.ndarray) -> float:
    """Share of questions whose highest-scored claim is the source claim."""
    hits = [y[g == q][np.argmax(p[g == q])] for q in np.unique(g)]
    return float(np.mean(hits)) if hits else 0.0


def ranker_code_version() -> str:
    """A hash of the code that defines the model: its features (this module), the questions it learns from (synth.py),
    how a question is read into the terms and unit the features compare (question.py, and dictionary.py for an English
    question's words) and the claims they are read from (index/claims.py). A change to any of them retrains the ranker."""
    from assistant import dictionary, question, synth
    from index import claims
    digest = hashlib.sha256()
    for module in (__file__, synth.__file__, question.__file__, claims.__file__, dictionary.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:12]


def index_fingerprint(state: dict) -> str:
    """A short hash naming what a ranker was trained with (Assistant.ranker_fingerprint says what goes in)."""
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
