"""Stage 0, for reports added after the first build: turn an uploaded file into report text, propose its metadata
from that text, and add it to the corpus (text file + manifest entry) so that build_index picks it up.

Nothing is half-written: the manifest is replaced atomically, and a failed add or index build leaves the corpus as
it was before. The uploaded original is kept next to the text made from it (corpus/uploads/)."""
from __future__ import annotations

import datetime
import json
import logging
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from pydantic import ValidationError
from pypinyin import lazy_pinyin
from tqdm import tqdm

from assistant.settings import Settings
from index.build import BuildSummary, build_index
from index.load import ManifestError, ReportMeta, decode_report, read_manifest
from index.store import writable

log = logging.getLogger(__name__)
UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MIN_TEXT_CHARS = 50  # less than this is not a report (an empty page, a scanned PDF without a text layer)


class UploadError(ValueError):
    """The upload cannot be added as given; the message says why and nothing was changed. key and values name the
    reason for an interface that says it in its own language (ui/i18n.py); "" for reasons only the message says."""

    def __init__(self, message: str, key: str = "", **values) -> None:
        super().__init__(message)
        self.key, self.values = key, values


class DuplicateError(UploadError):
    """The text is already in the library, or most of it is (a near-copy of a report there)."""


class SameReportError(UploadError):
    """The report claims the bureau and year of a report already in the library: a second report of them (a
    revised edition, or a text that only claims to be one) is added only when the adder confirms it."""


# --- convert: one reader per file type, each giving plain text lines ---

def extract_text(path: Path, max_bytes: int) -> str:
    """The text of an uploaded report, or UploadError naming what is wrong with the file."""
    suffix = path.suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise UploadError(f"{path.name}: {suffix or 'no extension'} files are not accepted; "
                          f"upload one of {', '.join(UPLOAD_TYPES)}", "upload_type", name=path.name,
                          suffix=suffix or "—", types=", ".join(UPLOAD_TYPES))
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit", "upload_size",
                          name=path.name, mb=f"{size / 1e6:.1f}", limit=f"{max_bytes / 1e6:.1f}")
    try:
        raw = _READERS[suffix](path)
    except UploadError:
        raise
    except Exception as err:  # a reader failing on a malformed file: say so instead of a traceback
        raise UploadError(f"{path.name}: could not be read as {suffix} ({type(err).__name__}: {err})", "upload_unreadable",
                          name=path.name, suffix=suffix) from err
    text = _tidy(raw)
    try:
        check_text(text)
    except UploadError as err:
        hint = " (a scanned PDF has no text layer; run OCR first)" if suffix == ".pdf" else ""
        key = "upload_short_pdf" if err.key == "upload_short" and suffix == ".pdf" else err.key
        raise UploadError(f"{path.name}: {err}{hint}", key, name=path.name, **err.values) from None
    return text


# control characters, private-use code points and U+FFFD: binary bytes that happened to decode (GB18030 decodes
# almost anything); a real report has next to none
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")


def check_text(text: str) -> None:
    """UploadError unless text reads as a report: enough characters, and not binary that decoded by accident."""
    if not isinstance(text, str) or len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        raise UploadError(f"fewer than {MIN_TEXT_CHARS} characters of text", "upload_short", least=MIN_TEXT_CHARS)
    odd = len(_NOT_TEXT.findall(text))
    if odd > max(3, len(text) // 500):
        raise UploadError(f"this is not text ({odd} control or undecodable characters); upload the report as text",
                          "upload_binary", odd=odd)


def _read_plain(path: Path) -> str:
    try:
        return decode_report(path.read_bytes(), path.name)
    except ManifestError as err:
        raise UploadError(str(err), "upload_encoding", name=path.name) from err


def _read_markdown(path: Path) -> str:
    from markdown_it import MarkdownIt  # markdown -> HTML -> text, so headings and emphasis marks go

    return _html_text(MarkdownIt("commonmark").enable("table").render(_read_plain(path)))


def _read_html(path: Path) -> str:
    return _html_text(_read_plain(path))


def _html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    return soup.get_text("\n")


MAX_UNPACKED_BYTES = 50_000_000  # a .docx is a zip: more than this unpacked is a zip bomb, not a report
MAX_PDF_PAGES = 1000             # pypdf bounds each stream's decompression itself (ZLIB_MAX_OUTPUT_LENGTH)


def _read_docx(path: Path) -> str:
    import zipfile

    import docx

    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(path).infolist())
    except zipfile.BadZipFile:
        raise UploadError(f"{path.name}: not a .docx file (not a zip archive)", "upload_not_docx", name=path.name) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadError(f"{path.name}: unpacks to {unpacked / 1e6:.0f} MB, over the {MAX_UNPACKED_BYTES / 1e6:.0f} MB limit",
                          "upload_unpacked", name=path.name, mb=f"{unpacked / 1e6:.0f}", limit=f"{MAX_UNPACKED_BYTES / 1e6:.0f}")
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        raise UploadError(f"{path.name}: the PDF is encrypted", "upload_encrypted", name=path.name)
    if len(reader.pages) > MAX_PDF_PAGES:
        raise UploadError(f"{path.name}: {len(reader.pages)} pages, over the {MAX_PDF_PAGES}-page limit", "upload_pages",
                          name=path.name, pages=len(reader.pages), limit=MAX_PDF_PAGES)
    return "\n".join(page.extract_text() or "" for page in reader.pages)


_READERS = {".txt": _read_plain, ".md": _read_markdown, ".html": _read_html, ".htm": _read_html,
            ".docx": _read_docx, ".pdf": _read_pdf}


def _tidy(text: str) -> str:
    """One line per paragraph: strip each line, drop runs of blank lines."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# --- propose: metadata read off the text, for the user to check and edit ---

_BUREAU = re.compile(r"(?:中共)?([\u4e00-\u9fff]{2,30}?(?:局|委员会|办公室|人民政府|中心|厅))")
# a bureau named with its place: a place name has at least two characters and does not start with a preposition
# ("以市政府办公厅" is "by the city government's office", not a bureau of a place called 以市)
_PLACED_BUREAU = re.compile(r"(?<![\u4e00-\u9fff])(?:中共)?((?:(?![以在对由向经按据为将从与和及并])[\u4e00-\u9fff]{2,4}?[省市区县]){1,3}"
                            r"[\u4e00-\u9fff]{2,16}?(?:局|委员会|办公室|人民政府|中心|厅))")
_REGION = re.compile(r"^(?:中共)?((?:[\u4e00-\u9fff]{2,4}?省)?(?:[\u4e00-\u9fff]{1,4}?市)?(?:[\u4e00-\u9fff]{1,4}?[区县])?)")
_YEAR = re.compile(r"(20\d\d)\s*年")
_DATE = re.compile(r"20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|20\d\d-\d{1,2}-\d{1,2}")


def propose_metadata(text: str, filename: str, existing: list[ReportMeta]) -> dict:
    """Every manifest field, guessed from the text: the title line, the bureau and region it names, the year it
    covers, the date it was signed; English names reuse the manifest's where the region is known, else pinyin."""
    title = _title(text)
    bureau = _bureau(title, text)
    region = _REGION.match(bureau).group(1) if bureau else ""
    years = [int(y) for y in _YEAR.findall(title)] or work_years(text)
    year = years[0] if _YEAR.search(title or "") else (Counter(years).most_common(1)[0][0] if years else 0)
    kind = max(_REPORT_KINDS, key=text.count)  # the kind of report the text names most (the first on a tie)
    kind = kind if kind in text else ""
    title = title or (f"{bureau}{year}年{kind}年度报告" if kind else f"{bureau}{year}年度报告" if year else Path(filename).stem)
    known = {m.region: m for m in existing}
    region_en = known[region].region_en if region in known else _region_english(region)
    bureau_en = next((m.bureau_en for m in existing if m.bureau == bureau), "")
    dates = _DATE.findall(text[-400:]) or _DATE.findall(text[:400])
    level = "district" if region.endswith(("区", "县")) else "city"
    return {"id": next_id(existing), "title": title, "title_en": "", "bureau": bureau, "bureau_en": bureau_en,
            "region": region, "region_en": region_en, "level": level, "year": year,
            "published": iso_date(dates[-1]) if dates else "", "notes": f"Uploaded from {filename}."}


# what kind of annual report a text is, when its title is not in it: the one it names most
_REPORT_KINDS = ("法治政府建设", "政府信息公开", "政务公开")
_WORK_YEAR = re.compile(r"(20\d\d)\s*年(?!\s*\d{1,2}\s*月)(?!以来)")
_PLAN_TITLE = re.compile(r"《[^》]{0,80}》")


def work_years(text: str) -> list[int]:
    """The years the text speaks of as its years of work: not dates of single events ("2025年3月印发", often after
    the year covered), nor running totals' starts ("2022年以来"), nor the periods in plan titles ("《…（2023-2025年）》")."""
    return [int(y) for y in _WORK_YEAR.findall(_PLAN_TITLE.sub(" ", text))]


def iso_date(date: str) -> str:
    """"2022年12月1日" -> "2022-12-01", as the manifest writes dates; a date that does not exist ("2025年13月40日")
    is kept as written, for the user to see and correct."""
    try:
        return datetime.date(*(int(x) for x in re.findall(r"\d+", date)[:3])).isoformat()
    except (TypeError, ValueError):
        return re.sub(r"\s", "", date)


def _title(text: str) -> str:
    """The first short line naming a report; "" when there is none (the title is then derived)."""
    return next((line.strip() for line in text.splitlines() if 4 <= len(line.strip()) <= 80 and "报告" in line), "")


def _bureau(title: str, text: str) -> str:
    """The bureau the title names, else the one the text names most often with its place (深圳市…局)."""
    if title and (named := _BUREAU.search(title)):
        return named.group(1)
    placed = Counter(_PLACED_BUREAU.findall(text))
    return placed.most_common(1)[0][0] if placed else ""


def _region_english(region: str) -> str:
    """"深圳市福田区" -> "Futian District, Shenzhen": the innermost place first, as the manifest writes them."""
    parts = _places(region)
    suffix = {"省": " Province", "市": "", "区": " District", "县": " County"}
    named = ["".join(lazy_pinyin(p[:-1])).capitalize() + suffix[p[-1]] for p in parts]
    return ", ".join(reversed(named))


def _places(region: str) -> list[str]:
    """"深圳市福田区" -> ["深圳市", "福田区"], outermost first."""
    return re.findall(r"[\u4e00-\u9fff]+?[省市区县]", region)


def next_id(existing: list[ReportMeta]) -> str:
    numbers = [int(m.id) for m in existing if m.id.isdigit()]
    return f"{max(numbers, default=-1) + 1:03d}"


def file_slug(meta: dict) -> str:
    """<innermost place in pinyin>-<level>-<year>, as the original reports are named (futian-district-2024)."""
    places = _places(meta.get("region", ""))
    place = "".join(lazy_pinyin(places[-1][:-1])) if places else "report"
    return re.sub(r"[^a-z0-9-]", "", f"{place}-{meta.get('level', '')}-{meta.get('year', '')}".lower())


# --- add: validate, write the text and the manifest entry; undo everything if any step fails ---

def add_report(settings: Settings, fields: dict, text: str, original: Path | None = None,
               journal: Path | None = None, confirmed: bool = False, library: Library | None = None) -> ReportMeta:
    """Adds a report to the corpus (not yet to the index). UploadError when the metadata is invalid, the id is
    taken, the same text is already in the corpus, or (unless confirmed) a report of the same bureau and year is;
    the corpus is then untouched. journal: where to note what is about to be written before writing it, so that a
    process killed midway can be undone (undo_interrupted_add). library: the library as this add has read it (read
    here when not given), which learns the report once it is written."""
    library = library or Library(settings)
    existing = library.reports
    meta = _validated(fields | {"source": "uploaded"}, existing, settings)
    check_text(text)
    library.check_new_text(text)
    # the same bureau: its name, or its region and level (a bureau renamed between years is still the one bureau)
    same = next((m for m in existing if m.year == meta.year and (m.bureau == meta.bureau or (m.region, m.level)
                                                                  == (meta.region, meta.level))), None)
    if same and not confirmed:
        raise SameReportError(f"report {same.id} ({same.title}) is already the {same.bureau} report for {meta.year}; "
                              "a second one is added only when confirmed (the Library's confirmation box, or "
                              "--confirm-same on the command line)", "upload_same", id=same.id, title=same.title,
                              year=meta.year)
    text_path = settings.corpus_dir / meta.file
    kept_original = kept_original_path(settings, meta, original)
    if kept_original and kept_original.exists():
        raise UploadError(f"{kept_original} already exists", "upload_file_taken", file=kept_original.name)
    manifest_before = settings.manifest_path.read_text(encoding="utf-8")
    if journal:  # a batch keeps the manifest from before its first report and every file it wrote
        noted = _read_journal(journal) or {"manifest": manifest_before, "files": []}
        noted |= {"id": meta.id, "pid": os.getpid(),
                  "files": noted["files"] + [str(p.relative_to(settings.corpus_dir)) for p in (text_path, kept_original) if p]}
        _write_atomically(journal, json.dumps(noted, ensure_ascii=False))
    try:
        text_path.parent.mkdir(parents=True, exist_ok=True)
        text_path.write_text(text, encoding="utf-8")
        if kept_original:
            kept_original.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, kept_original)
        entry = {k: v for k, v in meta.model_dump().items() if v != "" or k in ("title_en", "region_en")}
        _write_atomically(settings.manifest_path, manifest_before.rstrip("\n") + "\n\n" + tomli_w.dumps({"reports": [entry]}))
        read_manifest(settings.manifest_path)  # the new manifest must load as a whole
    except Exception:
        remove_report_files(settings, meta, manifest_before, kept_original)
        raise
    library.include(meta, text)
    return meta


def kept_original_path(settings: Settings, meta: ReportMeta, original: Path | None) -> Path | None:
    """corpus/uploads/<the text file's name><the upload's extension>: the uploaded file as it came."""
    return settings.corpus_dir / "uploads" / (Path(meta.file).stem + original.suffix.lower()) if original else None


def add_and_index(settings: Settings, fields: dict, text: str, original: Path | None = None,
                  confirmed: bool = False) -> tuple[ReportMeta, BuildSummary]:
    """add_report, then the incremental index build (tqdm progress). If the build fails the report is taken out
    of the corpus and the index again, and the error is raised as UploadError."""
    journal = begin_add(settings)
    try:
        meta = add_report(settings, fields, text, original, journal, confirmed)
    except Exception:  # add_report undid what it wrote (an interrupt leaves the journal for the next start)
        journal.unlink(missing_ok=True)
        raise
    try:
        summary = build_index(settings, progress=True)
    except Exception as err:
        _take_out(settings, journal)
        raise UploadError(f"indexing {meta.id} failed ({type(err).__name__}: {err}); the library is unchanged",
                          "upload_index_failed", problem=str(err)) from err
    journal.unlink(missing_ok=True)  # the add is complete: manifest, file and chunks
    return meta, summary


@dataclass
class BulkResult:
    """What an add of many files did: the reports added, and the files skipped as duplicates or refused, each with
    the reason."""
    added: list[tuple[str, ReportMeta]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    summary: BuildSummary | None = None


def report_files(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The report files among paths (folders searched recursively, in name order) and the paths that are not:
    missing, or of a type that is not accepted. In a folder, a symbolic link is refused, not followed: it may lead
    anywhere on the machine ("report.txt" -> /etc/passwd); a file named on the command line is taken as named."""
    found, refused = [], []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in UPLOAD_TYPES)
            refused += [(str(p), "a symbolic link: not followed inside a folder") for p in inside if p.is_symlink()]
            found += [p for p in inside if not p.is_symlink() and p.is_file()]
        elif path.is_file():
            found.append(path)
        else:
            refused.append((str(path), "no such file or folder"))
    return list(dict.fromkeys(found)), refused


def propose_many(settings: Settings, files: list[Path]) -> tuple[list[dict], list[tuple[str, str]]]:
    """The metadata proposed for each readable file, with its "path" (ids and file names are generated when it is
    added); and the files that cannot be read, with the reason."""
    existing = read_manifest(settings.manifest_path)
    proposals, refused = [], []
    for path in files:
        try:
            text = extract_text(path, settings.max_upload_bytes)
        except UploadError as err:
            refused.append((str(path), str(err)))
            continue
        proposal = propose_metadata(text, path.name, existing)
        proposals.append({"path": str(path)} | {k: v for k, v in proposal.items() if k not in ("id", "file")})
    return proposals, refused


def add_many(settings: Settings, items: list[tuple[Path, dict]], progress: bool = True) -> BulkResult:
    """Adds many report files as one transaction (python -m assistant add): each file read and checked, its
    metadata the proposal from its text overridden by the fields given (never the id or file name: those are
    generated; "confirmed": true adds it even when a report of its bureau and year is there); a file that cannot be
    read, whose metadata is invalid or whose text is already in the library is skipped with the reason, the rest
    are added, then indexed in one build. If the build fails, or the process is killed before it completes, none of
    the batch stays (the next start undoes it)."""
    result = BulkResult()
    journal = begin_add(settings)
    written: list[tuple[ReportMeta, Path]] = []
    try:
        library = Library(settings)
        for path, fields in tqdm(items, desc="reading reports", unit="file", disable=not progress):
            try:
                text = extract_text(path, settings.max_upload_bytes)
                proposal = propose_metadata(text, path.name, library.reports)
                given = {k: v for k, v in fields.items() if k not in ("id", "file", "path", "confirmed")}
                meta = add_report(settings, proposal | given, text, path, journal, fields.get("confirmed") is True,
                                  library)
            except DuplicateError as err:
                result.duplicates.append((str(path), str(err)))
            except UploadError as err:
                result.refused.append((str(path), str(err)))
            else:
                written.append((meta, path))
        if written:
            result.summary = build_index(settings, progress=progress)
    except BaseException as err:  # a failed build (or Ctrl-C, even midway through a file): the batch is taken out
        _take_out(settings, journal)
        if isinstance(err, Exception):
            raise UploadError(f"indexing failed ({type(err).__name__}: {err}); the library is unchanged",
                              "upload_index_failed", problem=str(err)) from err
        raise
    journal.unlink(missing_ok=True)
    result.added = [(str(path), meta) for meta, path in written]
    return result


def begin_add(settings: Settings) -> Path:
    """The journal of a new add, after undoing one a killed process left; UploadError while another process is
    adding."""
    if not (writable(settings.data_dir) and writable(settings.corpus_dir)):
        raise UploadError("this library is read-only (its data or corpus folder cannot be written): reports "
                          "cannot be added here", "read_only")
    undo_interrupted_add(settings)
    journal = add_journal(settings)
    if journal.exists():
        raise UploadError("another process is adding reports right now; try again when it has finished", "upload_busy")
    journal.parent.mkdir(parents=True, exist_ok=True)
    return journal


def _take_out(settings: Settings, journal: Path) -> None:
    """Undoes an add that failed in this process: the corpus as its journal says it was (the manifest from before,
    the new files gone). The index in use was never written to (the build's new generation was not switched to), so
    it matches that corpus again."""
    if (entry := _read_journal(journal)) is not None:
        _restore(settings, journal, entry)


def _restore(settings: Settings, journal: Path, entry: dict) -> None:
    """The manifest the journal holds, the files it lists removed (only inside corpus/), the journal gone."""
    _write_atomically(settings.manifest_path, entry["manifest"])
    for name in entry["files"]:
        path = (settings.corpus_dir / name).resolve()
        if path.is_relative_to(settings.corpus_dir.resolve()):
            path.unlink(missing_ok=True)
    journal.unlink(missing_ok=True)


def _read_journal(journal: Path) -> dict | None:
    try:
        return json.loads(journal.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def add_journal(settings: Settings) -> Path:
    """Present only while an add is under way: what it is about to write (the manifest before it, its new files)."""
    return settings.data_dir / "adding.json"


def undo_interrupted_add(settings: Settings) -> str | None:
    """An add the process did not finish (killed during the write or the index build) is undone: the manifest as it
    was, the new files gone; the index check then finds any chunks it had stored and rebuilds. Returns the report id
    undone, or None."""
    journal = add_journal(settings)
    if not writable(settings.data_dir):  # a read-only library cannot have been added to since it was made so
        return None
    entry = _read_journal(journal)
    if entry is None:  # no add under way, or killed while writing the journal itself: nothing else was written yet
        journal.unlink(missing_ok=True)
        return None
    if _alive(entry.get("pid")):  # another process is adding it right now
        return None
    _restore(settings, journal, entry)
    log.warning("an interrupted add of report %s was undone", entry.get("id"))
    return entry.get("id")


def remove_report_files(settings: Settings, meta: ReportMeta, manifest_before: str, kept_original: Path | None) -> None:
    """Undo add_report: the manifest as it was; the text and the kept original it wrote (both new files) gone."""
    _write_atomically(settings.manifest_path, manifest_before)
    (settings.corpus_dir / meta.file).unlink(missing_ok=True)
    if kept_original:
        kept_original.unlink(missing_ok=True)


def _validated(fields: dict, existing: list[ReportMeta], settings: Settings) -> ReportMeta:
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if not fields.get("file"):
        slug = file_slug(fields)
        taken = (settings.corpus_dir / f"reports/{slug}.txt").exists() or any(m.file == f"reports/{slug}.txt" for m in existing)
        fields["file"] = f"reports/{slug}-{fields.get('id', '')}.txt" if taken else f"reports/{slug}.txt"
    missing = [name for name in ("title", "bureau", "region", "year") if not fields.get(name)]  # year 0: none given
    if missing:
        raise UploadError(f"required: {', '.join(missing)}", "upload_required", fields=missing)
    try:
        meta = ReportMeta(**fields)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise UploadError(problems, "upload_invalid", problems=problems) from err
    if not 1949 <= meta.year <= 2100:
        raise UploadError(f"year {meta.year} is not a report year", "upload_year", year=meta.year)
    if any(m.id == meta.id for m in existing):
        raise UploadError(f"report id {meta.id} is already taken", "upload_id_taken", id=meta.id)
    if (settings.corpus_dir / meta.file).exists() or any(m.file == meta.file for m in existing):
        raise UploadError(f"{meta.file} already exists", "upload_file_taken", file=meta.file)
    return meta


NEAR_DUPLICATE = 0.8  # share of the new text's paragraphs found verbatim in one report that makes it a copy


class Library:
    """The library as an add compares new texts with it: its reports' metadata, and each report's text (stripped)
    and paragraphs, read once per add (a bulk add of many files reads the library once, not once per file), then
    kept up to date as the add writes reports."""

    def __init__(self, settings: Settings) -> None:
        self.reports = read_manifest(settings.manifest_path)
        self.texts: dict[str, str] = {}
        self.holders: dict[str, list[str]] = {}  # paragraph -> ids of the reports that have it
        for meta in self.reports:
            path = settings.corpus_dir / meta.file
            if path.is_file():
                self._note(meta.id, decode_report(path.read_bytes(), str(path)))

    def _note(self, report_id: str, text: str) -> None:
        self.texts[report_id] = text.strip()
        for paragraph in _paragraphs(text):
            self.holders.setdefault(paragraph, []).append(report_id)

    def include(self, meta: ReportMeta, text: str) -> None:
        self.reports.append(meta)
        self._note(meta.id, text)

    def check_new_text(self, text: str) -> None:
        """UploadError when the text is already in the library, or most of its paragraphs are (a copy with a few
        lines changed would double every chunk it shares and put two versions of the same figures in the index)."""
        new = _paragraphs(text)
        shared = Counter(rid for p in new for rid in self.holders.get(p, ()))
        for meta in self.reports:
            if self.texts.get(meta.id) == text.strip():
                raise DuplicateError(f"this text is already in the library as report {meta.id} ({meta.title})",
                                     "upload_duplicate", id=meta.id, title=meta.title)
            if new and shared[meta.id] >= NEAR_DUPLICATE * len(new):
                raise DuplicateError(f"{shared[meta.id]} of this text's {len(new)} paragraphs are already in report "
                                     f"{meta.id} ({meta.title}); a near-copy is not added", "upload_near_copy",
                                     shared=shared[meta.id], paragraphs=len(new), id=meta.id, title=meta.title)


def _paragraphs(text: str) -> set[str]:
    """The text's paragraphs of some length, whitespace removed."""
    return {p for p in (re.sub(r"\s", "", line) for line in text.splitlines()) if len(p) >= 20}


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_atomically(path: Path, content: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)
