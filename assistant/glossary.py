"""The bilingual glossary (corpus/glossary.tsv): English domain terms -> the Chinese terms the reports use.

Built from the reports themselves (their quoted program names, section headings and the nouns their figures
count); `python -m assistant glossary --missing` lists quoted report terms that no entry covers yet."""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from index.bm25 import normalize

# Quoted names in the reports: “一件事”, 《深圳经济特区数据条例》 — the candidates for glossary entries.
_QUOTED = re.compile(r"[“《]([^”》]{2,20})[”》]")


class GlossaryError(ValueError):
    """The glossary file is malformed; the message names the line."""


@dataclass(frozen=True)
class GlossaryHit:
    phrase: str          # the English words matched in the question (lower case)
    zh: tuple[str, ...]  # the Chinese terms they stand for


class Glossary:
    def __init__(self, entries: list[tuple[list[str], list[str]]], places: set[str] = frozenset()) -> None:
        self.entries = entries
        self.places = set(places)  # the Chinese terms of entries tagged "place"
        self._zh_of = {en.lower(): tuple(zh) for ens, zh in entries for en in ens}
        # One alternation, longest phrase first: at each position the longest entry wins
        # ("cross-region service items" -> 通办事项, not "cross-region" -> 跨域通办 + "items" -> 事项).
        phrases = "|".join(map(re.escape, sorted(self._zh_of, key=len, reverse=True))) or "(?!)"  # (?!): never matches
        self._pattern = re.compile(r"(?<![a-z0-9])(" + phrases + r")(?:e?s)?(?![a-z0-9])")

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        entries, places = [], set()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise GlossaryError(f"cannot read the glossary {path.name}: {type(err).__name__}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            english = [e.strip() for e in parts[0].split("|") if e.strip()]
            chinese = [z.strip() for z in parts[1].split("|") if z.strip()] if len(parts) in (2, 3) else []
            tag = parts[2].strip() if len(parts) == 3 else ""
            if not english or not chinese or tag not in ("", "place"):
                raise GlossaryError(f"{path.name} line {number}: expected 'english|synonyms<TAB>中文|同义[<TAB>place]', got {line[:60]!r}")
            entries.append((english, chinese))
            places |= set(chinese) if tag else set()
        return cls(entries, places)

    def fingerprint(self) -> str:
        """A short hash of the entries (and which are places): what a model written through the glossary depends on."""
        content = json.dumps([self.entries, sorted(self.places)], ensure_ascii=False)
        return hashlib.sha256(content.encode()).hexdigest()[:12]

    def find(self, text: str) -> list[GlossaryHit]:
        """Non-overlapping glossary phrases in text, leftmost and longest first."""
        lowered = normalize(text)
        return [GlossaryHit(m.group(1), self._zh_of[m.group(1)]) for m in self._pattern.finditer(lowered)]

    def expand(self, text: str) -> list[str]:
        """The Chinese terms for the English phrases of text, in order, without repeats."""
        return list(dict.fromkeys(z for hit in self.find(text) for z in hit.zh))

    def english_words(self) -> set[str]:
        return {w for phrase in self._zh_of for w in re.findall(r"[a-z]+", phrase)}

    def domain_terms(self) -> set[str]:
        """Chinese terms of the entries that are not place names."""
        return {z for _, zh in self.entries for z in zh} - self.places

    def covers(self, term: str) -> bool:
        return any(z in term for _, zh in self.entries for z in zh)


def quoted_terms(report_texts: list[str]) -> Counter[str]:
    """The names the reports put in quotes (programs, platforms, regulations), with how often they occur."""
    return Counter(m.group(1) for text in report_texts for m in _QUOTED.finditer(text))


def missing_terms(report_texts: list[str], glossary: Glossary) -> list[tuple[str, int]]:
    """Quoted report terms no glossary entry covers, most frequent first: the work list for extending it."""
    counts = quoted_terms(report_texts)
    return sorted(((t, n) for t, n in counts.items() if not glossary.covers(t)), key=lambda tn: (-tn[1], tn[0]))
