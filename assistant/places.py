"""Which bureau / region a question is about, in Chinese or English, derived from the manifest.

"Shenzhen" alone means the municipal bureau (深圳市); naming Longhua means the district bureau
(深圳市龙华区); place names no report covers ("北京", "Dongguan") are kept so the answer can say so."""
from __future__ import annotations

import re

import jieba.posseg as pseg

from index.bm25 import normalize
from index.load import ReportMeta

# Places the reports name in passing or that contain every region; never a question's scope of its own.
BROAD_PLACES = {"中国", "全国", "城市", "地区", "广东", "广东省", "全省", "全市", "全区", "粤港澳", "大湾区", "国家",
                "省", "市", "区", "china", "guangdong", "prc"}
_LEVEL_WORDS = {
    "district": re.compile(r"区级|区局|区政务|(?<!sub-)(?<!sub )(?<!sub)district", re.I),  # a sub-district is a 街道
    "city": re.compile(r"市级|市局|市政务|municipal|city-level|city level|city bureau", re.I),
}
# A capitalised word made only of Mandarin syllables ("Dongguan", "Beijing"): an English place name.
_SYLLABLE = (r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
             r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er|in|un|ia|ie|iu|ua|uo|ue|ui|a|o|e|i|u|v)")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_PINYIN_FULL = re.compile(rf"(?:{_SYLLABLE}){{2,4}}")


# A district or county with its city: "柳州市柳南区" -> "柳南区".
_DISTRICT = re.compile(r"(?:.+?市|.+?[州盟])(.{2,}[区县旗])")
# Words that join two places named apart: "深圳市和龙华区", "Shenzhen or Longhua".
_CONJUNCTION = re.compile(r"和|与|及|、|或|还是|对比|比较|\band\b|\bor\b|\bvs\b|\bversus\b|\bcompared\b")


def _name_pattern(name: str) -> re.Pattern:
    """A region's name in lower-cased text: an English name as a whole word ("longhu" is not in "longhua")."""
    escaped = re.escape(name.lower())
    return re.compile(rf"(?<![a-z]){escaped}(?![a-z])" if name.isascii() else escaped)


def _between(text: str, a: tuple[int, int], b: tuple[int, int]) -> str:
    return text[min(a[1], b[1]):max(a[0], b[0])] if a[1] <= b[0] or b[1] <= a[0] else ""


class RegionIndex:
    """Names of the manifest's regions in Chinese and English."""

    _SUFFIXES = ("市", "区", "县")

    def __init__(self, metas: list[ReportMeta], known_english: set[str] = frozenset(), known_terms: set[str] = frozenset(),
                 gazetteer: frozenset[str] = frozenset()) -> None:
        self.aliases: dict[str, set[str]] = {}
        for meta in metas:
            names = self.aliases.setdefault(meta.region, set())
            names.add(meta.region)
            local = meta.region
            for parent in {m.region for m in metas if m.region != meta.region and meta.region.startswith(m.region)}:
                local = meta.region[len(parent):]  # 深圳市龙华区 -> 龙华区
            district = _DISTRICT.fullmatch(meta.region)
            if local == meta.region and district:  # no report of its city: 柳州市柳南区 -> 柳南区 all the same
                local = district.group(1)
            names.add(local)
            names.add(local.rstrip("".join(self._SUFFIXES)))  # 龙华区 -> 龙华
            if meta.region_en:
                names.add(meta.region_en.split(",")[0].split()[0].lower())  # "Longhua District, Shenzhen" -> longhua
        self._patterns = {region: [_name_pattern(n) for n in names if len(n) >= 2] for region, names in self.aliases.items()}
        # English words that are never place names here: the manifest's own English and the glossary's
        self.english_vocabulary = {w.lower() for m in metas for w in re.findall(r"[A-Za-z]+", m.bureau_en + " " + m.title_en)}
        self.english_vocabulary |= set(known_english)
        # Chinese domain terms that are not places (jieba's dictionary tags a few, like 满意度, as place names)
        self.known_terms = set(known_terms)
        # names of cities, districts and counties (CC-CEDICT: Dictionary.places), longest first: jieba tags many of
        # them as other words (铁岭市 as a noun, 龙文区 as a person's name)
        self.gazetteer = sorted(gazetteer, key=lambda name: (-len(name), name))
        # is_known is asked for every word of every question: the names indexed once, not scanned region by region
        self.english_words = {n for names in self.aliases.values() for n in names if n.isascii()}
        self._names = {n for names in self.aliases.values() for n in names}
        self._chinese = {n for n in self._names if len(n) >= 2 and not n.isascii()}
        self._joined = "\n".join(sorted(self._chinese))  # "place in some name" as one substring search

    def is_known(self, place: str) -> bool:
        """Whether place is (part of) a region's name or holds one; an English name only as a whole ("Longhu"
        is not Longhua). The city of a district report is not known of itself: "枣庄市" names a municipal bureau that
        no report covers, not 枣庄市峄城区."""
        if place.isascii():
            return place.lower() in self.english_words
        if place in self._names:
            return True
        if not place.endswith("市") and "\n" not in place and place in self._joined:  # a city's full name only as a region's own
            return True
        return any(place[i:j] in self._chinese for i in range(len(place)) for j in range(i + 2, len(place) + 1))

    def find(self, text: str) -> list[str]:
        """Regions the text names. "深圳市龙华区" names 深圳 too, so a region containing a named one is kept only
        when named apart from it ("深圳市和龙华区", "Shenzhen and Longhua")."""
        lowered = normalize(text)
        spans = {region: [m.span() for pattern in patterns for m in pattern.finditer(lowered)]
                 for region, patterns in self._patterns.items()}
        hits = [region for region, found in spans.items() if found]
        kept = []
        for region in hits:
            inner = [span for other in hits if other != region and other.startswith(region) for span in spans[other]]
            if not inner or any(all(_CONJUNCTION.search(_between(lowered, own, span)) for span in inner) for own in spans[region]):
                kept.append(region)
        return kept

    def level(self, text: str) -> str | None:
        """"district" / "city" when the question says which level of bureau it means."""
        named = [lvl for lvl, pattern in _LEVEL_WORDS.items() if pattern.search(text)]
        return named[0] if len(named) == 1 else None

    def unknown_places(self, text: str, translated: list[str] = ()) -> list[str]:
        """Place names in the question (Chinese, English, or English translated by the glossary) that no report covers."""
        chinese = " ".join([text, *translated])
        found = [w.word for w in pseg.cut(chinese) if w.flag == "ns" and w.word not in BROAD_PLACES
                 and w.word not in self.known_terms and not self.is_known(w.word)]
        rest = chinese
        for place in self.gazetteer:
            if place in rest:
                rest = rest.replace(place, " ")  # "龙华区" inside "深圳市龙华区" is not matched again by a shorter name
                if not self.is_known(place) and place not in BROAD_PLACES:
                    found.append(place)
        for word in _CAPITALISED.findall(text):
            lowered = word.lower()
            if (_PINYIN_FULL.fullmatch(lowered) and lowered not in BROAD_PLACES and lowered not in self.english_vocabulary
                    and not self.is_known(lowered)):
                found.append(word)
        return list(dict.fromkeys(found))
