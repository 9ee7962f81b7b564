"""Adding a report from an uploaded file: reading each accepted type, refusing the rest, proposing metadata from
the text, and adding + indexing it so that it answers, or changing nothing when anything is wrong."""
from __future__ import annotations

import json
import random
import shutil
import threading
import time
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT
from index.ingest import UploadError, add_report, extract_text, propose_metadata
from index.load import read_manifest

SAMPLE = REPO_ROOT / "tests" / "fixtures" / "futian-district-2024-sample.txt"
LIMIT = 1_000_000


def text_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF with a real text layer (Helvetica, ASCII), written by hand: no PDF writer is installed."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = "%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    path.write_bytes(out.encode("latin-1"))
    return path


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_each_accepted_type_gives_the_report_text(tmp_path, sample_text):
    import docx

    (tmp_path / "r.md").write_text("# 深圳市福田区政务服务数据管理局2024年报告\n\n全年受理政务服务事项**38.6万件**。\n\n" + sample_text,
                                   encoding="utf-8")
    (tmp_path / "r.html").write_text(f"<html><head><script>var x=1;</script></head><body><nav>首页 &gt; 公开</nav>"
                                     f"<p>全年受理政务服务事项38.6万件。</p><p>{sample_text}</p></body></html>", encoding="utf-8")
    document = docx.Document()
    for line in sample_text.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "r.docx")
    (tmp_path / "r.txt").write_bytes(sample_text.encode("gb18030"))  # GBK-family text decodes too
    for name in ("r.md", "r.html", "r.docx", "r.txt"):
        text = extract_text(tmp_path / name, LIMIT)
        assert "全年受理政务服务事项38.6万件" in text, name
        assert "<" not in text and "**" not in text and "var x" not in text and "首页" not in text, name
    pdf = extract_text(text_pdf(tmp_path / "r.pdf", ["Annual report 2024 of the Futian District bureau.",
                                                     "The hotline handled 386000 calls; satisfaction 99.2%."]), LIMIT)
    assert "386000 calls" in pdf and "99.2%" in pdf


def test_other_types_too_large_and_textless_files_are_refused(tmp_path):
    (tmp_path / "report.exe").write_bytes(b"MZ")
    with pytest.raises(UploadError, match=r"\.exe files are not accepted"):
        extract_text(tmp_path / "report.exe", LIMIT)
    (tmp_path / "big.txt").write_text("报告" * 1000, encoding="utf-8")
    with pytest.raises(UploadError, match="over the"):
        extract_text(tmp_path / "big.txt", 1000)
    with pytest.raises(UploadError, match="no text layer"):
        extract_text(text_pdf(tmp_path / "scan.pdf", []), LIMIT)
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    with pytest.raises(UploadError, match="not a zip archive"):
        extract_text(tmp_path / "broken.docx", LIMIT)


def test_metadata_is_proposed_from_the_text(settings, sample_text):
    proposed = propose_metadata(sample_text, "sample.txt", read_manifest(settings.manifest_path))
    assert proposed["id"] == "005"
    assert proposed["title"] == "深圳市福田区政务服务数据管理局2024年法治政府建设年度报告"
    assert proposed["bureau"] == "深圳市福田区政务服务数据管理局"
    assert (proposed["region"], proposed["region_en"], proposed["level"]) == ("深圳市福田区", "Futian District, Shenzhen", "district")
    assert proposed["year"] == 2024 and proposed["published"] == "2025-01-20"  # as the manifest writes dates
    # a known region reuses the manifest's English name; an untitled text gets a derived title
    zhongshan = (settings.corpus_dir / "reports" / "zhongshan-city-2024.txt").read_text(encoding="utf-8")
    proposed = propose_metadata(zhongshan, "z.txt", read_manifest(settings.manifest_path))
    assert (proposed["region"], proposed["region_en"], proposed["year"]) == ("中山市", "Zhongshan", 2024)
    assert proposed["title"] == "中山市政务服务和数据管理局2024年法治政府建设年度报告"  # the kind of report it names


def test_proposed_year_and_bureau_are_not_taken_from_dates_plans_or_prepositions(settings):
    """Shenzhen's 2024 report speaks of "2025年3月印发…" and "《…（2024—2026年）》" more than of 2024; its 2025 report
    never names its bureau ("我局") but has "以市政府办公厅…" ("by the city government's office")."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (settings.corpus_dir / "reports").glob("shenzhen-city-*.txt")}
    assert propose_metadata(texts["shenzhen-city-2024"], "a.txt", [])["year"] == 2024
    proposed = propose_metadata(texts["shenzhen-city-2025"], "b.txt", [])
    assert (proposed["year"], proposed["bureau"], proposed["region"]) == (2025, "", "")  # left for the user to fill
    assert proposed["title"] == "2025年法治政府建设年度报告"
    from index.ingest import iso_date
    assert (iso_date("2022年12月1日"), iso_date("2025年13月40日")) == ("2022-12-01", "2025年13月40日")  # kept as written


def corpus_settings(settings, corpus_copy, tmp_path, with_index: bool = False):
    data = tmp_path / "data"
    if with_index:
        shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("eval"))
    return settings.model_copy(update={"corpus_dir": corpus_copy, "data_dir": data})


def test_invalid_metadata_or_a_duplicate_text_changes_nothing(settings, corpus_copy, tmp_path, sample_text):
    local = corpus_settings(settings, corpus_copy, tmp_path)
    before = sorted(p.name for p in corpus_copy.rglob("*")), local.manifest_path.read_text(encoding="utf-8")
    fields = propose_metadata(sample_text, "sample.txt", read_manifest(local.manifest_path))
    for bad, message in (({"bureau": ""}, "required: bureau"), ({"level": "province"}, "level"),
                         ({"year": 1800}, "not a report year"), ({"id": "002"}, "already taken"),
                         ({"year": 0}, "required: year")):  # no year found in the text and none entered
        with pytest.raises(UploadError, match=message):
            add_report(local, fields | bad, sample_text, SAMPLE)
    existing = (corpus_copy / "reports" / "zhongshan-city-2024.txt").read_text(encoding="utf-8")
    with pytest.raises(UploadError, match="already in the library as report 003"):
        add_report(local, fields, existing, None)
    assert (sorted(p.name for p in corpus_copy.rglob("*")), local.manifest_path.read_text(encoding="utf-8")) == before


def test_a_report_claiming_the_bureau_and_year_of_one_in_the_library_needs_confirmation(settings, corpus_copy, tmp_path,
                                                                                         sample_text):
    """A text claiming to be the 深圳市 bureau's 2025 report (the poisoning case: "上线了999个…") is refused, by the
    single add and the bulk add alike, unless the adder confirms that it is another report of that bureau and year."""
    import index.ingest as ingest

    local = corpus_settings(settings, corpus_copy, tmp_path)
    before = sorted(p.name for p in corpus_copy.rglob("*")), local.manifest_path.read_text(encoding="utf-8")
    existing = read_manifest(local.manifest_path)
    claimed = next(m for m in existing if m.id == "002")
    fields = propose_metadata(sample_text, "sample.txt", existing) | {"bureau": claimed.bureau, "year": claimed.year}
    with pytest.raises(ingest.SameReportError, match="report 002 .* for 2025; a second one is added only when confirmed"):
        add_report(local, fields, sample_text, SAMPLE)
    sample = tmp_path / "claims-002.txt"
    shutil.copyfile(SAMPLE, sample)
    result = ingest.add_many(local, [(sample, {"bureau": claimed.bureau, "year": 2025})], progress=False)
    assert not result.added and "report 002" in result.refused[0][1] and result.summary is None
    assert (sorted(p.name for p in corpus_copy.rglob("*")), local.manifest_path.read_text(encoding="utf-8")) == before
    # Longhua's bureau was renamed between its 2022 and 2025 reports: the same region and level is the same bureau
    renamed = fields | {"bureau": "深圳市龙华区政务服务和数据管理局", "region": "深圳市龙华区", "level": "district", "year": 2022}
    with pytest.raises(ingest.SameReportError, match="report 001 "):
        add_report(local, renamed, sample_text, SAMPLE)
    meta = add_report(local, fields, sample_text, SAMPLE, confirmed=True)
    assert (meta.bureau, meta.year, meta.source) == (claimed.bureau, 2025, "uploaded")


@pytest.mark.parametrize("bad, message", [
    ({"id": "../../etc"}, "id"), ({"id": "a/b"}, "id"), ({"id": "x" * 40}, "id"), ({"id": ""}, "id"),
    ({"file": "../../../OUTSIDE1.txt"}, "file"), ({"file": "/etc/passwd"}, "file"), ({"file": "reports/../../x.txt"}, "file"),
    ({"file": "reports//x.txt"}, "file"), ({"file": "reports/./x.txt"}, "file"), ({"file": "C:\\x.txt"}, "file"),
])
def test_ids_and_file_names_stay_inside_the_corpus(settings, corpus_copy, tmp_path, sample_text, bad, message):
    local = corpus_settings(settings, corpus_copy, tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*")), local.manifest_path.read_text(encoding="utf-8")
    fields = propose_metadata(sample_text, "sample.txt", read_manifest(local.manifest_path))
    with pytest.raises(UploadError, match=message):
        add_report(local, fields | bad, sample_text, SAMPLE)
    assert (sorted(str(p) for p in tmp_path.rglob("*")), local.manifest_path.read_text(encoding="utf-8")) == before


def test_empty_binary_and_near_copy_texts_are_refused(settings, corpus_copy, tmp_path, sample_text):
    local = corpus_settings(settings, corpus_copy, tmp_path)
    before = sorted(p.name for p in corpus_copy.rglob("*")), local.manifest_path.read_text(encoding="utf-8")
    fields = propose_metadata(sample_text, "sample.txt", read_manifest(local.manifest_path))
    binary = random.Random(1).randbytes(20_000).decode("gb18030", errors="replace")
    near_copy = (corpus_copy / "reports" / "shenzhen-city-2025.txt").read_text(encoding="utf-8") + "\n上线了999个新事项。\n"
    for text, message in (("", "fewer than"), (" \n\t" * 100, "fewer than"), (binary, "not text"),
                          (near_copy, "already in report 002")):
        with pytest.raises(UploadError, match=message):
            add_report(local, fields, text, None)
    assert (sorted(p.name for p in corpus_copy.rglob("*")), local.manifest_path.read_text(encoding="utf-8")) == before


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 60_000_000)  # 60 MB of zeros packs into ~60 KB
    assert bomb.stat().st_size < 200_000
    with pytest.raises(UploadError, match="unpacks to 60 MB"):
        extract_text(bomb, LIMIT)
    (tmp_path / "binary.txt").write_bytes(random.Random(2).randbytes(20_000))
    with pytest.raises(UploadError, match="not"):  # decodes as neither, or decodes to binary noise
        extract_text(tmp_path / "binary.txt", LIMIT)


def test_added_report_is_indexed_incrementally_and_answers(settings, assistant, corpus_copy, tmp_path, sample_text):
    from assistant.service import Assistant

    local = corpus_settings(settings, corpus_copy, tmp_path, with_index=True)
    app = Assistant(local, progress=False)
    chunks_before = dict(app.chunk_counts)
    fields = propose_metadata(sample_text, SAMPLE.name, read_manifest(local.manifest_path))
    adding = threading.Thread(target=app.add_report, args=(fields, extract_text(SAMPLE, LIMIT), SAMPLE))
    adding.start()
    deadline = time.monotonic() + 120
    while "005" not in local.manifest_path.read_text(encoding="utf-8"):  # the add is under way
        assert adding.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)
    answer = app.ask("2024年中山市12345热线服务总量是多少？")  # answered from the loaded index meanwhile
    assert answer.answer.startswith("267.3万件次") and adding.is_alive() and "005" not in app.reports
    adding.join()
    assert (corpus_copy / "reports" / "futian-district-2024.txt").is_file()
    assert (corpus_copy / "uploads" / "futian-district-2024.txt").read_bytes() == SAMPLE.read_bytes()  # the original kept
    assert [m.id for m in read_manifest(local.manifest_path)][-1] == "005"
    answer = app.ask("福田区2024年受理政务服务事项多少件？")
    assert answer.answer.startswith("38.6万件") and answer.citations[0].report_id == "005"
    assert {rid: n for rid, n in app.chunk_counts.items() if rid != "005"} == chunks_before  # only 005 was embedded
    assert app.chunk_counts["005"] > 0
    with pytest.raises(UploadError, match="already in the library as report 005"):  # the same file twice
        app.add_report(fields | {"id": "006"}, extract_text(SAMPLE, LIMIT), SAMPLE)
    assert list(app.reports)[-1] == "005" and len(read_manifest(local.manifest_path)) == 6


KILLED_ADD = """
import os, signal, sys
from pathlib import Path
import index.ingest as ingest
from assistant.settings import Settings
from index.load import read_manifest

real_build = ingest.build_index
def build_then_die(settings, **kw):
    if sys.argv[1] == "after-build":
        real_build(settings, **kw)
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9: no except, no finally
ingest.build_index = build_then_die
settings = Settings()
sample = Path(sys.argv[2])
fields = ingest.propose_metadata(sample.read_text(encoding="utf-8"), sample.name, read_manifest(settings.manifest_path))
ingest.add_and_index(settings, fields, ingest.extract_text(sample, 10**6), sample)
"""


@pytest.mark.parametrize("moment", ["before-build", "after-build"])
def test_an_add_killed_at_any_point_is_undone_on_the_next_start(settings, assistant, corpus_copy, tmp_path, moment):
    import os
    import subprocess
    import sys

    from index.build import build_index, index_is_current, read_state
    from index.ingest import add_journal, undo_interrupted_add
    from index.load import load_reports

    local = corpus_settings(settings, corpus_copy, tmp_path, with_index=True)
    files_before = sorted(str(p) for p in corpus_copy.rglob("*") if p.is_file())
    manifest_before, state_before = local.manifest_path.read_text(encoding="utf-8"), read_state(local)
    in_use = local.index_dir
    env = {**os.environ, "GOVQA_CORPUS_DIR": str(local.corpus_dir), "GOVQA_DATA_DIR": str(local.data_dir)}
    done = subprocess.run([sys.executable, "-c", KILLED_ADD, moment, str(SAMPLE)], cwd=REPO_ROOT, env=env,
                          capture_output=True, timeout=300)
    assert done.returncode == -9 and add_journal(local).is_file()
    assert "005" in local.manifest_path.read_text(encoding="utf-8")  # the kill left the add half done
    assert undo_interrupted_add(local) == "005" and not add_journal(local).exists()
    assert local.manifest_path.read_text(encoding="utf-8") == manifest_before
    assert sorted(str(p) for p in corpus_copy.rglob("*") if p.is_file()) == files_before
    if moment == "before-build":  # the index in use was never written to: current again at once
        assert local.index_dir == in_use and index_is_current(local, load_reports(local.manifest_path))
    else:  # the build had switched to an index with the report: the next build takes it out again
        assert not index_is_current(local, load_reports(local.manifest_path))
        build_index(local, progress=False)
    assert read_state(local) == state_before  # exactly the chunks of the index before the add


def test_an_add_interrupted_while_writing_is_undone_on_the_next_start(settings, corpus_copy, tmp_path, sample_text,
                                                                      monkeypatch):
    """Ctrl-C (or any interrupt that is not an error) between writing the text and the manifest: the journal stays,
    so the next start takes the half-written add back out."""
    import index.ingest as ingest

    local = corpus_settings(settings, corpus_copy, tmp_path)
    files_before = sorted(str(p) for p in corpus_copy.rglob("*") if p.is_file())
    manifest_before = local.manifest_path.read_text(encoding="utf-8")
    fields = propose_metadata(sample_text, SAMPLE.name, read_manifest(local.manifest_path))

    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(ingest.shutil, "copyfile", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest.add_and_index(local, fields, sample_text, SAMPLE)
    assert (corpus_copy / "reports" / "futian-district-2024.txt").is_file() and ingest.add_journal(local).is_file()
    assert ingest.undo_interrupted_add(local) == "005"
    assert local.manifest_path.read_text(encoding="utf-8") == manifest_before
    assert sorted(str(p) for p in corpus_copy.rglob("*") if p.is_file()) == files_before


def test_a_folder_is_added_in_one_transaction_with_a_summary(settings, assistant, corpus_copy, tmp_path, monkeypatch):
    """python -m assistant add FOLDER: the new report is added and indexed, marked as uploaded in the manifest and
    in its citations; a copy of a report already there is skipped as a duplicate and a file that is not a report is
    refused, each with its reason. A failing build takes the whole batch out again."""
    import os
    import subprocess
    import sys

    import index.ingest as ingest
    from index.build import read_state

    local = corpus_settings(settings, corpus_copy, tmp_path, with_index=True)
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(SAMPLE, folder / "futian.txt")
    shutil.copyfile(corpus_copy / "reports" / "zhongshan-city-2024.txt", folder / "sub" / "copy.txt")
    (folder / "sub" / "note.txt").write_text("不是报告", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")  # not an accepted type: not picked up from a folder

    manifest_before, state_before = local.manifest_path.read_text(encoding="utf-8"), read_state(local)
    files, missing = ingest.report_files([folder, tmp_path / "nowhere.txt"])
    monkeypatch.setattr(ingest, "build_index", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(UploadError, match="disk full.*unchanged"):
        ingest.add_many(local, [(f, {}) for f in files], progress=False)
    assert local.manifest_path.read_text(encoding="utf-8") == manifest_before
    assert not (corpus_copy / "reports" / "futian-district-2024.txt").exists() and not ingest.add_journal(local).exists()
    monkeypatch.undo()

    env = {**os.environ, "GOVQA_CORPUS_DIR": str(local.corpus_dir), "GOVQA_DATA_DIR": str(local.data_dir)}
    done = subprocess.run([sys.executable, "-m", "assistant", "add", str(folder), str(tmp_path / "nowhere.txt")],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "added      005" in out and "futian.txt" in out
    assert "duplicate" in out and "already in the library as report 003" in out
    assert "note.txt: note.txt: fewer than 50 characters" in out and "nowhere.txt: no such file or folder" in out
    assert "summary: added 1, skipped as duplicate 1, refused 2" in out and "image.png" not in out
    added = read_manifest(local.manifest_path)[-1]
    assert (added.id, added.source, added.region) == ("005", "uploaded", "深圳市福田区")
    assert {m.source for m in read_manifest(local.manifest_path)[:-1]} == {"original"}
    assert {k: v for k, v in read_state(local)["reports"].items() if k != "005"} == state_before["reports"]
    # asked in a process of its own, as a user of the command line would after `add`
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "福田区2024年受理政务服务事项多少件？"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    cited = json.loads(done.stdout)["citations"][0]
    assert cited["report_id"] == "005" and cited["uploaded"]
    assert not assistant.ask("2024年中山市12345热线服务总量是多少？").citations[0].uploaded


def test_a_symbolic_link_inside_a_folder_is_refused_not_followed(tmp_path):
    """add FOLDER: a link in it may lead anywhere ("report.txt" -> /etc/hostname, or to a report elsewhere); it is
    refused with its reason, never read. A file named on the command line is taken as named."""
    import index.ingest as ingest

    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "real.txt").write_text("深圳市某区政务服务数据管理局2025年法治政府建设年度报告", encoding="utf-8")
    (folder / "passwd.txt").symlink_to("/etc/hostname")
    (folder / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    files, refused = ingest.report_files([folder, folder / "passwd.txt"])
    assert files == [folder / "real.txt", folder / "passwd.txt"]  # the second named on the command line
    assert sorted(p for p, _ in refused) == [str(folder / "dangling.txt"), str(folder / "passwd.txt")]
    assert all("symbolic link" in why for _, why in refused)
