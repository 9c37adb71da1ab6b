import pytest

from zongjie.brief import BriefError, bullets_to_text, make_brief, parse_bullets
from zongjie.vocab import ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS


def test_bullets_get_ids_roles_and_lose_markers(bullets_text):
    bullets = parse_bullets(bullets_text)
    assert [b.id for b in bullets] == [f"B{i}" for i in range(1, 9)]
    assert bullets[0].text.startswith("五四期间")
    assert [b.role for b in bullets].count(ROLE_RESULTS) == 6
    assert bullets[6].role == ROLE_PROBLEMS and bullets[6].text.startswith("部分基层团组织")
    assert bullets[7].role == ROLE_PLANS and bullets[7].text.startswith("下半年计划")


def test_header_lines_switch_role_and_list_markers_are_stripped():
    text = "1. 开展主题团日活动30余场\n- 发展团员35名\n存在问题：\n（一）学习形式单一\n下一步计划：\n一是举办培训班2期"
    bullets = parse_bullets(text)
    assert [(b.text, b.role) for b in bullets] == [
        ("开展主题团日活动30余场", ROLE_RESULTS),
        ("发展团员35名", ROLE_RESULTS),
        ("学习形式单一", ROLE_PROBLEMS),
        ("举办培训班2期", ROLE_PLANS),
    ]


def test_control_characters_are_removed():
    (bullet,) = parse_bullets("开展活动\x0b30余场\x00")
    assert bullet.text == "开展活动30余场"


@pytest.mark.parametrize("text,unit,period,message", [
    ("", "团区委", "2023年上半年", "请先输入工作要点"),
    ("   \n\n", "团区委", "2023年上半年", "请先输入工作要点"),
    ("开展活动30场", "", "2023年上半年", "请填写单位名称"),
    ("开展活动30场", "团区委", "", "请填写报告时段"),
    ("问题：学习不够深入", "团区委", "2023年", "至少需要一条"),
    ("长" * 20_001, "团区委", "2023年", "输入内容过长"),
    ("长" * 700, "团区委", "2023年", "要点过长"),
])
def test_bad_input_gets_a_chinese_message(text, unit, period, message):
    with pytest.raises(BriefError, match=message):
        make_brief(text, unit, period, "工作总结")


def test_unknown_genre_rejected():
    with pytest.raises(BriefError, match="请选择文种"):
        make_brief("开展活动30场", "团区委", "2023年", "小说")


def test_round_trip_keeps_roles(bullets_text):
    bullets = parse_bullets(bullets_text)
    again = parse_bullets(bullets_to_text(bullets))
    assert [(b.text, b.role) for b in again] == [(b.text, b.role) for b in bullets]
