"""Question understanding: language, what kind of answer is wanted, which reports (region, level, year) the
question is about, what it counts (its focus) and the lexical search terms (Chinese, plus glossary terms)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import jieba

from assistant.dictionary import Dictionary
from assistant.figures import BIG_COUNTER
from assistant.glossary import Glossary
from assistant.places import RegionIndex
from index.bm25 import tokenize


class QuestionError(ValueError):
    """The question cannot be asked as given; the message says why."""


def error_line(err: Exception) -> str:
    """Any other error as one line for a person (the CLI's stderr, the chat): its kind and the first line of its
    message, at most 200 characters."""
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0][:200]}" if text else type(err).__name__


# Invisible characters a paste or an attacker can put inside a word ("深\u200b圳"): zero-width, soft hyphen, BOM,
# bidirectional controls. They are removed before the question is understood.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# NFKC turns full-width digits and letters into ASCII (２０２５年 -> 2025年); the Chinese punctuation the
# understanding reads (？，：；（）！) is kept as written.
_NOT_CJK_PUNCT = re.compile("[^？，：；（）！]+")


def visible(text: str) -> str:
    """Text as it may be shown and stored: without the invisible characters, whose bidirectional overrides would
    show a question or a conversation title reversed ("\u202e…" spoofs a title)."""
    return _INVISIBLE.sub("", text)


def clean_text(text: str) -> str:
    """The question as the assistant reads it: NFKC (full-width digits), no invisible or control characters.
    Text with lone surrogates (undecodable bytes) is refused: it cannot be shown or stored faithfully."""
    if re.search("[\ud800-\udfff]", text):
        raise QuestionError("the text is not valid Unicode (undecodable bytes or a lone surrogate)")
    text = _NOT_CJK_PUNCT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), visible(text))
    return _CONTROL.sub(" ", text)


def validate_question(text: object, max_chars: int) -> str:
    if not isinstance(text, str):
        raise QuestionError("the question is empty" if text is None else "the question must be a string")
    if len(text) > 20 * max_chars:  # refused before any work on it
        raise QuestionError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    text = clean_text(text).strip()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    return text


def validate_history(history: object, max_turns: int, max_chars: int) -> list[dict]:
    """The conversation a follow-up is read against: a list of {"role", "content"} turns. Only the last max_turns
    are kept, and a turn's text is cut at max_chars (a question longer than that could not have been asked)."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise QuestionError("history must be a list of {role, content} objects")
    turns = []
    for turn in history[-max_turns:]:
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant", "system"):
            raise QuestionError("each history turn must be an object with a role of user, assistant or system")
        content = turn.get("content")
        if turn["role"] == "user" and not isinstance(content, str):
            raise QuestionError("a user turn's content must be a string")
        content = clean_text(content[:max_chars]) if isinstance(content, str) else ""
        turns.append({"role": turn["role"], "content": content})
    return turns


CJK = re.compile(r"[\u4e00-\u9fff]")  # one Chinese character
_LATIN = re.compile(r"[A-Za-z]")

# --- what kind of question it is ---
_COMPARE = re.compile(r"比较|对比|相比|相较|分别|哪个更|哪一个更|谁更|差异|差距|变化|增加了多少|增长了多少|"
                      r"多还是少|高还是低|哪个多|哪个少|哪个高|哪个低|(?:和|跟|与)[^，,。？?]{1,20}?比(?:呢|一下|起来)?[？?]?$|"
                      r"\b(?:more|less|fewer|higher|lower|better|worse) or (?:more|less|fewer|higher|lower|better|worse)\b|"
                      r"\b(?:is|was|are|were) (?:that|this|it) (?:more|less|fewer|higher|lower|bigger|larger|smaller) than\b|"
                      r"\bstacks? up\b|"
                      r"\bhow does (?:that|this|it) compare|"
                      r"哪(?:一|个)?(?:年|份报告|个机构|个区|个市)[^？?]{0,30}?(?:更|较)(?:多|少|高|低)|"
                      r"\bcompare|\bcomparison|\bversus\b|\bvs\.?\b|difference|\bboth\b|\bchange[ds]?\b|"
                      r"which (?:one |bureau |report |year |city )?(?:\w+ )?(?:more|less|fewer|higher|lower)|"
                      r"(?:which|what) (?:year|report|bureau|city|district)\b[^?]{0,60}?\b(?:more|less|fewer|higher|lower)\b", re.I)
# "Can you summarize …?" is a request, not a yes/no question
_YESNO = re.compile(r"是否|有没有|是不是|吗[？?]?$|^(?:is|are|was|were|did|does|do|has|have|had)\b|^(?:can|could)\b(?!\s+you\b)", re.I)
# "what is 深小i?", "什么是“秒报秒批”？": a definition; "summarize…", "what did … do on …", "采取了哪些举措": a summary
_DEFINITION = re.compile(r"^\s*(?:what\s+(?:is|are|was|were)|what's)\s+(?!(?:the\s+)?(?:number|share|total|amount|figure|rate|"
                         r"percentage|proportion|level|date|year)\b)(?:the\s+|an?\s+)?[^\s?？]+(?:\s+[^\s?？]+){0,3}\s*[?？.]?\s*$|"
                         r"什么是|何为|何谓|是什么[？?。]?\s*$|是指什么|指的是什么", re.I)
# what a "what is" question asks about: "What is 深小i?", "什么是“秒报秒批”？", "“i深圳”是什么？"
_SUBJECT = re.compile(r"^\s*(?:what\s+(?:is|are|was|were)|what's|什么是|何为|何谓)\s*(?:the\s+)?(.+?)[\s?？。.!！]*$|"
                      r"^\s*(.+?)(?:是什么|是指什么|指的是什么|是啥)[\s?？。]*$", re.I)
_SUMMARY = re.compile(r"概括|总结|综述|简述|介绍|汇总|做了哪些|做了什么|开展了哪些|有哪些(?:举措|措施|做法|工作|成效|亮点)|"
                      r"采取了?哪些|哪些(?:举措|措施|做法)|\bsummar|\boverview\b|\boutline\b|\bdescribe\b|"
                      r"what (?:did|has|have) .{1,60}? (?:do|done|achieve|achieved)\b|"
                      r"\bhow (?:did|has|have|does|do) .{1,60}? (?:progress|develop|evolve|advance|improve)(?:ed|d)?\b|"
                      r"\b(?:measures|steps|initiatives|actions|efforts|achievements)\b", re.I)
_LIST = re.compile(r"哪些|有哪几|列举|列出|\blist\b|what are the|which (?:\w+ ){0,2}(?:are|were|did)\b", re.I)
_DATE_ZH = re.compile(r"何时|什么时候|哪一?天|哪一?年|几月|什么日期|哪个月|具体日期")
# "when" asks for a date only as the question word ("When did …", "In 2025, when was …"), not as a conjunction ("what
# rate did it reach when routing requests"); "to date" means "so far"
_DATE_EN = re.compile(r"^\W*when\b|\bwhen (?:did|was|were|is|are|does|do|will|has|have|had)\b|what date|which date|"
                      r"(?<!\bto )(?<!up-to-)\bdate\b|on what day|which year|what year|which month|what day", re.I)
_FIGURE_ZH = re.compile(r"多少|几[个项件次份宗条家张期名台路篇场批人种所座户套天万亿%成大起例]|(?<![近这那前后头])几年|多长|多久|多大|多高|多快|比例|百分之|率|满意度|数量|总量|金额|"
                        r"排名|第几|预算|经费|费用|成本|开支|平均|面积")
_FIGURE_EN = re.compile(r"how many|how much|number of|count of|percentage|what share|percent|\brates?\b|amount|\btotal\b|"
                        # "the fastest time", "the business volume", "the scale of data sharing", "the money paid out",
                        # "how did … usage change": a quantity, however it is asked for
                        r"\b(?:fastest|quickest|shortest|longest)\b|\bvolumes?\b|\bscale of\b|\bmoney\b|\bpaid out\b|"
                        # "what area does the digital twin base cover": a surface, in square kilometres
                        r"\bwhat (?:total )?area\b[^?]*\bcover|\bsquare (?:kilomet|met)|\bhectares?\b|"
                        r"\bhow did\b[^?]*\b(?:change|grow|increase|decrease|rise|fall|drop)\b|"
                        r"how long|\brank|how far|by how|how fast|how quickly|how soon|how (?:satisfied|accurate|big|large|"
                        r"high|efficient|widely|often)|"
                        # "what first-time answer accuracy", "what cumulative volume": a quantity named after a few words
                        r"what (?:[\w'-]+ ){0,3}?(?:level|proportion|volume|value|size|scale|accuracy|count|share)\b|"
                        # a quantity asked by its noun: "what was the annual budget", "the average waiting time"
                        r"\b(?:budget|cost|costs|spending|expenditure|revenue|funding|headcount|staffing|average|"
                        r"median|waiting time|wait time|processing time|time limit|ratio|score|tally)\b", re.I)

# comparatives: "which … more", "哪个更多" ask for figures to compare
MORE = re.compile(r"更多|较多|最多|更高|较高|最高|多于|高于|多还是少|高还是低|哪个多|哪个高|\bmore\b|\bhigher\b|\bmost\b|\bhighest\b|\blarger\b|\bbigger\b", re.I)
LESS = re.compile(r"更少|较少|最少|更低|较低|最低|少于|低于|哪个少|哪个低|\bfewer\b|\bless\b|\blower\b|\bleast\b|\blowest\b|\bfewest\b", re.I)

# --- the unit a figure answer should carry ---
# "几大核心模块" counts modules by 大 ("12大核心模块"); "多少大型企业" is no such count
_BIG = BIG_COUNTER
# the measure words a Chinese count is asked with ("多少所学校": 所), for the unit asked, the count and the counted noun
_COUNTERS = "个项件次份宗条家张期名台路篇场批人种所座户套"
_UNIT_ZH = re.compile(rf"(?:多少|几)(亿元|万元|万件次|件次|人次|[{_COUNTERS}]|天|元|倍|万|亿|{_BIG})")
_UNIT_EN = [
    (re.compile(r"percent|percentage|\brate\b|share|proportion|ratio|satisf|accura", re.I), "%"),
    (re.compile(r"\btimes\b|how often|\btrips\b", re.I), "次"),
    (re.compile(r"\bdays?\b|how long|how fast|how quickly|how soon", re.I), "天"),
    (re.compile(r"yuan|\bRMB\b|money|funds|budget|financing|funding|investment", re.I), "元"),
    # a sum paid or traded, unless items are counted ("how many subsidy items were paid out")
    (re.compile(r"^(?!.*\bhow many\b).*\b(?:turnover|paid out|disbursed|amount of (?:subsid|money|fund|grant|compensation|"
                r"financ|spending|investment))", re.I), "元"),
    # "how much … paid / cost / worth": an amount ("how many were paid out" counts items)
    (re.compile(r"\bhow much\b.*\b(?:paid|pay|costs?|spen[dt]|fees?|price|worth|value)\b|"
                r"\b(?:value|worth|price|revenue|expenditure|fees)\b(?!.*\bhow many\b)", re.I), "元"),
    # the people counted, named right after "how many" ("how many lawyers", not "how many documents did the lawyers …")
    (re.compile(r"people|persons|residents|\bhow many (?:\w+ ){0,2}?(?:lawyers|staff|employees|officials|civil servants|"
                r"workers|officers)\b", re.I), "人"),
    (re.compile(r"terabytes?|gigabytes?|petabytes?|\b[TGP]B\b", re.I), "TB"),
    (re.compile(r"square kilomet", re.I), "平方公里"),
]
_COUNT = re.compile(rf"how many|(?:多少|几)(?:[{_COUNTERS}]|{_BIG})", re.I)
_PERCENT_ZH = re.compile(r"率|比例|百分|满意度")
_MONEY_ZH = re.compile(r"金额|资金|多少钱|多少元|预算|经费|融资|交易额|成交额|营业额")
_CUMULATIVE_Q = re.compile(r"累计|总共|一共|以来|至今|迄今|截至|总计|合计|so far|to date|in total|cumulative|since (?:its |it |the )?"
                           r"(?:launch|start|began|opening)|altogether|all told|overall|running total|by the end", re.I)
# "not counting the cumulative total", "不算累计的": the running total is named to be excluded
_NOT_CUMULATIVE_Q = re.compile(r"(?:not counting|not including|excluding|apart from|other than|rather than|instead of|not)\s+"
                               r"(?:the\s+|a\s+|its\s+)?(?:cumulative|running total|overall total|total)|"
                               r"(?:leaving|setting|putting)\s+(?:the\s+|its\s+)?(?:cumulative|running|overall)(?:\s+total)?\s+aside|"
                               r"(?:不算|不含|不包括|除去|除了|而非|而不是|不是|不要|不用|别算|非)(?:累计|总共|总计|合计)", re.I)
# "(cumulative, not just that year's additions)", "不只是当年的": one period named to be excluded
_NOT_PERIOD_Q = re.compile(r"\b(?:not|rather than|instead of)\s+(?:just\s+|only\s+|merely\s+)?(?:for\s+|in\s+)?"
                           r"(?:that|this|one|the|a single)\s+year(?:'s)?|(?:不只是|不仅是|不限于|而非)(?:当年|今年|全年|年内|本年)", re.I)
_PERIOD_Q = re.compile(r"\bin (?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
                       r"全年|今年|当年|年内|本年|一年|年度|during|itself|this year|that year|in that year|alone|for the year|"
                       r"over the year|within the year|annual", re.I)
_ASK_ZH = re.compile(r"多少|几[个项件次份天家条名种万亿%大]")
_ASK_EN = re.compile(r"how (?:many|much)|what (?:\w+ ){0,3}(?:share|percentage|proportion|accuracy|rate|rating|ratio|volume|"
                     r"number|total|amount)\b", re.I)
# where a two-figure question divides: the last joint before its second ask
_JOINT_ZH = re.compile(r"以及|、|，|,|？|\?|；|和|及|与|并且|并")
_JOINT_EN = re.compile(r",? and |, ", re.I)
# asks for a part of a total: "Of the 775 subsidies, how many …", "汇集的政策补贴中，…的有几项", "其中"
_PART_Q = re.compile(r"^\s*(?:of|among) [^,，?？]+[,，]\s*how many\b|\bof (?:which|them|these|those)\b|\bamong (?:them|these|those|the)\b|"
                     r"\bhow many of (?:the|its|these|those)\b|\b(?:were|are|was|is) (?:of )?the [\w' -]+ (?:type|kind|category|sort)\b|"
                     r"其中|之中|当中|[^\s，,。？?]{2,}中[，,]", re.I)
_BASELINE_Q = re.compile(r"原有|原来|此前|之前|以前|基础上|起初|\bbefore\b|\bpreviously\b|\balready\b|\bprior to\b|"
                         r"\boriginally\b|\bexisting\b|\bbaseline\b|to begin with|\bstarted from\b", re.I)
_PLAN = re.compile(r"(?<![模虚])拟(?!定)|计划|目标|下一步|安排|将要|预计|打算|明年|\bplan|\btarget|\bgoal|next year|\baim|\bwill\b", re.I)

# --- years: 2024, 2024年, 二〇二四年; relative years are ambiguous and name none ---
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
# any other four digits before 年 name a year too ("1990年", "9999年"): one no report covers, never one to drop
_YEAR_ANY_ZH = re.compile(r"(?<![\d.,])(\d{4})(?=\s*年(?!代|度?以来))")
_YEAR_ZH = re.compile(r"二[〇零○]([一二三四五六七八九〇零○])([一二三四五六七八九〇零○])年")
_ZH_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
# A number the question states itself ("Besides the 45 priority items, how many …"), not a year or a date.
_GIVEN = re.compile(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)(?![\d.,]|\s*年|\s*月|\s*日)")
_RELATIVE_YEAR = re.compile(r"去年|今年|明年|前年|上一年|本年度|last year|this year|next year|previous year", re.I)

# --- the focus: what a figure question counts ---
_FOCUS_ZH_AFTER = re.compile(rf"(?:多少|几)(?:[{_COUNTERS}天元倍万亿类]|{_BIG})*+([^？?，,。]+)")
_FOCUS_ZH_BEFORE = re.compile(r"([^，,？?。]+?)(?:是多少|有多少|为多少|达到?多少|[一总]?共多少|多少)")
# Quoted names; not single quotes, which English possessives ("Shenzhen's … Longhua's") would pair up.
_QUOTED_NAME = re.compile(r"[“「《\"]([^”」》\"]{2,20})[”」》\"]")
# English head nouns that only count ("items", "services"): the word before them says what is counted.
_GENERIC_HEADS = {"items", "item", "services", "service", "matters", "cases", "things"}
# A phrase before 多少 that only says where or when ("2022年和2025年报告里分别是多少"): what is counted was named
# in the clause before it.
_ONLY_WHERE = re.compile(r"(?:\d{4}年?(?:度)?|[和与及、]|在|从|报告|年报|中|里|上|的|分别|各自?|都|写|说|提到|记载|\s)*")
_TRAILING_VERB = re.compile(r"(?:超过|达到|达|是|有|为|共计|共|约|大约|累计|一共|总共|了|分别|各自|各|都|百分之)+$")
# A comparison said after what is counted ("主动公开的政府信息比2022年多吗", "…相比哪年更高"): not part of what is counted
_COMPARED = re.compile(r"(?:(?<![同环相对])比(?![例重率])|较|相比|对比|相较)[^，,？?。]{0,12}$")
_FOCUS_EN = [
    re.compile(r"how (?:many|much) (.+?)(?= (?:did|does|do|were|was|are|is|have|has|had|will|would|can|could)\b|[?,.]|$)", re.I),
    # "what is Longhua's cumulative number of electronic licence look-ups": what follows "number of" is counted
    re.compile(r"\b(?:number|count|total|amount|quantity|volume) of (.+?)(?= (?:did|does|do|were|was|are|is|have|has|had|"
               r"in|at|on|by|for|under|since|during|from)\b|[?,.]|$)", re.I),
    # "which … cut more application materials per item": what is compared, up to its qualifier
    re.compile(r"\b(?:more|fewer|less|higher|lower|most|fewest)\s+(.+?)(?=\s+(?:per|of|for|in|than|between|from|by)\b|[?,.]|$)", re.I),
    re.compile(r"\b(?:what|which) (?:is|was|were|are) (?:the )?(.+?)(?= (?:of|in|for|at|on|by)\b|[?,.]|$)", re.I),
    re.compile(r"\b(?:what|which) (.+?)(?= (?:did|does|do|was|were|is|are)\b)", re.I),
]


@dataclass
class Question:
    text: str
    lang: str                    # "zh" | "en"
    kind: str                    # "figure" | "date" | "comparison" | "yesno" | "definition" | "summary" | "list" | "text"
    wants: str                   # the answer's core: "figure" | "date" | "text"
    unit: str | None             # e.g. "个", "%" — the unit a figure answer should carry
    years: list[int]             # years named in the question
    regions: list[str]           # manifest regions named in the question (most specific only)
    terms: list[str]             # lexical search terms (Chinese tokens + glossary expansions)
    level: str | None = None     # "city" | "district" when the question says which level of bureau
    expansions: list[str] = field(default_factory=list)  # Chinese terms added from the glossary
    glossary_hits: list[tuple[str, list[str]]] = field(default_factory=list)  # (English phrase, Chinese terms)
    focus: list[str] = field(default_factory=list)        # terms of the thing a figure question counts
    focus_head: list[str] = field(default_factory=list)   # its head noun's terms ("key one-matter items" -> 事项)
    # an English head read through the dictionary: all its senses, of which focus_head holds the most used one
    # ("events" -> 项目, 事件); a sentence naming any of them names what is counted
    head_senses: list[str] = field(default_factory=list)
    head_modifier: str = ""      # the Chinese word right before the head noun: which of its kind is counted (澳门用户)
    names: list[str] = field(default_factory=list)        # program / platform names it refers to (“深小i”, i深圳)
    counts: bool = False         # asks "how many" / 多少个: a count, not a percentage
    other_places: list[str] = field(default_factory=list)  # place names that match no indexed region
    relative_year: str | None = None  # "去年", "last year": ambiguous, so no year is assumed
    asks_plan: bool = False      # about plans/targets rather than what was done
    asks_baseline: bool = False  # about what there was before (原有, "already had"), not what was added
    asks_part: bool = False      # about a part of a total ("Of the subsidies, how many …", "其中")
    scope_terms: list[str] = field(default_factory=list)  # tokens naming the region/year, not the topic
    dict_terms: list[str] = field(default_factory=list)   # Chinese words for English words the glossary lacks (CC-CEDICT)
    cumulative: bool = False     # asks for a running total (累计, 上线以来, "so far", "in total")
    period: bool = False         # asks for one period only (全年, 今年以来, "during 2024 itself", "this year")
    asks: int = 1                # how many figures it asks for ("多少个…、多少家…": 2)
    parts: list["Question"] = field(default_factory=list)  # one sub-question per figure asked, when more than one
    # the language of the turn being answered, when the text was resolved from an earlier turn in another language
    # ("And in 2024?" after a Chinese question is read as that Chinese question, and answered in English)
    turn_lang: str | None = None
    subject: str = ""            # what a "what is" question asks about, as written ("深小i"); "" for other kinds
    # a yes/no question about whether a thing exists or happened (existence()): the head noun(s) of the thing, which a
    # statement must name to say yes ("有没有行政复议案件" -> 案件; "Did … have any reconsideration cases …?" -> 案件, 案例 …);
    # the thing itself, which a negation right before says did not happen (行政复议案件; English: the same senses);
    # and the verb a Chinese question asks it with ("是否发生…" -> 发生), which a statement must say outside a negation
    exists: list[str] = field(default_factory=list)
    exists_thing: list[str] = field(default_factory=list)
    exists_verb: str = ""
    given: list[str] = field(default_factory=list)  # numbers the question states itself: never its answer

    @property
    def answer_lang(self) -> str:
        return self.turn_lang or self.lang

    @property
    def topic_terms(self) -> list[str]:
        """Search terms about the topic, as they can appear in the reports: the region and year words are left
        to the scope check, and an English question's own words to the glossary (the reports are Chinese)."""
        return [t for t in self.terms if t not in self.scope_terms and not re.fullmatch(r"20\d\d", t)
                and not (self.lang == "en" and re.fullmatch(r"[a-z]+", t))]

    def explain(self) -> dict:
        """What was understood, for `retrieve --explain` and the UI."""
        return {"lang": self.lang, "kind": self.kind, "wants": self.wants, "unit": self.unit,
                "regions": self.regions, "level": self.level, "years": self.years,
                "relative_year": self.relative_year, "other_places": self.other_places,
                "asks_plan": self.asks_plan, "asks_baseline": self.asks_baseline, "focus": self.focus,
                "focus_head": self.focus_head, "names": self.names,
                "glossary": [{"en": en, "zh": zh} for en, zh in self.glossary_hits], "dictionary": self.dict_terms,
                "cumulative": self.cumulative, "period": self.period, "asks": self.asks, "terms": self.terms}


def given_numbers(text: str) -> list[str]:
    """The numbers a question states (commas dropped), other than its years: "Besides the 45 items" -> ["45"]."""
    return [n.replace(",", "") for n in _GIVEN.findall(text) if not _YEAR.fullmatch(n)]


def detect_lang(text: str) -> str:
    """The language of the question's own words: a quoted name ("What is “秒批”?") does not make it Chinese."""
    frame = _QUOTED_NAME.sub(" ", text)
    if not (CJK.search(frame) or _LATIN.search(frame)):
        frame = text
    return "zh" if len(CJK.findall(frame)) * 3 >= len(_LATIN.findall(frame)) else "en"


def detect_wants(text: str) -> str:
    if _DATE_ZH.search(text) or _DATE_EN.search(text):
        return "date"
    if _FIGURE_ZH.search(text) or _FIGURE_EN.search(text):
        return "figure"
    return "text"


def detect_kind(text: str, wants: str, regions: list[str], years: list[int]) -> str:
    if _COMPARE.search(text) or len(regions) > 1 or len(years) > 1:
        return "comparison"
    if wants != "text":
        return wants
    if asks_yes_or_no(text):
        return "yesno"
    if _DEFINITION.search(text.strip()):
        return "definition"
    if _SUMMARY.search(text):
        return "summary"
    if _LIST.search(text):
        return "list"
    return "text"


def asks_yes_or_no(text: str) -> bool:
    """"是否…", "Did …?": also when the question sets reports side by side ("是否都提到…")."""
    return bool(_YESNO.search(text.strip()))


def open_form(text: str) -> bool:
    """Asked as an open question (yes/no, "what is", a summary, a list), whatever else it is: "两年分别采取了哪些措施",
    "did both reports mention …", "how did the reform progress across the two years?"."""
    return asks_yes_or_no(text) or any(p.search(text.strip()) for p in (_DEFINITION, _SUMMARY, _LIST))


def definition_subject(text: str) -> str:
    """The program or term a "what is" question asks about, as written ("深小i"), or ""."""
    m = _SUBJECT.match(text)
    subject = (m.group(1) or m.group(2) or "") if m else ""
    quoted = _QUOTED_NAME.search(subject)  # 'the "i深圳" app' asks about i深圳
    return quoted.group(1) if quoted else subject.strip(" “”\"'《》「」")


def detect_unit(text: str) -> str | None:
    if (m := _UNIT_ZH.search(text)):
        return "元" if m.group(1).endswith("元") else m.group(1)
    if _PERCENT_ZH.search(text):
        return "%"
    if _MONEY_ZH.search(text):
        return "元"
    # "how many Hong Kong services can people use": the unit is the counted noun's, not another word's of the question
    counted = _FOCUS_EN[0].search(text)
    counted = counted if counted and counted.group(0).lower().startswith("how many") else None
    for pattern, unit in _UNIT_EN:
        if counted and unit != "%" and pattern.search(counted.group(0)) or not counted and pattern.search(text):
            return unit
    return None


def detect_years(text: str) -> list[int]:
    years = {int(y) for y in _YEAR.findall(text)} | {int(y) for y in _YEAR_ANY_ZH.findall(text)}
    years |= {int("20" + _ZH_DIGIT[a] + _ZH_DIGIT[b]) for a, b in _YEAR_ZH.findall(text)}
    return sorted(years)


_ELLIPTIC_ZH = re.compile(r"^(?:那|那么)?([^，,。？?（(]{2,12}?)(?:又|的)?呢[？?]?(?:[（(][^）)]*[）)])?\s*$")


def elliptic_focus(question: "Question") -> str:
    """What a Chinese "X呢？" turn names ("满意度呢？（深圳市2024年）" -> "满意度"): it asks the previous question's kind of
    figure of it, and has no counted phrase of its own."""
    found = _ELLIPTIC_ZH.match(question.text) if question.lang == "zh" else None
    return found.group(1) if found else ""


def counted_after_ask(text: str) -> str:
    """The words after 多少 / 几 and their measure words, up to the next punctuation: what a Chinese question counts,
    then what it says of it ("多少个省达成…" -> "省达成…"); "" when nothing follows them."""
    after = _FOCUS_ZH_AFTER.search(text)
    return after.group(1) if after else ""


def _after_ask(text: str, phrase: str) -> bool:
    """The focus phrase is the one after 多少 / 几 (focus_text's first reading)."""
    return counted_after_ask(text) == phrase


def focus_text(text: str, lang: str) -> str:
    """The phrase naming what a figure question counts: "多少个“跨域通办”合作地区" -> "“跨域通办”合作地区"."""
    if lang == "zh":
        if (after := counted_after_ask(text)).strip("的了是有达 "):
            return after
        before = _FOCUS_ZH_BEFORE.search(text)
        if not before:
            return ""
        phrase = _TRAILING_VERB.sub("", before.group(1))
        if _ONLY_WHERE.fullmatch(phrase) and (earlier := re.split(r"[，,？?]", text[:before.start(1)].rstrip("，,？? "))[-1]):
            return _COMPARED.sub("", earlier) or earlier
        return _COMPARED.sub("", phrase) or phrase
    for pattern in _FOCUS_EN:
        if (m := pattern.search(text)):
            return m.group(1)
    return ""


# jieba part-of-speech tags of words that end a phrase before 多少 without naming what is counted: verbs, adverbs,
# particles, prepositions ("座谈会一共开了多少场": 一共 开 了). Only a noun left at the end replaces the phrase.
_NOT_COUNTED = {"v", "vd", "d", "ul", "uj", "ug", "uz", "uv", "f", "p", "c", "y", "r"}
# jieba tags some nouns of the reports as adjectives or names (清单 "a", 承诺制 "nr")
_NOUNS = {"n", "nz", "nt", "vn", "eng", "l", "i", "j", "a", "nr"}
_TOTAL_WORDS = {"一共", "总共", "共", "合计", "总计", "累计", "平均"}  # and the average, said the same way
_CLOSING_QUOTE = "”」》\""


def _counted_noun(phrase: str) -> str:
    """The nouns right after 多少/几 + measure word, up to the first verb or particle: what is counted, and what
    follows is said of it ("部门的事项实现了…" -> 部门, "事项实现了申请材料关联电子证照" -> 事项, "高频政务服务可以在自助终端上
    办理" -> 高频政务服务); the whole phrase when it does not start with a noun."""
    import jieba.posseg

    words, quoted = [], 0
    for w in jieba.posseg.cut(phrase):
        if w.flag in _NOT_COUNTED and not quoted:  # a quoted name is one noun, whatever its words
            break
        quoted += w.word.count("“") - w.word.count("”")
        words.append(w)
    # a one-character noun after a verbal noun is the first half of a verb jieba split ("本市企业免费制发电子印章": 免费 /
    # 制 / 发): what is counted ends before them
    if len(words) >= 3 and len(words[-1].word) == 1 and words[-1].flag == "n" and words[-2].flag in ("vn", "v", "ad", "d"):
        words = words[:-2]
    counted = "".join(w.word for w in words)
    return counted if len(counted) >= 2 and (words[-1].flag in _NOUNS or counted[-1] in _CLOSING_QUOTE) else phrase


def _noun_end(phrase: str) -> str:
    """The phrase up to the noun or quoted name that ends it: "…系列座谈会一共开了" -> "…系列座谈会", "“出生一件事”
    一共办" -> "“出生一件事”"; unchanged when no plain noun is left there (jieba tags places, numbers and some nouns
    alike: 龙华区 / 满意度 are both "ns"; 申请, 率 are tagged verbs)."""
    import jieba.posseg  # loads with jieba's dictionary, already in memory for the tokenizer

    words = [(w.word, w.flag) for w in jieba.posseg.cut(phrase)]
    kept = list(words)
    while kept and (kept[-1][1] in _NOT_COUNTED or kept[-1][0] in _TOTAL_WORDS):
        kept.pop()
    if len(kept) == len(words) or not kept or (kept[-1][1] not in _NOUNS and kept[-1][0] not in _CLOSING_QUOTE):
        return phrase
    return "".join(w for w, _ in kept)


def focus_terms(phrase: str, lang: str, glossary: Glossary, after: bool = False) -> tuple[list[str], list[str]]:
    """(terms of the focus phrase, terms of its head noun — the last word: English and Chinese noun phrases end in it).
    English focus words become the Chinese terms of their glossary entries. after: the Chinese phrase follows 多少/几
    ("几个部门的事项实现了…"): the nouns up to its first verb or particle are what is counted (_counted_noun)."""
    if lang == "zh":
        terms = tokenize(phrase)
        counted = _counted_noun(phrase) if after else phrase
        # the head is a noun: "座谈会一共开了" counts 座谈会, not 开; "“出生一件事”一共办了" counts 一件事
        named = tokenize(_noun_end(counted))
        head = named[-1:]
        if head and len(head[0]) == 1 and len(named) > 1 and (named[-2] + head[0]) in counted:
            head = [named[-2] + head[0]]  # jieba splits unknown compounds: 数据集 -> 数据 + 集
        return terms, head
    hits = glossary.find(phrase)
    if len(hits) > 1 and hits[-1].phrase.lower() in _GENERIC_HEADS:
        # "one-matter items": the items are the 一件事 (or 事项); the head is either
        return [z for hit in hits for z in hit.zh], list(hits[-2].zh) + list(hits[-1].zh)
    return [z for hit in hits for z in hit.zh], list(hits[-1].zh) if hits else []


# jieba tags of words that say which of a kind is meant (a place, a quality) rather than forming one term with the
# noun after them, as plain nouns and verbs do (政务服务中心, 事项数量, 注册用户)
_SELECTING = {"ns", "a", "an", "ad", "b", "vn"}


def head_modifier(phrase: str, head: list[str], regions: RegionIndex) -> str:
    """The word right before the head noun of a Chinese focus phrase when it says which of the head's kind is
    counted: "港澳注册用户中澳门用户" -> 澳门, "日活跃用户数" -> 活跃; "" for a plain noun or verb, a word of one
    character, an indexed place or a total word."""
    import jieba.posseg

    if not head or (at := phrase.rfind(head[0])) <= 0:
        return ""
    before = [(w.word, w.flag) for w in jieba.posseg.cut(phrase[:at])]
    word, flag = before[-1] if before else ("", "")
    if (flag not in _SELECTING or len(word) < 2 or not all(CJK.match(c) for c in word) or regions.is_known(word)
            or word in _TOTAL_WORDS):
        return ""
    return word


def generic_head_terms(phrase: str, glossary: Glossary) -> set[str]:
    """Search tokens of a generic English head ("items") that follows what it counts: left out of the search
    terms, where 事项 would favour any sentence about any items over the one about what is counted."""
    hits = glossary.find(phrase)
    if len(hits) > 1 and hits[-1].phrase.lower() in _GENERIC_HEADS:
        return {t for z in hits[-1].zh for t in tokenize(z)} - {t for hit in hits[:-1] for z in hit.zh for t in tokenize(z)}
    return set()


def named_things(text: str, expansions: list[str], report_names: set[str]) -> list[str]:
    """Names the question refers to: what it quotes, and glossary terms the reports themselves quote as names."""
    quoted = [m.group(1) for m in _QUOTED_NAME.finditer(text)]
    return list(dict.fromkeys(quoted + [z for z in expansions if z in report_names]))


def dictionary_senses(text: str, hits: list, dictionary: Dictionary | None, skip: set[str]) -> list[tuple[str, list[str]]]:
    """(English word, its Chinese words: CC-CEDICT, corpus-filtered, most used first) for the English words of text
    that no glossary phrase covered, in the order Dictionary.find gives."""
    if dictionary is None or not _LATIN.search(text):
        return []
    covered = {w for hit in hits for w in re.findall(r"[a-z]+", hit.phrase)}
    return dictionary.find(text, skip | covered)


# a Chinese question asking whether something happened ("是否发生行政复议", "有没有收到…"): a statement must say the verb,
# not only name the thing ("搭建…行政复议等专题" is no yes) ...
YESNO_MARKER = re.compile(r"有没有|是不是|是否")
_OCCURRED = re.compile(rf"(?:{YESNO_MARKER.pattern})(?:已经|已|曾经|曾)?(发生|出现|存在|收到|受到|获得|涉及)(?:了|过)?")
# ... and one asking whether a thing exists or happened ("有没有行政复议案件", "是否发生行政复议案件") names it last
_EXISTS = re.compile(rf"(?:有没有|是否有|有无|{_OCCURRED.pattern})(.+?)(?:吗|呢|[?？。]|$)")
_ANY_EN = re.compile(r"\bany ([a-z][\w'-]*(?: [a-z][\w'-]*)*?)(?= (?:in|at|on|for|from|by|during|since|under|with|to|of|"
                     r"that|which|last|this|so|against|about|concerning|related|involving|over)\b|[?,.;]|$)", re.I)


def existence(text: str, lang: str, kind: str, glossary: Glossary, dictionary: Dictionary | None,
              skip: set[str]) -> tuple[list[str], list[str], str]:
    """What a question asking whether a thing exists or happened asks about (Question.exists, exists_thing,
    exists_verb): for Chinese the X of "有没有X / 是否发生X" (行政诉讼案件), its last word of two characters or more (案件)
    and the verb (发生); for an English yes/no question the Chinese senses of the head noun of its "any X", which
    serve as both head and thing. Empty when it asks nothing of the kind."""
    if lang == "zh":
        if not (m := _EXISTS.search(text)):
            return [], [], ""
        thing = m.group(m.lastindex)
        words = jieba.lcut(thing)
        head = next((w for w in reversed(words) if len(w) >= 2), "".join(words))
        return [head], [thing.strip()], m.group(1) or ""
    senses = exists_senses(text, glossary, dictionary, skip) if kind == "yesno" else []
    return senses, list(senses), ""


def exists_senses(text: str, glossary: Glossary, dictionary: Dictionary | None, skip: set[str]) -> list[str]:
    """The Chinese words for the head noun of "any X" (its last word; the glossary's words when a phrase of it ends X)."""
    m = _ANY_EN.search(text)
    if not m:
        return []
    phrase = m.group(1)
    hits = glossary.find(phrase)
    last = phrase.lower().split()[-1]
    if hits and last in hits[-1].phrase.split():
        return list(hits[-1].zh)
    return [z for _, zh in dictionary_senses(last, [], dictionary, skip) for z in zh]


def dictionary_terms(text: str, hits: list, dictionary: Dictionary | None, skip: set[str]) -> list[str]:
    """The Chinese words of dictionary_senses, each once."""
    return list(dict.fromkeys(z for _, zh in dictionary_senses(text, hits, dictionary, skip) for z in zh))


def split_asks(text: str, lang: str) -> list[str]:
    """A question asking for several figures, cut before each further ask at the last joint ("、", "和", "and"):
    "上架了多少个交易标的、引进了多少家经营主体" -> ["上架了多少个交易标的", "引进了多少家经营主体"]."""
    asks = list((_ASK_ZH if lang == "zh" else _ASK_EN).finditer(text))
    cuts = []
    for prev, ask in zip(asks, asks[1:]):
        joints = list((_JOINT_ZH if lang == "zh" else _JOINT_EN).finditer(text, prev.end(), ask.start()))
        if joints:
            cuts.append((joints[-1].start(), joints[-1].end()))
    if not cuts:
        return [text]
    parts, start = [], 0
    for cut_start, cut_end in cuts:
        parts.append(text[start:cut_start])
        start = cut_end
    return parts + [text[start:]]


# "首批和第二批分别上收了多少项": several things, then 分别 / 各自 and one ask for the figure of each
EACH_ZH = re.compile(r"(?:分别|各自)([^，,。；;？?]{0,6}?(?:多少|几))")
# where the things listed before 分别 begin: after a clause mark, a year or 的 ("2024年首批和第二批", "系统的浏览量和办件量")
_EACH_START = re.compile(r"[，,：:；;。？?）)]|\d年|的")
_EACH_JOINTS = re.compile(r"[和与及、]")


def split_each(text: str) -> list[str]:
    """A Chinese question listing things before one ask for each ("中山市2024年首批和第二批分别上收了多少项事权？"), one
    question per thing, the rest of the question shared: ["中山市2024年首批上收了多少项事权？", "中山市2024年第二批上收了多少项
    事权？"]; [text] when it lists nothing so ("各部门分别…" names no list, "A和B分别" needs the joint)."""
    each = EACH_ZH.search(text)
    if not each:
        return [text]
    starts = list(_EACH_START.finditer(text, 0, each.start()))
    begin = starts[-1].end() if starts else 0
    things = [t.strip() for t in _EACH_JOINTS.split(text[begin:each.start()])]
    if len(things) < 2 or not all(2 <= len(t) <= 12 for t in things):
        return [text]
    rest = text[each.start(1):]
    return [text[:begin] + thing + rest for thing in things]


def parse_question(text: str, glossary: Glossary, regions: RegionIndex, report_names: set[str] = frozenset(),
                   dictionary: Dictionary | None = None) -> Question:
    question = _parse(text, glossary, regions, report_names, dictionary)
    listed = question.lang == "zh" and question.wants == "figure" and len(question.years) <= 1 and len(question.regions) <= 1
    if (question.asks > 1 and question.wants == "figure") or listed:
        pieces = split_asks(text, question.lang) if question.asks > 1 else split_each(text)
        parts = [_parse(piece, glossary, regions, report_names, dictionary) for piece in pieces] if len(pieces) > 1 else []
        # "How much … according to its 2022 report, and what cumulative amount does the 2025 report give?": each ask
        # names a report of its own, so the question asks one figure of each (a comparison), not several of one
        if parts and not any(all(scopes) and len(set(scopes)) == len(parts)
                             for scopes in ([tuple(p.years) for p in parts], [tuple(p.regions) for p in parts])):
            # what the asks share ("On the Hong Kong machines, how many departments and how many services …"): the
            # question's terms that no part counts, searched for by every part
            counted = {t for part in parts for t in part.focus}
            shared = [t for t in question.terms if t not in counted]
            question.parts = [replace(part, asks=1, regions=question.regions, years=question.years, level=question.level,
                                      lang=question.lang, wants="figure", terms=list(dict.fromkeys(part.terms + shared)))
                              for part in parts]
    return question


def _parse(text: str, glossary: Glossary, regions: RegionIndex, report_names: set[str] = frozenset(),
           dictionary: Dictionary | None = None) -> Question:
    lang = detect_lang(text)
    head_senses: list[str] = []
    hits = glossary.find(text) if _LATIN.search(text) else []
    expansions = list(dict.fromkeys(z for hit in hits for z in hit.zh))
    extra = dictionary_terms(text, hits, dictionary, regions.english_words)
    terms = list(dict.fromkeys(tokenize(text) + [t for z in expansions for t in tokenize(z)] + extra))
    years, named = detect_years(text), regions.find(text)
    wants = detect_wants(text)
    phrase = focus_text(text, lang)
    focus, head = focus_terms(phrase, lang, glossary, after=lang == "zh" and bool(phrase) and _after_ask(text, phrase))
    if lang == "en" and phrase:
        senses = dictionary_senses(phrase, glossary.find(phrase), dictionary, regions.english_words)
        focus_extra = list(dict.fromkeys(z for _, zh in senses for z in zh))
        # the head noun is the phrase's last word; of its senses, the one the reports use most (senses come most used first)
        head_senses = head or [z for _, zh in senses[-1:] for z in zh]
        focus, head = focus + focus_extra, head or [zh[0] for _, zh in senses[-1:]]
    if lang == "en":
        generic = generic_head_terms(phrase, glossary)
        terms = [t for t in terms if t not in generic]
    relative = _RELATIVE_YEAR.search(text)
    kind = detect_kind(text, wants, named, years)
    if kind == "comparison" and wants != "figure" and (MORE.search(text) or LESS.search(text)):
        wants = "figure"  # "which added more …", "in which year … more": a comparison of figures
    exists, thing, verb = existence(text, lang, kind, glossary, dictionary, regions.english_words)
    return Question(
        text=text, lang=lang, kind=kind, wants=wants, unit=detect_unit(text),
        years=years, regions=named, level=regions.level(text), terms=terms, expansions=expansions,
        glossary_hits=[(h.phrase, list(h.zh)) for h in hits],
        focus=[t for t in dict.fromkeys(focus) if not regions.is_known(t) and not t.isdigit()],
        focus_head=[t for t in head if not regions.is_known(t) and not t.isdigit()],
        head_senses=[t for t in head_senses if not regions.is_known(t) and not t.isdigit()],
        counts=bool(_COUNT.search(text)),
        names=named_things(text, expansions, report_names),
        other_places=regions.unknown_places(text, expansions),
        relative_year=relative.group(0) if relative else None,
        asks_plan=bool(_PLAN.search(text)),
        asks_baseline=bool(_BASELINE_Q.search(text)),
        asks_part=bool(_PART_Q.search(text)),
        scope_terms=[t for t in terms if regions.is_known(t)],
        dict_terms=extra,
        cumulative=bool(_CUMULATIVE_Q.search(_NOT_CUMULATIVE_Q.sub(" ", text))),
        period=bool(_PERIOD_Q.search(_NOT_PERIOD_Q.sub(" ", text)) or _NOT_CUMULATIVE_Q.search(text)),
        asks=max(1, len(_ASK_ZH.findall(text)) if lang == "zh" else len(_ASK_EN.findall(text))),
        subject=definition_subject(text) if kind == "definition" else "",
        given=given_numbers(text),
        head_modifier=head_modifier(phrase, head, regions) if lang == "zh" else "",
        exists=exists, exists_thing=thing, exists_verb=verb,
    )
