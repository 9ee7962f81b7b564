"""`python -m eval.metadata`: how well an added report's metadata is proposed from its text and file name alone
(index/ingest.py propose_metadata, what `add` and the Library tab offer), field by field, on the corpus's own reports
with their manifest entries hidden (each proposed as if the library held none of them)."""
from __future__ import annotations

import argparse
from pathlib import Path

from assistant.settings import Settings
from index.ingest import propose_metadata
from index.load import load_reports

FIELDS = ("title", "bureau", "region", "level", "year", "published", "region_en")


def score(settings: Settings) -> tuple[list[dict], dict[str, float]]:
    """One row per report (each field: right or the proposed value), and each field's accuracy."""
    rows = []
    for report in load_reports(settings.manifest_path):
        proposed = propose_metadata(report.text, Path(report.meta.file).name, [])
        truth = report.meta.model_dump()
        rows.append({"id": report.meta.id, **{f: (proposed[f] == truth[f]) or f"{proposed[f]!r} ≠ {truth[f]!r}"
                                             for f in FIELDS}})
    accuracy = {f: sum(r[f] is True for r in rows) / len(rows) for f in FIELDS} if rows else {}
    return rows, accuracy


def main() -> None:
    argparse.ArgumentParser(prog="python -m eval.metadata", description=__doc__).parse_args()
    rows, accuracy = score(Settings())
    print("| field | accuracy | misses |\n|---|---|---|")
    for f in FIELDS:
        misses = "; ".join(f"{r['id']}: {r[f]}" for r in rows if r[f] is not True)
        print(f"| {f} | {accuracy[f]:.2f} | {misses or '-'} |")
    print(f"\nreports: {len(rows)}; all fields right: {sum(all(r[f] is True for f in FIELDS) for r in rows)}")


if __name__ == "__main__":
    main()
