"""Questions generated from the corpus itself, to train the answer ranker (assistant/ranker.py): every figure
claim of every report yields templated Chinese questions (the figure replaced by 多少/几 + its measure word,
words dropped, the subject carried in, the bureau and year named or not) and English ones (its words put into
English through the glossary and CC-CEDICT, read backwards). Like people's questions, some name what is counted
apart from its context (the sentence's subject or the clause before it: "For the district portal, how many
visits …?"), so the ranker learns that the counted thing decides between figures of one sentence. Hard negatives
need no generation: they are the other claims the retrieval brings for the same question (other figures of the
same sentence, other reports).

Deterministic: one seeded random.Random drives every choice."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from assistant.dictionary import Dictionary
from assistant.glossary import Glossary
from index.bm25 import tokenize
from index.claims import Claim
from index.load import ReportMeta
from index.store import SentenceTable

_MULTIPLIER = re.compile(r"^[\d.,]+(?:余|多)?(?:万|亿|千)?(?:余|多)?")
_EN_ASK = {"%": "What percentage was the {label} {scope}?", "": "How many {label} {scope}?",
           "plan": "How many {label} were planned {scope}?"}
# the same, with the context apart from what is counted (the question's focus stops before "did" / "of" / ",")
_EN_ASK_IN = {"%": ["What was the {label} of {context} {scope}?", "For {context} {scope}, what percentage was the {label}?"],
              "": ["How many {label} did {context} have {scope}?", "For {context} {scope}, how many {label}?"],
              "plan": ["How many {label} were planned for {context} {scope}?"]}
_NUMBER = re.compile(r"[\d.,]+\S?")
# measure words an English question names as its counted noun ("how many times", "how many days")
_EN_UNIT_WORDS = {"次": "times", "天": "days", "人": "people", "名": "people", "人次": "times"}


@dataclass(frozen=True)
class SynthQuestion:
    text: str
    lang: str
    report_id: str
    start: int        # the source sentence's start offset in its report
    figure: str       # the claim's figure as written
    template: str


def measure_word(claim: Claim) -> str:
    """What follows 多少 for this figure: 多少个, 多少万件次 -> 多少件次, 多少 for a percentage."""
    unit = _MULTIPLIER.sub("", claim.figure)
    return "" if unit in ("%", "％") else unit


def generate(table: SentenceTable, reports: dict[str, ReportMeta], glossary: Glossary, dictionary: Dictionary,
             seed: int = 13, per_claim: int = 3) -> list[SynthQuestion]:
    rng = _Rewriter(seed, _synonyms(dictionary))
    english = _english_of(glossary, dictionary)
    out = []
    for row, claims in enumerate(table.claims):
        meta = reports.get(table.metas[row]["report_id"])
        if meta is None:
            continue
        for claim in claims:
            if claim.in_title or not claim.label.strip():
                continue
            if claim.is_date:
                made = [_zh_date(claim, meta, rng), _en_date(claim, meta, english, rng)]
            else:
                context = _context(claim, table.texts[row])
                made = [_zh_clause(claim, meta, rng), _zh_label(claim, meta, context, rng),
                        _en(claim, meta, context, english, rng)]
            for template, text, lang in [m for m in made if m][:per_claim]:
                out.append(SynthQuestion(text, lang, meta.id, table.metas[row]["start"], claim.figure, template))
    return out


def _scope_zh(meta: ReportMeta, rng: _Rewriter) -> str:
    short = meta.region.replace("深圳市", "") if meta.level == "district" else meta.region
    return rng.choice([f"{meta.region}{meta.year}年", f"{short}{meta.year}年", f"{meta.year}年{short}", short, ""])


class _Rewriter(random.Random):
    """The seeded random source of the templates, with the corpus synonyms word replacement draws from."""

    def __init__(self, seed: int, synonyms: dict[str, list[str]]) -> None:
        super().__init__(seed)
        self.synonyms = synonyms


def _synonyms(dictionary: Dictionary) -> dict[str, list[str]]:
    """Corpus words that share an exact English gloss in CC-CEDICT (受理 / 办理 ...): a user's word may be another
    report word than the one the sentence uses."""
    out: dict[str, set[str]] = {}
    for key, words in dictionary.entries.items():
        if " " in key or len(words) < 2:
            continue
        for w in words:
            out.setdefault(w, set()).update(x for x in words if x != w)
    return {w: sorted(s) for w, s in out.items()}


def _drop_words(text: str, rng: _Rewriter, share: float = 0.2) -> str:
    """Some words dropped, some replaced by a synonym: users do not repeat the report's wording."""
    words = tokenize(text)
    kept = []
    for w in words:
        if len(words) > 3 and rng.random() < share:
            continue
        kept.append(rng.choice(rng.synonyms[w]) if w in rng.synonyms and rng.random() < 0.25 else w)
    return "".join(kept)


def _ask_zh(claim: Claim) -> str:
    unit = measure_word(claim)
    return f"多少{unit}" if unit else "多少"


def _zh_clause(claim: Claim, meta: ReportMeta, rng: _Rewriter) -> tuple[str, str, str] | None:
    """The claim's clause with its figure replaced by 多少 + measure word, the subject carried in when the clause
    does not hold the sentence lead: "减少办理时限12天" -> "深圳市2024年一件事减少办理时限多少天？"."""
    clause = claim.clause
    at = clause.find(claim.figure)
    if at < 0:
        return None
    asked = clause[:at] + _ask_zh(claim) + clause[at + len(claim.figure):]
    asked = re.sub(r"(超过|超|逾|近|约|达到|达)(?=多少)", "", asked)
    lead = "" if claim.lead in clause else _drop_words(_NUMBER.sub("", claim.lead), rng, 0.4)
    at = asked.find("多少")
    asked = _drop_words(asked[:at], rng, 0.3) + asked[at:at + 2] + _drop_words(asked[at + 2:], rng, 0.3)
    return "zh-clause", f"{_scope_zh(meta, rng)}{lead}{asked}？", "zh"


def _context(claim: Claim, sentence: str) -> str:
    """What a question may name around the counted thing: the clause before the claim's own (its figures left
    out), else the sentence's subject when the clause does not hold it; "" when there is neither."""
    at = sentence.find(claim.clause)
    before = [p for p in re.split(r"[,，;；:：。、]", sentence[:max(at, 0)]) if p.strip()]
    text = before[-1] if before else ("" if claim.lead in claim.clause else claim.lead)
    return _NUMBER.sub("", text).strip()[:24]


def _zh_label(claim: Claim, meta: ReportMeta, context: str, rng: _Rewriter) -> tuple[str, str, str] | None:
    """"{scope}{label}是多少 / 有多少个 / 的比例是百分之几" (a planned figure is asked as a plan), sometimes after its
    context: "{scope}{context}，{label}有多少…"."""
    label = _drop_words(claim.label.replace(" ", ""), rng, 0.3)
    if len(label) < 2:
        return None
    unit = measure_word(claim)
    if claim.figure.endswith(("%", "％")):
        ask = rng.choice(["是百分之多少", "的比例是多少", "达到百分之几", "的比率是多少"])
    else:
        ask = rng.choice([f"有多少{unit}", f"是多少{unit}", f"共多少{unit}"]) if unit else rng.choice(["是多少", "有多少"])
    plan = "计划" if claim.planned else ""
    around = _drop_words(context, rng, 0.3)
    if len(around) >= 2 and rng.random() < 0.5:
        return "zh-label-context", f"{_scope_zh(meta, rng)}{around}，{plan}{label}{ask}？", "zh"
    return "zh-label", f"{_scope_zh(meta, rng)}{plan}{label}{ask}？", "zh"


def _zh_date(claim: Claim, meta: ReportMeta, rng: _Rewriter) -> tuple[str, str, str] | None:
    """"{scope}{clause without its date}是什么时候 / 哪一天"."""
    rest = claim.clause.replace(claim.figure, "").strip("于在,，")
    if len(rest) < 4:
        return None
    return "zh-date", f"{_scope_zh(meta, rng)}{_drop_words(rest, rng, 0.15)}{rng.choice(['是什么时候', '是哪一天', '是何时'])}？", "zh"


def _en_date(claim: Claim, meta: ReportMeta, english: dict[str, str], rng: _Rewriter) -> tuple[str, str, str] | None:
    words = [english[w] for w in tokenize(claim.clause.replace(claim.figure, "")) if w in english]
    if len(words) < 2:
        return None
    return "en-date", f"When did {meta.region_short_en} {' '.join(dict.fromkeys(words))}?", "en"


def _english_of(glossary: Glossary, dictionary: Dictionary) -> dict[str, str]:
    """Chinese word -> an English word for it: the glossary's first phrase, else a CC-CEDICT gloss word."""
    english: dict[str, str] = {}
    for key, zh_words in sorted(dictionary.entries.items()):
        for z in zh_words:
            english.setdefault(z, key)
    for ens, zhs in glossary.entries:
        for z in zhs:
            english[z] = ens[0]
    return english


def _en(claim: Claim, meta: ReportMeta, context: str, english: dict[str, str], rng: _Rewriter) -> tuple[str, str, str] | None:
    """"How many {label in English} … in {place} in {year}?", the label's words through the glossary/CC-CEDICT;
    half of them name the context apart ("How many {label} did {context} have …?")."""
    words = [english[w] for w in tokenize(claim.label.replace(" ", "")) if w in english]
    if not words:
        return None
    place = meta.region_short_en
    scope = rng.choice([f"in {place} in {meta.year}", f"for {place}", f"in the {meta.year} report of {place}", f"in {place}"])
    kind = "%" if claim.figure.endswith(("%", "％")) else "plan" if claim.planned else ""
    around = list(dict.fromkeys(english[w] for w in tokenize(context) if w in english and english[w] not in words))
    label = " ".join(dict.fromkeys(words))
    if (unit_word := _EN_UNIT_WORDS.get(measure_word(claim))) and rng.random() < 0.5:
        # "How many times did leaders issue instructions …?": the question names its unit, the label is said as a verb
        return "en-unit", f"How many {unit_word} did {label} {scope}?", "en"
    if around and rng.random() < 0.5:
        template = rng.choice(_EN_ASK_IN[kind])
        return "en-context", template.format(label=label, context=" ".join(around[:3]), scope=scope), "en"
    return "en", _EN_ASK[kind].format(label=label, scope=scope), "en"
