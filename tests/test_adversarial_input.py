"""Issue 16, the input side: cases an adversarial pass found that the core let through or explained
wrongly. Each test names its item (#19 bidi controls, #20 encodings, #21 punctuation bullets,
#22 wrong reasons, #18 odd upload names)."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
import tomllib

from zongjie import upload
from zongjie.brief import BriefError, brief_warnings, make_brief
from zongjie.examples import ExampleLibrary, parse_example
from zongjie.export_docx import export_docx
from zongjie.export_md import export_markdown
from zongjie.fake_llm import TemplateChatModel
from zongjie.model import Paragraph
from zongjie.text import xml_safe
from zongjie.upload import MAX_UPLOAD_BYTES, ExampleError

ROOT = Path(__file__).resolve().parent.parent
UNIT, PERIOD, GENRE = "共青团某某区委员会", "2023年上半年", "工作总结"
REPORT_TXT = (Path(__file__).parent / "fixtures" / "examples" / "report.txt").read_text(encoding="utf-8")

# ---- #19: bidi controls and noncharacters --------------------------------------------------------
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f", "\u061c"]
NONCHARACTERS = ["\ufdd0", "\ufdef", "\U0001fffe", "\U0001ffff", "\U0010fffe", "\U0010ffff"]
HOSTILE = BIDI + NONCHARACTERS


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("bad", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_19_bidi_controls_and_noncharacters_never_reach_the_docx(bad):
    brief = make_brief("开展主题团日活动30余场\n问题：学习形式单一", UNIT, PERIOD, GENRE)
    from zongjie.draft import Drafter

    report = Drafter(TemplateChatModel()).draft_report(brief)
    # Model text and hand edits both bypass make_brief; the export is the last line of defence.
    report.opening.paragraphs.append(Paragraph(f"模型输出{bad}反转{bad}文字。"))
    report.sections[0].heading += bad
    text, markdown = _docx_text(export_docx(report)), export_markdown(report)
    assert bad not in text and bad not in markdown
    assert "模型输出反转文字。" in text
    assert xml_safe(f"甲{bad}乙") == "甲乙"


@pytest.mark.parametrize("bad", ["\u202e", "\u2067", "\ufdd0"])
def test_19_model_output_and_user_edits_are_cleaned_before_they_are_stored(bad):
    from zongjie import session
    from zongjie.cleanup import clean_output
    from zongjie.outline import build_outline

    assert bad not in clean_output(f"一是开展活动{bad}30场。")
    brief = make_brief("开展主题团日活动30余场\n问题：学习形式单一", UNIT, PERIOD, GENRE)
    report = build_outline(brief)
    key = report.drafting_units()[1].key
    assert session.apply_edit(report, brief, key, f"用户{bad}编辑的正文。")
    assert report.find(key).text == "用户编辑的正文。"


# ---- #21: punctuation-only bullets ---------------------------------------------------------------
@pytest.mark.parametrize("line", ["。。。", "！！！", "……", "？？", "、、、", "~~~", "***!!!", "（）【】"])
def test_21_a_punctuation_only_bullet_is_refused_with_the_right_message(line):
    with pytest.raises(BriefError) as info:
        make_brief(f"开展主题团日活动30余场\n{line}\n发布推文120篇", UNIT, PERIOD, GENRE)
    message = str(info.value)
    assert "第 2 行" in message and "标点" in message and "外文" not in message and "中文" not in message


def test_21_punctuation_inside_real_bullets_and_numbers_only_bullets_still_pass():
    brief = make_brief("开展主题团日活动30余场！！！\n2023\n——发布推文120篇", UNIT, PERIOD, GENRE)
    assert [b.text for b in brief.bullets] == ["开展主题团日活动30余场！！！", "2023", "——发布推文120篇"]
    assert not any("标点" in w for w in brief_warnings(brief))


# ---- #20: encodings of an uploaded example -------------------------------------------------------
TRADITIONAL = """某社區居委會2024年工作總結
2024年，社區居委會在街道黨工委的堅強領導下，堅持以人民為中心的發展思想，圍繞中心、服務大局，紮實推進各項工作，社區治理水平和居民滿意度穩步提升。現將全年工作情況總結如下。
一、主要做法和成效
（一）開展便民服務
依託社區黨群服務中心，設立讀書角，全年開展親子閱讀、老年課堂等活動48場，服務居民2600餘人次，受到居民普遍歡迎。
（二）夯實基層組織建設
全年召開居民代表會議6次，修訂完善居民公約，建立樓棟長聯繫制度，議事協商機制進一步健全，居民參與社區事務的熱情明顯提高。
二、存在的問題
一是部分老舊小區基礎設施薄弱，改造任務較重；二是社區工作者隊伍年齡結構偏大，專業化水平有待提高。
三、下一步工作打算
2025年，將繼續加強基層組織建設，推進老舊小區改造，加強社區工作者培訓，激發居民參與熱情，努力打造共建共治共享的社區治理新格局。
"""


def _long_report() -> str:
    """The fixture report is a little short for a mojibake statistic; repeat its body paragraphs."""
    lines = REPORT_TXT.splitlines()
    return "\n".join(lines[:2] + [ln + ln[:40] if len(ln) > 40 else ln for ln in lines[2:]]) + "\n"


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_20_utf32_and_bomless_utf16_are_decoded(encoding):
    text = _long_report()
    report = parse_example("总结.txt", text.encode(encoding))
    assert report.title == "某社区居委会2024年工作总结"
    assert [s.heading for s in report.sections] == ["主要做法和成效", "存在的问题", "下一步工作打算"]


def test_20_big5_is_decoded_not_called_too_short():
    data = TRADITIONAL.encode("big5")
    report = parse_example("總結.txt", data)
    assert report.title == "某社區居委會2024年工作總結"
    assert [s.heading for s in report.sections] == ["主要做法和成效", "存在的問題", "下一步工作打算"]


@pytest.mark.parametrize("encoding", ["shift_jis", "euc-kr", "euc-jp"])
def test_20_other_legacy_encodings_are_refused_as_encoding_not_accepted_as_mojibake(encoding, tmp_path):
    data = _long_report().encode(encoding, errors="replace")
    library = ExampleLibrary(tmp_path / "examples")
    with pytest.raises(ExampleError) as info:
        library.add("总结.txt", data)
    assert str(info.value) == upload.MSG_ENCODING
    assert library.list() == []


def test_20_the_common_encodings_still_work():
    text = _long_report()
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"):
        assert parse_example("总结.txt", text.encode(encoding)).title == "某社区居委会2024年工作总结", encoding


# ---- #22: the right reason in each message -------------------------------------------------------
def _docm_bytes(content_type: str) -> bytes:
    document = docx.Document()
    for line in REPORT_TXT.splitlines():
        document.add_paragraph(line)
    plain = io.BytesIO()
    document.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = re.sub(rb"application/vnd\.openxmlformats-officedocument\.wordprocessingml\.document\.main\+xml",
                              content_type.encode(), data)
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["宏.docm", "改了扩展名.docx"])
def test_22_a_macro_document_is_named_as_such_not_called_damaged(name):
    data = _docm_bytes("application/vnd.ms-word.document.macroEnabled.main+xml")
    with pytest.raises(ExampleError) as info:
        parse_example(name, data)
    assert "宏" in str(info.value) and "损坏" not in str(info.value) and "另存为 .docx" in str(info.value)


def test_22_a_word_template_is_named_as_such():
    data = _docm_bytes("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")
    with pytest.raises(ExampleError) as info:
        parse_example("模板.docx", data)
    assert "模板" in str(info.value) and "损坏" not in str(info.value)


def test_22_streamlit_upload_limit_matches_the_examples_limit():
    """The dropzone prints Streamlit's server.maxUploadSize (default 200MB) as the limit."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES
    assert f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB" in upload.MSG_TOO_BIG


# ---- #18: an upload name with NUL and other controls ---------------------------------------------
@pytest.mark.parametrize("name", ["总\x00结.txt", "总结\x00.exe.txt", "\u202e总结.txt", "总\n结.txt"])
def test_18_odd_characters_in_an_upload_name_are_dropped(name, tmp_path):
    body = "\n".join(REPORT_TXT.splitlines()[1:])  # no title line: the title comes from the file name
    library = ExampleLibrary(tmp_path / "examples")
    report = library.add(name, body.encode("utf-8"))
    (saved,) = library.list()
    for value in (report.title, report.source, saved.title, saved.source):
        assert not re.search(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", value), repr(value)
    assert saved.title.startswith("总") and "结" in saved.title
