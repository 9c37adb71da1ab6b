"""素材 → bullets (zongjie.gather): every rule on its own, then the files in tests/fixtures/gather."""
from __future__ import annotations

import pytest
from conftest import FIXTURES

from zongjie.brief import make_brief, parse_bullets
from zongjie.facts import extract_facts
from zongjie.gather import Source, gather, gather_files, read_sources
from zongjie.gather.apply import append_lines
from zongjie.gather.candidate import Candidate
from zongjie.gather.condense import condense, statements, traceable
from zongjie.gather.dedup import merge_duplicates
from zongjie.gather.sources import MAX_FILES, MSG_NO_TEXT
from zongjie.gather.split import is_boilerplate, paragraphs
from zongjie.provenance import Place, file_label, split_marker, with_marker
from zongjie.upload import MSG_ENCRYPTED
from zongjie.vocab import ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

GATHER = FIXTURES / "gather"


def fixture(name: str) -> tuple[str, bytes]:
    return name, (GATHER / name).read_bytes()


# ---- furniture ----------------------------------------------------------------------------------
@pytest.mark.parametrize("line", [
    "2023年3月20日", "2023-04-12 09:30", "2023年第3期（总第32期）", "第5期", "来源：团县委　编辑：张三",
    "责任编辑：王五", "审核：李四", "（供稿：团县委办公室）", "第1页 共2页", "- 3 -", "（完）",
    "共青团某某县委员会办公室编　2023年3月20日",
    "团县委开展“学雷锋”志愿服务活动", "一、工作开展情况", "某某县共青团简报", "2023-04-12 09:30　来源：县融媒体中心",
])
def test_furniture_is_dropped(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "近日，团县委组织开展“学雷锋”志愿服务活动15场，参与志愿者600余人次。",
    "发展新团员35名",  # a list-style fact line: no punctuation, but a figure
    "3月5日召开团干部会议",
    "部分基层团组织理论学习形式单一，吸引力不强。",
])
def test_content_is_kept(line):
    assert not is_boilerplate(line)


def test_paragraphs_are_numbered_as_a_reader_counts_them():
    numbered = paragraphs("标题\n\n  第一段 \r\n第二段\u2028第三段")
    assert numbered == [(1, "标题"), (2, "第一段"), (3, "第二段"), (4, "第三段")]


# ---- condensing -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence, bullet", [
    ("近日，团县委开展主题团日活动30场。", "团县委开展主题团日活动30场"),
    ("据悉，团县委开展主题团日活动30场。", "团县委开展主题团日活动30场"),
    ("为深入学习贯彻党的二十大精神，团县委开展宣讲12场。", "团县委开展宣讲12场"),
    ("在团市委的指导下，团县委举办培训班2期。", "团县委举办培训班2期"),
    ("记者从团县委获悉，今年已发展团员35名。", "今年已发展团员35名"),
    ("团县委组织开展了志愿服务15场，取得了良好效果。", "团县委组织开展志愿服务15场"),
    ("团县委开展宣讲12场，覆盖青年800人，营造了浓厚氛围，受到广泛好评。", "团县委开展宣讲12场，覆盖青年800人"),
    ("1．开展主题团日活动30场。", "开展主题团日活动30场"),
])
def test_condense_cuts_framing_and_praise(sentence, bullet):
    assert condense(sentence) == bullet


def test_a_frame_holding_a_figure_is_kept():
    """"为庆祝建党100周年" carries a number: dropping it would lose a fact, so it stays."""
    assert "100周年" in condense("为庆祝建党100周年，团县委开展主题团日活动30场。")


def test_a_continuing_sentence_joins_the_one_before():
    out = statements("团县委开展“学雷锋”志愿服务活动15场。此次活动共走访慰问困难群众120户。")
    assert out == ["团县委开展“学雷锋”志愿服务活动15场，共走访慰问困难群众120户"]


def test_sentences_without_facts_are_left_out_but_shortcomings_stay():
    out = statements("团县委高度重视青年工作。各级团组织积极响应。部分基层团组织理论学习形式单一，吸引力不强。")
    assert out == ["部分基层团组织理论学习形式单一，吸引力不强"]


def test_quoted_slogans_of_others_are_not_facts_of_the_work():
    assert statements("习近平总书记强调“要做好接班人这个根本大计”。") == []


def test_traceable_rejects_a_changed_or_added_number():
    paragraph = "团县委开展活动15场，参与志愿者600余人次。"
    assert traceable("开展活动15场，参与600余人次", paragraph)
    assert not traceable("开展活动16场", paragraph)
    assert not traceable("开展活动15场，覆盖2000人", paragraph)


def test_a_rule_slip_falls_back_to_the_words_of_the_file(monkeypatch):
    """If a rule ever produced a number the paragraph lacks, the sentence is shown as written instead."""
    from zongjie.gather import condense as module

    monkeypatch.setattr(module, "condense", lambda s: "团县委开展活动150场")
    assert module.statements("团县委开展活动15场。") == ["团县委开展活动15场"]


def test_every_number_of_every_bullet_occurs_in_its_paragraph():
    files = [fixture(n) for n in ("3月工作信息.txt", "3月简报.md", "4月新闻.txt", "5月简报.docx")]
    result = gather_files(files)
    texts = {}
    for name, data in files:
        from zongjie.upload import read_text_safely

        for number, paragraph in paragraphs(read_text_safely(name, data)):
            texts[(file_label(name), number)] = paragraph
    assert result.candidates
    for c in result.candidates:  # the first place backs the whole text; a merged duplicate's place follows
        paragraph = texts[(c.places[0].file, c.places[0].paragraph)]
        assert traceable(c.text, paragraph), (c.text, paragraph)
    merged = next(c for c in result.candidates if len(c.places) == 2)
    assert [p.file for p in merged.places] == ["3月工作信息", "3月简报"]


# ---- duplicates ----------------------------------------------------------------------------------
def cand(text: str, file: str, n: int = 1, role: str = ROLE_RESULTS) -> Candidate:
    return Candidate(text, [Place(file, n)], role)


def test_the_same_activity_in_two_files_is_merged_with_both_places():
    kept, merged = merge_duplicates([
        cand("团县委组织开展“学雷锋”志愿服务活动15场，参与志愿者600余人次", "3月工作信息", 5),
        cand("团县委开展学雷锋志愿服务活动15场，600余人次志愿者参与", "3月简报", 2),
    ])
    assert merged == 1 and len(kept) == 1
    assert kept[0].places == [Place("3月工作信息", 5), Place("3月简报", 2)]


def test_different_figures_are_never_merged():
    kept, merged = merge_duplicates([
        cand("团县委开展学雷锋志愿服务活动15场，参与志愿者600余人次", "a"),
        cand("团县委开展学雷锋志愿服务活动16场，参与志愿者600余人次", "b"),
    ])
    assert merged == 0 and len(kept) == 2


def test_a_fuller_report_of_the_same_figures_wins():
    kept, merged = merge_duplicates([
        cand("开展志愿服务活动15场，参与志愿者600余人次", "a"),
        cand("开展志愿服务活动15场，参与志愿者600余人次，走访困难群众120户", "b"),
    ])
    assert merged == 1 and kept[0].text.endswith("120户") and len(kept[0].places) == 2


def test_one_shared_figure_and_different_words_stay_apart():
    kept, _ = merge_duplicates([cand("2023年召开团代会", "a"), cand("2023年举办青年创业大赛", "b")])
    assert len(kept) == 2


# ---- role, theme, provenance ---------------------------------------------------------------------
def test_roles_and_themes_are_guessed():
    result = gather_files([fixture("3月工作信息.txt")])
    by_role = {c.role: c for c in result.candidates}
    assert by_role[ROLE_PROBLEMS].text.startswith("部分基层团组织")
    assert "培训班2期" in by_role[ROLE_PLANS].text
    assert by_role[ROLE_PLANS].line(marker=False).startswith("计划：")
    volunteer = next(c for c in result.candidates if "学雷锋" in c.text)
    assert volunteer.role == ROLE_RESULTS and volunteer.theme == "深化志愿服务"


def test_marker_round_trip_and_file_names_never_become_facts():
    line = with_marker("开展主题团日活动30场", [Place("3月工作信息", 2), Place("4月简报", 1)])
    assert split_marker(line) == ("开展主题团日活动30场", "《3月工作信息》第2段；《4月简报》第1段")
    brief = make_brief(line + "\n问题：学习形式单一" + with_marker("", [Place("x", 3)]), "团县委", "2023年上半年",
                       "工作总结")
    assert brief.bullets[0].text == "开展主题团日活动30场"
    assert brief.bullets[0].source == "《3月工作信息》第2段；《4月简报》第1段"
    assert brief.bullets[1].role == ROLE_PROBLEMS and brief.bullets[1].source == "《x》第3段"
    assert [f.raw for f in extract_facts(brief.bullets[0].text)] == ["30场"]  # no "3月", no "第2段"


def test_a_marker_in_the_middle_of_a_line_is_text():
    assert split_marker("依据团发〔2023〕5号文件开展活动")[1] == ""


def test_file_labels_cannot_break_the_marker():
    label = file_label("C:\\素材\\《团讯》〔2023〕.docx")
    assert "《" not in label and "〔" not in label and label
    assert split_marker(with_marker("开展活动3场", [Place(label, 1)]))[1] == f"《{label}》第1段"


# ---- appending ------------------------------------------------------------------------------------
def test_appending_keeps_each_line_in_its_role_under_typed_headers():
    existing = "开展团课10场\n下一步：\n举办培训班2期"
    out = append_lines(existing, [("走访青年120名", ROLE_RESULTS, [Place("a", 1)]),
                                  ("组织生活不规范", ROLE_PROBLEMS, [Place("b", 2)])])
    assert out.startswith(existing)
    bullets = parse_bullets(out)
    assert [(b.text, b.role, b.source) for b in bullets[-2:]] == [
        ("走访青年120名", ROLE_RESULTS, "《a》第1段"), ("组织生活不规范", ROLE_PROBLEMS, "《b》第2段")]


def test_appending_to_an_empty_box_needs_no_label():
    assert append_lines("", [("走访青年120名", ROLE_RESULTS, [])]) == "走访青年120名"


# ---- bad files -------------------------------------------------------------------------------------
def test_bad_files_get_a_chinese_message_and_the_rest_proceed():
    files = [fixture(n) for n in ("加密.docx", "只有图片.docx", "空.txt", "3月简报.md")]
    result = gather_files(files)
    problems = {p.filename: p.message for p in result.problems}
    assert problems == {"加密.docx": MSG_ENCRYPTED, "只有图片.docx": MSG_NO_TEXT, "空.txt": MSG_NO_TEXT}
    assert result.sources == 1 and any("35名" in c.text for c in result.candidates)


@pytest.mark.parametrize("name, data, words", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Word"),
    ("m.docm", b"PK\x03\x04", "启用宏"),
    ("x.pdf", b"%PDF-1.4", "只支持"),
    ("big.txt", "字".encode() * (2 * 1024 * 1024), "超过 5 MB"),
    ("broken.docx", b"PK\x03\x04garbage", "损坏"),
])
def test_unreadable_kinds_are_named(name, data, words):
    sources, problems = read_sources([(name, data)])
    assert not sources and words in problems[0].message


def test_at_most_max_files_are_read():
    files = [(f"{i}.txt", "团县委开展活动3场。".encode()) for i in range(MAX_FILES + 5)]
    sources, problems = read_sources(files)
    assert len(sources) == MAX_FILES and "最多" in problems[0].message


def test_two_files_with_one_name_get_distinct_labels_and_paste_is_named():
    sources, _ = read_sources([("a/简报.txt", "开展活动3场".encode()), ("b/简报.txt", "开展活动4场".encode())],
                              "粘贴的内容5场")
    assert [s.label for s in sources] == ["简报", "简报（2）", "粘贴的素材"]


def test_pasted_text_alone_is_gathered():
    result = gather([Source("粘贴的素材", "2023年3月20日\n近日，团县委开展主题团日活动30场。")])
    assert [(c.text, c.source) for c in result.candidates] == [("团县委开展主题团日活动30场", "《粘贴的素材》第2段")]
