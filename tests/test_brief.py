import pytest

from zongjie.brief import BriefError, bullets_to_text, input_findings, make_brief, parse_bullets
from zongjie.proofread import Check
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


# ---- markers, labels and roles (issues 14 and 15) ---------------------------------------------------------
@pytest.mark.parametrize("line,text", [
    ("3.5万名青少年参加“青春自护”网络答题", "3.5万名青少年参加“青春自护”网络答题"),
    ("1.2万人次观看直播", "1.2万人次观看直播"),
    ("3. 5万名青少年参加答题", "5万名青少年参加答题"),  # "3. " with a space is item 3
    ("3.开展主题团日活动30余场", "开展主题团日活动30余场"),
    ("2、92%的团员参加学习", "92%的团员参加学习"),
])
def test_a_leading_decimal_is_not_a_list_marker(line, text):
    (bullet,) = parse_bullets(line)
    assert bullet.text == text


@pytest.mark.parametrize("line,text,role", [
    ("下半年：深化“青年大学习”行动", "深化“青年大学习”行动", ROLE_PLANS),
    ("下一步：举办培训班2期", "举办培训班2期", ROLE_PLANS),
    ("计划：开展志愿服务10场", "开展志愿服务10场", ROLE_PLANS),
    ("打算：推进团支部规范化建设", "推进团支部规范化建设", ROLE_PLANS),
    ("下半年计划：举办青年联谊活动3场", "举办青年联谊活动3场", ROLE_PLANS),
    ("下一步工作打算：完善制度", "完善制度", ROLE_PLANS),
    ("问题：学习形式单一", "学习形式单一", ROLE_PROBLEMS),
    ("存在问题：部分团支部活力不足", "部分团支部活力不足", ROLE_PROBLEMS),
    ("不足：宣传覆盖面不广", "宣传覆盖面不广", ROLE_PROBLEMS),
    ("【问题】团干部配备不齐", "团干部配备不齐", ROLE_PROBLEMS),
    ("成效：发展团员35名", "发展团员35名", ROLE_RESULTS),
    ("1. 下一步：下半年：推进“智慧团建”", "推进“智慧团建”", ROLE_PLANS),
    ("二是下半年：推进“智慧团建”", "推进“智慧团建”", ROLE_PLANS),
    ("下一步：下半年计划举办青年干部培训班2期", "下半年计划举办青年干部培训班2期", ROLE_PLANS),
])
def test_routing_labels_are_stripped_and_set_the_role(line, text, role):
    (bullet,) = parse_bullets(line)
    assert (bullet.text, bullet.role) == (text, role)


def test_a_label_on_the_line_wins_over_the_header_above():
    bullets = parse_bullets("问题：\n学习形式单一\n下一步：举办培训班2期")
    assert [(b.text, b.role) for b in bullets] == [("学习形式单一", ROLE_PROBLEMS), ("举办培训班2期", ROLE_PLANS)]


def test_a_marked_header_still_heads_a_group():
    bullets = parse_bullets("开展活动30场\n（二）存在问题\n学习形式单一")
    assert [(b.text, b.role) for b in bullets] == [("开展活动30场", ROLE_RESULTS), ("学习形式单一", ROLE_PROBLEMS)]


@pytest.mark.parametrize("line,role", [
    ("组织团干部补齐短板培训2期", ROLE_RESULTS),
    ("查找不足12条，全部完成整改", ROLE_RESULTS),
    ("针对薄弱团支部开展“一对一”帮扶，结对18个", ROLE_RESULTS),
    ("帮扶家庭年收入不足3000元的困难青年56名", ROLE_RESULTS),
    ("开展“力争上游”主题实践活动12场", ROLE_RESULTS),
    ("完成12个基层团支部换届，力争年底实现全覆盖", ROLE_RESULTS),
    ("将团员发展纳入基层团组织考核", ROLE_RESULTS),
    ("部分基层团组织理论学习形式单一，吸引力不强", ROLE_PROBLEMS),
    ("青年志愿服务覆盖面有待提高", ROLE_PROBLEMS),
    ("团干部队伍力量薄弱", ROLE_PROBLEMS),
    ("网上共青团建设还存在一些短板", ROLE_PROBLEMS),
    ("力争全年发展团员50名", ROLE_PLANS),
    ("团区委将于9月举办青年创业大赛", ROLE_PLANS),
    ("拟发展新团员40名", ROLE_PLANS),
    ("下半年举办培训班2期", ROLE_PLANS),
])
def test_role_follows_what_the_line_states_not_a_keyword_anywhere(line, role):
    (bullet,) = parse_bullets(line)
    assert bullet.role == role


# ---- placeholders and typos in the bullets (issue 14 item 6) ----------------------------------------------
def test_input_findings_name_placeholders_and_typos_with_their_line():
    text = ("五四期间开展活动30余场\n问题：\n学习党的XX大精神不够深入\n下一步：\n掯实工作责任，组织xx镇团委开展培训\n"
            "***新时代中国特色社会主义思想学习12场\n某某社区开展活动5场，覆盖X名青年\n推进××工程、结对帮扶")
    got = [(f.line, f.bullet_id, f.check, f.span, f.fix) for f in input_findings(text)]
    assert got == [
        (3, "B2", Check.PLACEHOLDER, "XX", None),
        (5, "B3", Check.TYPO, "掯实", "压实"),
        (5, "B3", Check.PLACEHOLDER, "xx", None),
        (6, "B4", Check.PLACEHOLDER, "***", "习近平"),
        (7, "B5", Check.PLACEHOLDER, "某某", None),
        (7, "B5", Check.PLACEHOLDER, "X", None),
        (8, "B6", Check.PLACEHOLDER, "××", None),
    ]
    messages = [f.message for f in input_findings(text)]
    assert messages[0] == "第3行要点含占位符“XX”，请先补全。"
    assert messages[1] == "第5行要点疑有错别字“掯实”，应为“压实”，请先改正。"


def test_input_findings_from_a_brief_name_bullets_and_skip_the_unit_field():
    brief = make_brief("开展活动30场\n\n学习党的XX大精神", "共青团某某区委员会", "2023年上半年", "工作总结")
    (finding,) = input_findings(brief)
    assert finding.message == "第2条要点含占位符“XX”，请先补全。"


def test_input_findings_leave_a_cadres_shorthand_alone():
    text = "团员/青年参与率92%\n开展“青春自护”活动--共12场\n3.5万名青少年参加\nQQ群、5G、H5宣传"
    assert input_findings(text) == []


def test_parsing_never_rewrites_a_bullets_words():
    (bullet,) = parse_bullets("掯实工作责任，学习党的XX大精神")
    assert bullet.text == "掯实工作责任，学习党的XX大精神"
