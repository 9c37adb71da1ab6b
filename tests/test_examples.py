"""User example import: parsing .docx/.txt/.md into the corpus tree, persistence, and hostile uploads."""
from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from retrieval.index import SectionIndex, default_index
from zongjie import upload
from zongjie.examples import ExampleLibrary, parse_example
from zongjie.upload import MAX_TEXT_CHARS, MAX_UPLOAD_BYTES, ExampleError, extract_text
from zongjie.vocab import ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

FIXTURES = Path(__file__).parent / "fixtures" / "examples"
REPORT_TXT = (FIXTURES / "report.txt").read_text(encoding="utf-8")
REPORT_MD = (FIXTURES / "report.md").read_text(encoding="utf-8")
HAN = re.compile(r"[\u4e00-\u9fff]")
UNIQUE_PHRASE = "银杏书香读书角"  # appears in report.txt and the .docx, nowhere in corpus/

OPENING = ("2024年，社区居委会在街道党工委的坚强领导下，坚持以人民为中心的发展思想，围绕中心、服务大局，"
           "扎实推进各项工作，社区治理水平和居民满意度稳步提升。现将全年工作情况总结如下。")
BODY = [
    "一、主要做法和成效",
    "（一）开展银杏书香便民服务",
    "依托社区党群服务中心，设立银杏书香读书角，全年开展亲子阅读、老年课堂等活动48场，服务居民2600余人次。",
    "（二）夯实基层组织建设",
    "全年召开居民代表会议6次，修订完善居民公约，建立楼栋长联系制度，议事协商机制进一步健全。",
    "二、存在的问题",
    "一是部分老旧小区基础设施薄弱，改造任务较重；二是社区工作者队伍年龄结构偏大，专业化水平有待提高。",
    "三、下一步工作打算",
    "2025年，我们将继续加强基层组织建设，推进老旧小区改造，加强社区工作者培训，激发居民参与热情，"
    "努力打造共建共治共享的社区治理新格局。",
]


def _docx_bytes(paragraphs: list[str], title: str = "某社区居委会2024年工作总结",
                table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph("")  # empty paragraphs are skipped
    document.add_paragraph(OPENING)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def library() -> ExampleLibrary:
    return ExampleLibrary()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def _headings(report) -> list[str]:
    return [s.heading for s in report.sections]


# ---------------------------------------------------------------- parsing each format

def test_docx_parses_into_sections_with_roles_and_subsections():
    report = parse_example("我的总结.docx", _docx_bytes(BODY))
    assert report.title == "某社区居委会2024年工作总结"
    assert report.opening == [OPENING]
    assert _headings(report) == ["主要做法和成效", "存在的问题", "下一步工作打算"]
    assert [s.role for s in report.sections] == [ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS]
    first = report.sections[0]
    assert [s.heading for s in first.subsections] == ["开展银杏书香便民服务", "夯实基层组织建设"]
    assert first.subsections[0].level == 2 and first.subsections[0].role == ROLE_RESULTS
    assert "亲子阅读" in first.subsections[0].paragraphs[0]
    assert report.id.startswith("user-") and len(report.id) == len("user-") + 10
    assert report.source == "我的总结.docx"


def test_docx_table_cells_are_read_in_document_order():
    table = [["项目", "完成情况"], ["楼栋长制度", "覆盖全部三十二个楼栋"]]
    text = extract_text("x.docx", _docx_bytes(BODY, table=table))
    lines = text.splitlines()
    assert lines[0] == "某社区居委会2024年工作总结"
    assert "" not in lines
    assert lines[-4:] == ["项目", "完成情况", "楼栋长制度", "覆盖全部三十二个楼栋"]


def test_docx_merged_cell_is_read_once():
    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    merged = grid.cell(0, 0).merge(grid.cell(0, 2))
    merged.text = "合并的表头"
    grid.cell(1, 0).text = "甲"
    grid.cell(1, 2).text = "丙"
    out = io.BytesIO()
    document.save(out)
    assert extract_text("t.docx", out.getvalue()).splitlines() == ["合并的表头", "甲", "丙"]


def _add_chinese_numbering(document) -> str:
    """A list definition like Word's 一、/（一） multilevel list; returns its numId."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    for ilvl, text in ((0, "%1、"), (1, "（%2）")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", "chineseCounting"), ("w:lvlText", text)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), val)
            lvl.append(child)
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    numbering.append(num)
    return "90"


def _number(paragraph, num_id: str, ilvl: int) -> None:
    pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    pr.get_or_add_ilvl().val = ilvl
    pr.get_or_add_numId().val = int(num_id)


def test_docx_automatic_numbering_becomes_heading_markers():
    """Headings numbered by Word's list feature carry no 一、 in their text; it is rendered back."""
    document = docx.Document()
    num_id = _add_chinese_numbering(document)
    document.add_paragraph("某社区居委会2024年工作总结")
    document.add_paragraph(OPENING)
    plain = [line.split("、", 1)[-1] if line[:1] in "一二三" and "、" in line[:2] else line for line in BODY]
    for original, text in zip(BODY, plain, strict=False):
        if original.startswith("（"):
            _number(document.add_paragraph(original.split("）", 1)[1]), num_id, 1)
        elif text != original:
            _number(document.add_paragraph(text), num_id, 0)
        else:
            document.add_paragraph(text)
    document.add_paragraph("完善居民公约", style="List Bullet")  # bullets get no number
    document.add_paragraph("强化队伍建设", style="List Number")  # the template's own "1." list
    out = io.BytesIO()
    document.save(out)
    text = extract_text("auto.docx", out.getvalue())
    assert text.splitlines()[-2:] == ["完善居民公约", "1.强化队伍建设"]
    assert "一、主要做法和成效" in text.splitlines()
    assert "（二）夯实基层组织建设" in text.splitlines()
    assert "三、下一步工作打算" in text.splitlines()
    report = parse_example("auto.docx", out.getvalue())
    assert _headings(report) == ["主要做法和成效", "存在的问题", "下一步工作打算"]
    assert len(report.sections[0].subsections) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_txt_in_common_encodings(encoding):
    report = parse_example("总结.txt", REPORT_TXT.encode(encoding))
    assert report.title == "某社区居委会2024年工作总结"
    assert _headings(report) == ["主要做法和成效", "存在的问题", "下一步工作打算"]
    assert [s.role for s in report.sections] == [ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS]
    assert len(report.sections[0].subsections) == 2


def test_gb18030_is_really_not_utf8():
    # Guards the test above: the GB18030 bytes must take the fallback path.
    with pytest.raises(UnicodeDecodeError):
        REPORT_TXT.encode("gb18030").decode("utf-8")


def test_markdown_headings():
    report = parse_example("汇报.MD", REPORT_MD.encode("utf-8"))
    assert report.title == "某镇团委2024年上半年工作情况汇报"
    assert _headings(report) == ["工作开展情况", "存在的不足", "下半年工作计划"]
    assert [s.role for s in report.sections] == [ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS]
    assert [s.heading for s in report.sections[0].subsections] == ["强化思想引领", "服务青年发展"]
    assert "**" not in report.sections[0].subsections[0].paragraphs[0]
    assert all(not p.startswith("-") for p in report.sections[1].paragraphs)


def test_title_falls_back_to_file_name_and_path_is_stripped():
    body = REPORT_TXT.split("\n", 2)[2]  # no title line: the text starts with the opening
    report = parse_example("C:\\Users\\张三\\2024年党建工作总结.txt", body.encode("utf-8"))
    assert report.title == "2024年党建工作总结"
    assert report.source == "2024年党建工作总结.txt"


def test_same_text_same_id_whatever_the_encoding():
    a = parse_example("a.txt", REPORT_TXT.encode("utf-8"))
    b = parse_example("b.txt", REPORT_TXT.replace("\n", "\r\n").encode("gb18030"))
    assert a.id == b.id
    assert a.id != parse_example("c.md", REPORT_MD.encode("utf-8")).id


# ---------------------------------------------------------------- library, index, persistence

def test_imported_report_is_searchable_only_in_the_users_index(library):
    base = default_index()
    before = len(base)
    report = library.add("总结.docx", _docx_bytes(BODY))
    mine = library.index(base)
    hits = mine.search(UNIQUE_PHRASE, k=3)
    assert hits and hits[0][0].report_id == report.id
    assert hits[0][0].heading == "开展银杏书香便民服务"
    assert (report.id, report.title) in mine.reports()
    assert len(base) == before
    assert all(p.report_id != report.id for p, _ in base.search(UNIQUE_PHRASE, k=10))
    assert report.id not in dict(base.reports())


def test_index_defaults_to_the_shipped_corpus(library):
    report = library.add("总结.txt", REPORT_TXT.encode("utf-8"))
    mine = library.index()
    assert len(mine) > len(default_index())
    assert mine.search(UNIQUE_PHRASE, k=1)[0][0].report_id == report.id


def test_library_persists_across_instances(library, isolated_home):
    added = library.add("总结.txt", REPORT_TXT.encode("utf-8"))
    files = list((isolated_home / "examples").glob("*.json"))
    assert [f.name for f in files] == [f"{added.id}.json"]
    stored = json.loads(files[0].read_text(encoding="utf-8"))
    assert stored["id"] == added.id and stored["sections"][0]["heading"] == "主要做法和成效"

    fresh = ExampleLibrary()  # as a new process would see it
    loaded = fresh.list()
    assert [r.to_dict() for r in loaded] == [added.to_dict()]
    assert fresh.index(SectionIndex()).search(UNIQUE_PHRASE, k=1)[0][0].report_id == added.id


def test_same_content_twice_replaces(library, isolated_home):
    first = library.add("总结.txt", REPORT_TXT.encode("utf-8"))
    again = library.add("总结（副本）.txt", REPORT_TXT.encode("gb18030"))
    assert first.id == again.id
    assert len(library.list()) == 1 and library.list()[0].source == "总结（副本）.txt"
    library.add("汇报.md", REPORT_MD.encode("utf-8"))
    assert len(library.list()) == 2
    assert not [p for p in (isolated_home / "examples").iterdir() if p.name.startswith(".")]


def test_remove(library):
    kept = library.add("汇报.md", REPORT_MD.encode("utf-8"))
    gone = library.add("总结.txt", REPORT_TXT.encode("utf-8"))
    assert library.remove(gone.id) is True
    assert [r.id for r in ExampleLibrary().list()] == [kept.id]
    assert library.remove(gone.id) is False
    assert not library.index(SectionIndex()).search(UNIQUE_PHRASE, k=3)


def test_remove_rejects_ids_that_are_not_ours(library, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)  # the library no longer creates it just by existing
    (isolated_home / "settings.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ExampleError):
        library.remove("../settings")
    assert (isolated_home / "settings.json").exists()


def test_damaged_library_file_is_skipped(library, isolated_home):
    good = library.add("总结.txt", REPORT_TXT.encode("utf-8"))
    (isolated_home / "examples" / "user-0123456789.json").write_text("{not json", encoding="utf-8")
    assert [r.id for r in library.list()] == [good.id]


def test_empty_library(library):
    assert library.list() == []
    base = SectionIndex()
    assert len(library.index(base)) == 0


# ---------------------------------------------------------------- rejected uploads change nothing

def _truncated_docx() -> bytes:
    data = _docx_bytes(BODY)
    return data[: len(data) // 2]


def _zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/styles.xml", "<styles/>")
    return out.getvalue()


def _docx_with_broken_xml() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes(BODY)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # unclosed tags
            archive.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        lambda: bytes(range(256)) * 40,
        _zip_without_document,
        _truncated_docx,
        _docx_with_broken_xml,
    ],
    ids=["random-bytes", "zip-without-document", "truncated", "broken-xml"],
)
def test_corrupt_docx_is_rejected_and_nothing_written(make, library, isolated_home):
    before = _snapshot(isolated_home)
    with pytest.raises(ExampleError) as err:
        library.add("报告.docx", make())
    assert str(err.value) == upload.MSG_CORRUPT_DOCX
    assert "损坏" in str(err.value)
    assert _snapshot(isolated_home) == before
    assert library.list() == []


def _bomb(megabytes: int) -> bytes:
    out = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize("megabytes", [60, 20], ids=["over-total-size", "over-ratio"])
def test_zip_bomb_rejected_without_inflating(megabytes, library, isolated_home, monkeypatch):
    data = _bomb(megabytes)
    assert len(data) < MAX_UPLOAD_BYTES // 10  # small upload, huge inflation

    def refuse(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(docx, "Document", refuse)
    before = _snapshot(isolated_home)
    start = time.perf_counter()
    with pytest.raises(ExampleError) as err:
        library.add("报告.docx", data)
    assert time.perf_counter() - start < 1.0
    assert str(err.value) == upload.MSG_ZIP_BOMB
    assert _snapshot(isolated_home) == before


def test_oversize_and_empty_uploads(library, isolated_home):
    before = _snapshot(isolated_home)
    big = REPORT_TXT.encode("utf-8") * (MAX_UPLOAD_BYTES // len(REPORT_TXT.encode("utf-8")) + 1)
    with pytest.raises(ExampleError, match="超过 5 MB"):
        library.add("总结.txt", big)
    with pytest.raises(ExampleError, match="空"):
        library.add("总结.txt", b"")
    assert _snapshot(isolated_home) == before


def test_text_over_char_limit_rejected():
    data = ("一、" + "很" * (MAX_TEXT_CHARS + 1)).encode("utf-8")
    assert len(data) <= MAX_UPLOAD_BYTES
    with pytest.raises(ExampleError, match="万字"):
        parse_example("长.txt", data)


@pytest.mark.parametrize("name", ["setup.exe", "报告.pdf", "报告.wps", "报告", "报告.docx.exe"])
def test_wrong_type(name, library, isolated_home):
    with pytest.raises(ExampleError) as err:
        library.add(name, REPORT_TXT.encode("utf-8"))
    assert ".docx、.txt、.md" in str(err.value)
    assert _snapshot(isolated_home) == {}


def test_old_word_doc_asks_to_save_as_docx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000
    for name in ("旧报告.doc", "旧报告.DOC", "改了扩展名.docx"):
        with pytest.raises(ExampleError, match="另存为 .docx"):
            parse_example(name, ole)


def test_short_text_is_not_a_report():
    with pytest.raises(ExampleError, match="太短"):
        parse_example("便条.txt", "明天上午九点开会，请准时参加。\n一、带好笔记本".encode("utf-8"))


def test_unstructured_text_is_not_a_report():
    one_paragraph = "今天天气很好，" * 60  # plenty of Chinese, no heading, one paragraph
    with pytest.raises(ExampleError) as err:
        parse_example("随笔.txt", one_paragraph.encode("utf-8"))
    assert str(err.value) == upload.MSG_NOT_REPORT and "一、" in str(err.value)


def test_english_text_is_rejected():
    text = "Annual Report\n" + "\n".join(f"{i}. The committee held meetings and reviewed progress."
                                           for i in range(1, 60))
    with pytest.raises(ExampleError, match="不是中文"):
        parse_example("report.txt", (text + "\n一、总结").encode("utf-8"))


def test_binary_text_rejected(library, isolated_home):
    with pytest.raises(ExampleError, match="不是纯文本"):
        library.add("总结.txt", REPORT_TXT.encode("utf-8") + b"\x00\x01\x02")
    with pytest.raises(ExampleError, match="不是纯文本"):
        library.add("伪装.md", _docx_bytes(BODY))
    assert _snapshot(isolated_home) == {}


def test_undecodable_text_rejected():
    garbage = bytes([0x81, 0x20]) * 500  # invalid in UTF-8 and in GB18030, no NUL
    with pytest.raises(ExampleError, match="编码"):
        parse_example("乱码.txt", garbage)


def test_example_error_is_a_value_error():
    assert issubclass(ExampleError, ValueError)


def test_messages_are_chinese():
    for name in dir(upload):
        if name.startswith("MSG_"):
            assert len(HAN.findall(getattr(upload, name))) >= 8, name
