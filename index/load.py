"""Stage 1: read the manifest and the report texts it names, validating both."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator


class ManifestError(ValueError):
    """The manifest or a report it names is missing or malformed; the message names what."""


class ReportMeta(BaseModel):
    # the id names chunks, URLs and files: a short token, never a path ("../../etc")
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    # the text file, relative to corpus/ and inside it
    file: str = Field(pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}$")
    title: str
    title_en: str = ""
    bureau: str
    bureau_en: str = ""
    region: str
    region_en: str = ""
    level: Literal["city", "district"]
    year: int
    published: str = ""
    notes: str = ""
    # "uploaded": added through the Library or `python -m assistant add`, not one of the curated originals; shown with
    # every citation of it
    source: Literal["original", "uploaded"] = "original"

    @field_validator("file")
    @classmethod
    def _inside_corpus(cls, file: str) -> str:
        if any(part in ("", ".", "..") for part in file.split("/")):
            raise ValueError("must be a relative path inside corpus/ (no '..', no empty parts)")
        return file

    @property
    def region_short_en(self) -> str:
        """The region's English name without its parent: "Longhua District, Shenzhen" -> "Longhua District"."""
        return (self.region_en or self.region).split(",")[0]


@dataclass(frozen=True)
class Report:
    meta: ReportMeta
    text: str  # the decoded text exactly as stored: every offset in the system points into it


# Encodings tried in order; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")


def decode_report(raw: bytes, name: str) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ManifestError(f"{name}: not decodable as UTF-8 or GB18030")


def read_manifest(manifest_path: Path) -> list[ReportMeta]:
    if not manifest_path.is_file():
        raise ManifestError(f"manifest not found: {manifest_path}")
    try:
        entries = tomllib.loads(manifest_path.read_text(encoding="utf-8")).get("reports", [])
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{manifest_path}: invalid TOML: {err}") from err
    if not entries:
        raise ManifestError(f"{manifest_path}: no [[reports]] entries")
    metas = [_validate_entry(entry, n, manifest_path) for n, entry in enumerate(entries, 1)]
    _check_unique_ids(metas, manifest_path)
    return metas


def _validate_entry(entry: dict, n: int, manifest_path: Path) -> ReportMeta:
    label = f"{manifest_path.name} report #{n} (id={entry.get('id', '?')})"
    try:
        return ReportMeta(**entry)
    except ValidationError as err:
        problems = "; ".join(f"field '{'.'.join(map(str, e['loc']))}': {e['msg']}" for e in err.errors())
        raise ManifestError(f"{label}: {problems}") from err


def _check_unique_ids(metas: list[ReportMeta], manifest_path: Path) -> None:
    seen: set[str] = set()
    for meta in metas:
        if meta.id in seen:
            raise ManifestError(f"{manifest_path.name}: duplicate report id '{meta.id}'")
        seen.add(meta.id)


def load_reports(manifest_path: Path) -> list[Report]:
    """All reports of the manifest, decoded; a file named but missing is an error naming it."""
    reports = []
    for meta in read_manifest(manifest_path):
        path = manifest_path.parent / meta.file
        if not path.is_file():
            raise ManifestError(f"report {meta.id}: file not found: {path}")
        text = decode_report(path.read_bytes(), str(path))
        if not text.strip():
            raise ManifestError(f"report {meta.id}: the file is empty: {path}")
        reports.append(Report(meta=meta, text=text))
    return reports
