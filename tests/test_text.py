"""Chinese text primitives: numerals (cn2an behind our guards), sentences, punctuation, similarity."""
from __future__ import annotations

import pytest

from zongjie.text import (
    HALF_TO_FULL,
    HAN_RE,
    cn_digits,
    cn_index,
    cn_int,
    is_cjk,
    jaccard,
    parse_cn_number,
    sentence_matches,
    sentences,
)


@pytest.mark.parametrize("s,value", [("三十", 30), ("两千", 2000), ("一百零五", 105), ("十三", 13),
                                     ("三万五千", 35000), ("二〇二三", 2023), ("万", 10000), ("百万", 10**6),
                                     ("两万五", 25000), ("一万三", 13000), ("零", 0), ("两", 2)])
def test_parse_cn_number(s, value):
    assert parse_cn_number(s) == value


@pytest.mark.parametrize("s", ["五四", "三四", "一二", "四五十", "十四五", ""])
def test_digit_runs_ranges_and_names_are_not_numbers(s):
    assert parse_cn_number(s) is None


def test_whole_numbers_and_digit_runs():
    words = ("一", "九", "十", "十一", "二十", "二十三", "07", "十二")
    assert [cn_int(s) for s in words] == [1, 9, 10, 11, 20, 23, 7, 12]
    assert cn_int("一二") == 0 and cn_int("甲") == 0
    assert cn_digits("二〇二三") == "2023" and cn_digits("一九九八") == "1998"


def test_section_numbers():
    assert [cn_index(i) for i in (1, 10, 11, 20, 23, 99, 105)] == \
        ["一", "十", "十一", "二十", "二十三", "九十九", "一百零五"]


def test_sentences_end_at_the_given_marks():
    assert sentences("甲。乙！\n丙") == ["甲。", "乙！", "\n丙"]
    assert sentences("甲。乙！\n丙", lines=True) == ["甲。", "乙！", "丙"]
    assert sentences("开展活动；效果好!再来", "。！？；!?;") == ["开展活动；", "效果好!", "再来"]
    spans = [(m.start(), m.end()) for m in sentence_matches("甲乙。丙", lines=True)]
    assert spans == [(0, 3), (3, 4)]


def test_characters_and_similarity():
    assert is_cjk("团") and not is_cjk("a") and not is_cjk("")
    assert HAN_RE.search("𠀀") and not HAN_RE.search("abc，。")
    assert HALF_TO_FULL[","] == "，"
    assert jaccard("加强理论学习", "加强理论学习") == 1.0 and jaccard("甲乙丙", "丁戊己") == 0.0


def test_a_clause_joined_to_a_dropped_one_loses_its_conjunction():
    """Bench case 02 on the embedded model: "究其原因，主要是缺乏培训，以及……" lost its middle clause (培训
    nobody reported) and read "究其原因，以及对意识形态阵地的重视程度不够。"."""
    from zongjie.text import drop_clauses

    line = "究其原因，主要是缺乏培训，以及对意识形态阵地的重视程度不够。"
    kept, removed = drop_clauses(line, lambda m: "培训" in m.group(0))
    assert kept == "究其原因，对意识形态阵地的重视程度不够。" and removed == ["主要是缺乏培训，"]
    assert drop_clauses(line, lambda m: False)[0] == line, "nothing dropped, nothing changed"
    assert drop_clauses("开展培训，及时发现问题。", lambda m: "培训" in m.group(0))[0] == "及时发现问题。"


def test_a_sentence_that_lost_the_clause_its_buqin_paired_with_loses_buqin():
    """Bench case 07: "这一举措不仅提升了学员的安全素养。" after its 还…… clause (a 讲座 nobody reported) went."""
    from zongjie.text import drop_clauses

    line = "这一举措不仅提升了学员的安全素养，还组织了专题讲座。"
    assert drop_clauses(line, lambda m: "讲座" in m.group(0))[0] == "这一举措提升了学员的安全素养。"
    paired = "活动不仅提升了素养，还增强了意识，并开展了讲座。"
    assert drop_clauses(paired, lambda m: "讲座" in m.group(0))[0] == "活动不仅提升了素养，还增强了意识。"
    assert drop_clauses(line, lambda m: False)[0] == line


def test_a_sentence_left_with_only_its_means_goes():
    """A held-out case: "通过一系列组织建设和培训活动。" closed a subsection once what they achieved was dropped."""
    from zongjie.text import drop_clauses

    line = "选出新一届学生会委员。通过一系列组织建设和培训活动，开展了讲座。"
    assert drop_clauses(line, lambda m: "讲座" in m.group(0))[0] == "选出新一届学生会委员。"
    kept = "通过“青年大学习”网上主题团课，开展了讲座。"
    assert drop_clauses(kept, lambda m: "讲座" in m.group(0))[0] == "通过“青年大学习”网上主题团课。", \
        "a bullet's name stays, broken or not"


def test_a_connective_left_on_its_own_goes():
    """Held-out case 23 (2026-12-02): "二是……偏窄。究其原因。部分……" once the cause it led into went."""
    from zongjie.text import drop_clauses

    line = "“两新”组织团建覆盖面仍然偏窄。究其原因，主要是缺乏政策支持。部分单位团建存在短板。"
    left = drop_clauses(line, lambda m: "政策支持" in m.group(0))[0]
    assert left == "“两新”组织团建覆盖面仍然偏窄。部分单位团建存在短板。"
    kept = "究其原因，主要是思想认识不到位。"
    assert drop_clauses(kept + "开展讲座。", lambda m: "讲座" in m.group(0))[0] == kept


def test_a_sentence_left_with_only_its_purpose_goes():
    """A held-out plan item (2026-12-02) ended "为提升青年网络素养。" once the clause it led into went."""
    from zongjie.text import drop_clauses

    line = "开展网评员专题培训2次。为提升青年网络素养，开展网评员专题培训2次。"
    assert drop_clauses(line, lambda m: m.start() > 10 and "培训" in m.group(0))[0] == "开展网评员专题培训2次。"
    kept = "开展网评员专题培训2次。为青年办实事，开展讲座。"
    assert drop_clauses(kept, lambda m: "讲座" in m.group(0))[0] == kept.replace("，开展讲座。", "。"), \
        "为 + whom is a sentence of its own"
    work = "开展网评员专题培训2次。为提升青年理论素养开展专题学习。举办讲座。"
    assert drop_clauses(work, lambda m: "讲座" in m.group(0))[0] == work.removesuffix("举办讲座。")
