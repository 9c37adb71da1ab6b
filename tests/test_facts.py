"""Fact extraction, matching, exemplar masking and the ledger, on sentences taken from real 团委 reports."""
from __future__ import annotations

import re

import pytest

from zongjie.facts import (
    GIVEN,
    check_facts,
    extract_facts,
    fixed_terms,
    issues_for_section,
    mask_exemplar,
    report_ledger,
    supports,
    units_compatible,
)
from zongjie.model import Bullet, IssueKind, Paragraph, Report, Section

# Real passages (seed reports, 2021–2023), kept inline so the tests need no outside files.
PASSAGE_COUNTY = (
    "截至今年11月,共建成县级“青年学习社”3个,实现17个镇(区、街道)阵地全覆盖,xx、xx、xx村等基础条件较好的村"
    "也相继建成青年学习社,已形成“青年大学习”、“青·村学堂”、“五防”安全教育、“阳光护航”心理健康等活动品牌,"
    "累计开展各类活动130余场次,覆盖青少年13000余人次,“青年之家”的磁吸效应不断显现。"
    "全面推进“青年大学习”行动,引导广大青少年坚定“四个自信”,筑牢“四个意识”。举办了以“少年强中国强”为主题的"
    "xx县首届少儿现场书画大奖赛,吸引逾千名青少年参加。团县委在五四期间组织广大青年唱响《我和我的祖国》,"
    "快闪视频被央视新闻网转载,不到一天浏览量突破25万。以庆祝建国70周年为主线。"
)
PASSAGE_TOWN = (
    "今年来,*镇团委坚决贯彻执行团中央和团省、市、县委关于做好意识形态工作的相关要求。至目前,专题部署意识形态工作2次,"
    "开展政策理论宣讲10余场次。上半年共推荐五四红旗团支部1个、五四青年1名、新长征突击手2名,推荐4名优秀团员成为积极分子。"
    "镇团委将按照“服务青年、服务社会、服务大局”的总体思路,从四方面做好意识形态工作。一是坚持政治引领。"
)
PASSAGE_CENTRAL = (
    "主要依托全国330多万个基层团支部、20多万个少先队大队,据统计,5月4日、6月1日、7月1日等重要时间点的主题团课"
    "覆盖率已经达到90%以上。共出动青年突击队25.3万人次,在全国300多个项目中为近6万名农村留守儿童提供服务。"
    "带动全团进一步强化“四个意识”,坚定“四个自信”,做到“两个维护”。"
)


def numbers(text: str) -> list[tuple[str, float, str, str]]:
    return [(f.raw, f.value, f.unit, f.approx) for f in extract_facts(text) if f.kind == "number"]


def only(text: str):
    facts = extract_facts(text)
    assert len(facts) == 1, facts
    return facts[0]


# ---- extraction: numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize("text,value,unit,approx", [
    ("三十余场", 30, "场", "余"),
    ("1.2万人次", 12000, "人次", ""),
    ("90%以上", 90, "%", "余"),
    ("4560名", 4560, "名", ""),
    ("30余场", 30, "场", "余"),
    ("近6万名", 60000, "名", "近"),
    ("超过1000人", 1000, "人", "余"),
    ("逾千名", 1000, "名", "余"),
    ("两千余人", 2000, "人", "余"),
    ("百分之八十", 80, "%", ""),
    ("25.3万人次", 253000, "人次", ""),
    ("1,200人", 1200, "人", ""),
    ("30多万个", 300000, "个", "余"),
    ("十余万人", 100000, "人", "余"),
    ("13000余人次", 13000, "人次", "余"),
    ("约200名", 200, "名", "约"),
    ("500人左右", 500, "人", "约"),
    ("八成以上", 80, "%", "余"),
    ("近百万元", 1000000, "元", "近"),
    ("建党一百周年", 100, "周年", ""),
    ("３０场", 30, "场", ""),
    ("两场", 2, "场", ""),
    ("数十场", 10, "场", "数"),
    ("3个百分点", 3, "百分点", ""),
])
def test_number_examples_normalise(text, value, unit, approx):
    fact = only(text)
    assert fact.kind == "number"
    assert fact.value == pytest.approx(value)
    assert (fact.unit, fact.approx) == (unit, approx)


def test_spans_point_into_the_text():
    text = "吸引逾千名青少年参加,覆盖4560名团员青年"
    for fact in extract_facts(text):
        assert text[fact.start:fact.end] == fact.raw


def test_real_sentence_has_exactly_two_number_facts():
    facts = extract_facts("五四期间开展主题团日活动30余场,覆盖4560名团员青年")
    assert [(f.raw, f.value, f.unit, f.approx) for f in facts] == [
        ("30余场", 30, "场", "余"), ("4560名", 4560, "名", "")]


def test_central_report_numbers():
    got = numbers(PASSAGE_CENTRAL)
    assert ("330多万个", 3300000, "个", "余") in got
    assert ("90%以上", 90, "%", "余") in got
    assert ("近6万名", 60000, "名", "近") in got
    assert len(got) == 6


@pytest.mark.parametrize("text", [
    "一是增强“四个意识”，二是坚决做到“两个维护”",
    "四个意识、两个维护、两个确立、四个自信、四个全面、五位一体",
    "认真学习贯彻党的二十大精神和党的十九届六中全会、十八届三中全会精神",
    "严格落实“三会一课”制度，深化“两学一做”学习教育，团十九大",
    "一方面加强一线团干部队伍建设，另一方面出台一系列举措，进一步统一思想",
    "万众一心、千方百计，落实一岗双责，把一把手责任扛在肩上",
    "五四期间、六一前夕、七一重要讲话、十一期间、三八妇女节",
    "十四五期间，新时代，百年大计，百年未有之大变局",
    "（一）强化组织领导\n二、存在问题\n第一，第二批\n1.加强学习\n（3）完善制度",
    "作为一项重要内容，打造一支队伍，开展一次全面排查，安排一名工作人员",
    "主要抓好三个方面的工作，从四方面做好",
    "综合运用H5、5G等手段",
    "学习习近平总书记在庆祝中国共产主义青年团成立100周年大会上的重要讲话，落实“三会两制一课”",
])
def test_fixed_terms_and_structure_are_not_facts(text):
    assert extract_facts(text) == []


def test_fixed_terms_file_loads_without_comments():
    terms = fixed_terms()
    assert {"四个意识", "两个维护", "党的二十大", "一是", "五四"} <= terms
    assert not any(t.startswith("#") for t in terms)


def test_festival_token_does_not_swallow_a_bigger_number():
    assert numbers("推荐三十一名团员") == [("三十一名", 31, "名", "")]
    assert numbers("表彰十一名优秀团干部") == [("十一名", 11, "名", "")]
    assert numbers("建党100周年") == [("100周年", 100, "周年", "")]


def test_chinese_article_one_is_not_a_fact_but_two_is():
    assert numbers("建立一个工作群") == []
    assert numbers("建立两个工作群") == [("两个", 2, "个", "")]
    assert numbers("一万人参加") == [("一万人", 10000, "人", "")]


# ---- extraction: dates and names -------------------------------------------------------------------
@pytest.mark.parametrize("text,norm", [
    ("2023年6月", "2023-6--"),
    ("2023年", "2023---"),
    ("6月1日", "-6-1-"),
    ("今年11月", "-11--"),
    ("二〇二三年", "2023---"),
    ("2023年第一季度", "2023---1"),
    ("2021-11-08", "2021-11-8-"),
    ("9:30召开", "T9:30"),
    ("纪检监察2023上半年工作", "2023---"),
])
def test_dates(text, norm):
    dates = [f for f in extract_facts(text) if f.kind == "date"]
    assert [d.norm for d in dates] == [norm]


def test_full_width_comma_separates_numbers():
    assert [f.raw for f in extract_facts("开展活动30，200人参加")] == ["30", "200人"]


def test_names_in_all_quote_styles():
    text = "组织唱响《我和我的祖国》，推进“青年大学习”，开展「青春护航」和\"红领巾寻访\"活动"
    names = [f.norm for f in extract_facts(text) if f.kind == "name"]
    assert names == ["我和我的祖国", "青年大学习", "青春护航", "红领巾寻访"]


def test_numerals_inside_a_name_belong_to_the_name():
    facts = extract_facts("以“一转两联三报到”为抓手")
    assert [(f.kind, f.norm) for f in facts] == [("name", "一转两联三报到")]


# ---- matching ----------------------------------------------------------------------------------------
def test_key_is_shared_by_equal_facts_in_different_notation():
    assert only("1.2万人次").key == only("12000人次").key
    assert only("百分之八十").key == only("80%").key


@pytest.mark.parametrize("given,claimed,ok", [
    ("12000人次", "1.2万人次", True),
    ("三十多场", "30余场", True),
    ("30余场", "三十余场", True),
    ("30余场", "30场", True),       # dropping 余 invents nothing
    ("30余场", "40余场", False),
    ("30场", "30余场", False),       # adding 余 claims more than was given
    ("30场", "约30场", False),
    ("30余场", "近30场", False),
    ("4560名", "4560人", True),
    ("13000人次", "13000人", False),  # 人次 is reach, not headcount
    ("30场", "30人", False),
    ("30场", "30次", True),
    ("3所", "3个", True),
    ("3", "3个", True),
    ("3名", "3个", True),            # 个 in the draft is vaguer than the user's unit
    ("2个", "2名", False),           # a held-out draft: 新建“青年之家”2个 backs no "其中2名同学"
    ("11个", "11支", True),
    ("80%", "百分之八十", True),
    ("2023年6月1日", "2023年6月", True),
    ("2023年6月1日", "6月1日", True),
    ("2023年6月", "2023年7月", False),
    ("6月", "2023年6月", False),     # the year was never given
])
def test_supports(given, claimed, ok):
    assert supports(only(given), only(claimed)) is ok


def test_unit_groups():
    assert units_compatible("人", "名")
    assert units_compatible("", "人次")
    assert not units_compatible("人次", "名")
    assert not units_compatible("个", "%")


def test_invented_number_is_flagged():
    bullets = [Bullet("B1", "五四期间开展主题团日活动30余场，覆盖4560名团员青年")]
    result = check_facts("五四期间开展活动50场，覆盖4560名团员青年", bullets)
    assert [f.raw for f in result.unsupported] == ["50场"]
    assert [f.raw for f in result.used["B1"]] == ["4560名"]


def test_chinese_and_arabic_forms_match_each_other():
    bullets = [Bullet("B1", "开展政策理论宣讲三十多场，覆盖1.2万人次")]
    result = check_facts("累计开展宣讲30余场次，覆盖青年12000人次。", bullets)
    assert result.unsupported == []
    assert result.unused_bullets == []


def test_quoted_name_not_in_bullets_is_flagged():
    bullets = [Bullet("B1", "深入推进“青年大学习”行动，参学团员4560名")]
    text = "深入推进“青年大学习”行动，组织唱响《我和我的祖国》，参学团员4560名。"
    assert [f.raw for f in check_facts(text, bullets).unsupported] == ["《我和我的祖国》"]


def test_name_given_without_quotes_is_supported():
    bullets = [Bullet("B1", "依托青年之家阵地开展活动")]
    assert check_facts("依托“青年之家”阵地开展活动", bullets).unsupported == []


def test_allowed_strings_count_as_given():
    bullets = [Bullet("B1", "开展主题团日活动30余场")]
    text = "2023年上半年，共青团某县委开展主题团日活动30余场。"
    assert [f.raw for f in check_facts(text, bullets).unsupported] == ["2023年"]
    assert check_facts(text, bullets, allowed=["2023年上半年"]).unsupported == []


def test_unused_bullets():
    bullets = [
        Bullet("B1", "开展主题团日活动30余场"),
        Bullet("B2", "评选优秀团员45名"),
        Bullet("B3", "严格落实团干部直接联系青年制度"),   # no facts, paraphrased below
        Bullet("B4", "团属新媒体矩阵粉丝稳步增长"),        # no facts, absent
    ]
    text = "开展主题团日活动30余场，严格落实团干部直接联系青年等制度。"
    result = check_facts(text, bullets)
    assert result.unused_bullets == ["B2", "B4"]
    assert result.used_bullets == ["B1", "B3"]


def test_a_given_year_alone_does_not_make_a_bullet_used():
    bullets = [Bullet("B1", "2023年举办青年马拉松活动")]
    text = "2023年，团县委持续加强基层组织建设。"
    assert check_facts(text, bullets, allowed=["2023年"]).unused_bullets == ["B1"]


# ---- masking -------------------------------------------------------------------------------------------
def test_mask_removes_every_number_and_name_but_keeps_fixed_terms():
    masked = mask_exemplar(PASSAGE_COUNTY)
    assert not re.search(r"[0-9]", masked)
    for leaked in ("青年学习社”", "阳光护航", "我和我的祖国", "逾千", "xx", "少年强中国强"):
        assert leaked not in masked
    assert "X场次" in masked and "X人次" in masked and "X个镇" in masked
    assert "“四个意识”" in masked and "“四个自信”" in masked and "五四期间" in masked
    assert "××、××、××村" in masked and "××县首届" in masked
    assert check_facts(masked, []).facts == []


@pytest.mark.parametrize("passage", [PASSAGE_COUNTY, PASSAGE_TOWN, PASSAGE_CENTRAL])
def test_masked_passages_carry_no_facts(passage):
    masked = mask_exemplar(passage)
    assert extract_facts(masked) == []
    assert "四个意识" in masked or "四个意识" not in passage


def test_mask_place_names_and_placeholders():
    assert mask_exemplar("宜兴市团委联合宏才社区青年之家") == "××市团委联合××社区青年之家"
    assert mask_exemplar("共青团宜兴市委") == "共青团××市委"
    assert mask_exemplar("按照市委部署，在县委和团市委领导下") == "按照市委部署，在县委和团市委领导下"
    assert mask_exemplar("XX县某某镇*镇团委") == "××县××镇××镇团委"
    assert mask_exemplar("联合宜兴市团委开展活动") == "联合××市团委开展活动"


def test_mask_keeps_units_and_date_shape():
    assert mask_exemplar("2023年6月开展活动130余场次，覆盖率90%以上") == "X年X月开展活动X场次，覆盖率X%"


# ---- issues and ledger ------------------------------------------------------------------------------------
BRIEF = [
    Bullet("B1", "五四期间开展主题团日活动30余场，覆盖4560名团员青年"),
    Bullet("B2", "推荐4名优秀团员成为入党积极分子"),
    Bullet("B3", "“青年大学习”参学率达到90%以上"),
    Bullet("B4", "基层团组织书记培训覆盖面不够广", role="问题"),
]


def test_issues_for_section_uses_whole_brief_for_inventions():
    text = "五四期间开展主题团日活动30余场，“青年大学习”参学率达到90%以上，新建团支部12个。"
    issues = issues_for_section("s1.1", text, BRIEF[:2], BRIEF, ["2023年上半年"])
    assert [(i.kind, i.text, i.section_key, i.bullet_id) for i in issues] == [
        (IssueKind.UNSUPPORTED, "12个", "s1.1", ""),
        (IssueKind.UNUSED, BRIEF[1].text, "s1.1", "B2"),
        # B1 is used (30余场) but its second number is left out
        (IssueKind.UNUSED, BRIEF[0].text + "（未写入：4560名）", "s1.1", "B1"),
    ]


def test_issues_deduplicate_repeated_inventions():
    issues = issues_for_section("s1", "开展活动50场。此后又开展活动50场。", [], BRIEF)
    assert [i.text for i in issues] == ["50场"]


def _report() -> Report:
    opening = Section("opening", "", "开头", paragraphs=[Paragraph("2023年上半年，团县委扎实推进各项工作。")])
    s1 = Section("s1", "主要做法与成效", "成效", subsections=[
        Section("s1.1", "强化思想引领", "成效", level=2, bullet_ids=["B1", "B3"], paragraphs=[
            Paragraph("五四期间开展主题团日活动30余场，覆盖4560名团员青年。"),
            Paragraph("“青年大学习”参学率达到90%以上，组织观看《长津湖》。"),
        ]),
        Section("s1.2", "加强组织建设", "成效", level=2, bullet_ids=["B2"], paragraphs=[
            Paragraph("持续加强团员发展和教育管理工作。"),
        ]),
    ])
    return Report("工作总结", "共青团某县委", "2023年上半年", "工作总结", opening, [s1])


def test_report_ledger_counts_report_period_and_extra_allowed_as_given():
    report = _report()
    report.opening.paragraphs.append(Paragraph("共青团某县委第十五次代表大会召开，选举委员25名。"))
    ledger = report_ledger(report, BRIEF, allowed=["选举委员25名"])
    assert ("25名", GIVEN) in ledger.sections["opening"]
    assert all(i.text != "25名" for i in ledger.unsupported)


def test_report_ledger():
    ledger = report_ledger(_report(), BRIEF)
    assert ledger.sections["opening"] == [("2023年", GIVEN)]
    assert ledger.sections["s1.1"] == [("30余场", "B1"), ("4560名", "B1"), ("“青年大学习”", "B3"),
                                       ("90%以上", "B3"), ("《长津湖》", None)]
    assert ledger.sections["s1.2"] == [] and ledger.sections["s1"] == []
    assert [(i.kind, i.text, i.section_key) for i in ledger.unsupported] == [
        (IssueKind.UNSUPPORTED, "《长津湖》", "s1.1")]
    assert ledger.unused == ["B2", "B4"]
    assert [i.bullet_id for i in ledger.issues() if i.kind == IssueKind.UNUSED] == ["B2", "B4"]


def test_partly_used_bullet_names_the_missing_number():
    from zongjie.facts import issues_for_section
    from zongjie.model import Bullet

    b = Bullet("B2", "“六一”期间开展主题宣传教育系列活动20余场，覆盖11560名少先队员")
    issues = issues_for_section("s1.4", "开展主题宣传教育活动，覆盖11560名少先队员。", [b], [b])
    assert [(i.kind, i.bullet_id) for i in issues] == [("未采用", "B2")]
    assert issues[0].text.endswith("（未写入：20余场）")
    assert issues_for_section("s1.4", "开展活动20余场，覆盖11560名少先队员。", [b], [b]) == []


def test_quoted_headline_with_other_punctuation_is_not_invented():
    from zongjie.facts import check_facts

    result = check_facts("围绕“夯实组织建设、增强基层组织活力”这一思路开展工作。", [],
                        allowed=["夯实组织建设，增强基层组织活力"])
    assert result.unsupported == []
    assert check_facts("围绕“增强基层组织活力行动”开展工作。", [],
                       allowed=["夯实组织建设，增强基层组织活力"]).unsupported


def test_unreported_work_names_kinds_of_work_and_partners_no_source_mentions():
    from zongjie.facts import unreported_work

    text = "通过定期开展主题党日、团课等教育活动，加强与学校、社区等单位的合作，开展丰富多彩的主题团日活动。"
    assert unreported_work(text, ["开展主题团日活动30余场"]) == ["主题党日", "团课", "学校", "社区"]
    assert unreported_work(text, ["联合社区和学校开展主题党日和团课", "主题团日活动5场"]) == []
    assert unreported_work("扎实推进各项工作，服务青年成长。", []) == [], "plain 公文 wording is not a claim"


def test_unreported_work_takes_the_bullets_own_work_named_more_fully():
    from zongjie.facts import unreported_work

    # Bench case 12: 结对独居老人62户 became "与独居老人建立结对帮扶关系，共结对62户", counted as invented work.
    text = "与独居老人建立结对帮扶关系，共结对62户，并开展专题讲座。"
    assert unreported_work(text, ["志愿服务队结对独居老人62户"]) == ["专题讲座"]
    assert unreported_work(text, ["结对独居老人62户", "举办讲座3场"]) == []
    assert unreported_work("开展结对帮扶。", ["开展帮扶3次"]) == ["结对帮扶"], "帮扶 alone does not back 结对"
    said = unreported_work("会议强调，团县委要认真履行职责。", ["县委常委会专题听取团县委工作汇报1次"])
    assert said == ["会议强调"], "what a meeting said is not in a bullet that only says it met (bench case 03)"
    met = "县委常委会专题听取团县委工作汇报1次，对团县委的工作进行了评估，指出了存在的问题和不足，并提出了改进意见。"
    assert unreported_work(met, ["县委常委会专题听取团县委工作汇报1次"]) == ["指出了", "提出了改进意见"]
    met = "会议对团县委的工作进行了全面总结和点评，对团组织的未来发展方向提出了明确要求。"
    assert unreported_work(met, ["县委常委会专题听取团县委工作汇报1次"]) == \
        ["进行了全面总结", "点评", "提出了明确要求"], "case 03"


# ---- number forms cadres type (issue 14's case set) ---------------------------------------------------
@pytest.mark.parametrize("text,value,unit,approx", [
    ("1万1千余名", 11000, "名", "余"),
    ("3万5千人次", 35000, "人次", ""),
    ("1万1千5百名", 11500, "名", ""),
    ("1亿2千万元", 120000000, "元", ""),
    ("破百万", 1000000, "", "余"),
    ("破千", 1000, "", "余"),
    ("破万人次", 10000, "人次", "余"),
    ("超百万", 1000000, "", "余"),
    ("30%以内", 30, "%", "内"),
    ("35周岁以下", 35, "周岁", "内"),
    ("不超过5个", 5, "个", "内"),
    ("112对", 112, "对", ""),
    ("3届", 3, "届", ""),
    ("两千名", 2000, "名", ""),
    ("一百零五名", 105, "名", ""),
    ("三分之一", 1 / 3, "分之", ""),
    ("百分之九十五", 95, "%", ""),
    ("近七成", 70, "%", "近"),
    ("7.1万", 71000, "", ""),
    ("逾32场", 32, "场", "余"),
    ("两千余人次", 2000, "人次", "余"),
])
def test_cadre_number_forms(text, value, unit, approx):
    fact = only(text)
    assert fact.kind == "number" and fact.raw == text
    assert fact.value == pytest.approx(value)
    assert (fact.unit, fact.approx) == (unit, approx)


def test_compound_number_in_a_sentence_is_one_fact():
    assert numbers("带动1万1千余名青少年参与，阅读量破百万") == [
        ("1万1千余名", 11000, "名", "余"), ("破百万", 1000000, "", "余")]


def test_cadre_forms_that_are_names_or_words_stay_so():
    assert extract_facts("五四青年节") == []
    assert extract_facts("打破常规，突破瓶颈") == []
    assert all(f.unit != "对" for f in extract_facts("开展1对1帮扶，对接2对3"))
    assert numbers("对接12家企业") == [("12家", 12, "家", "")]
    assert numbers("二〇二三年") == [] and extract_facts("二〇二三年")[0].kind == "date"


def test_a_cap_cannot_become_an_exact_figure():
    given = only("流失率控制在30%以内")
    assert not supports(given, only("流失率为30%"))
    assert supports(given, only("流失率控制在30%以内"))
    # while a 余 the user gave may still be dropped (30余场 backs 30场), as before
    assert supports(only("30余场"), only("30场"))


def test_partners_and_green_work_nobody_reported():
    """A user's try on the page (2026-12-02): 活动通过政府和社会力量的联合支持 after a 希望工程 bullet, and in 打算
    组织志愿者参与河道清洁、植树造林等环保行动 and 加强与政府相关部门的合作 after a 护河 bullet."""
    from zongjie.facts import unreported_work

    aid = ["“希望工程”助学活动资助困难学生37名，发放助学金11.1万元"]
    assert unreported_work("活动通过政府和社会力量的联合支持，为孩子提供了学习的机会。", aid) == ["社会力量"]
    river = ["开展“清河护河”志愿服务活动25次，参与志愿者近600人次"]
    assert unreported_work("组织志愿者参与植树造林等环保行动，加强与政府相关部门的合作。", river) == \
        ["植树造林", "政府相关部门"]
    assert unreported_work("开展植树活动3场。", ["开展植树活动3场"]) == []
    media = ["团区委新媒体矩阵粉丝突破5万，上半年发布作品260条"]
    assert unreported_work("积极与媒体合作，提高传播效果；不断优化用户界面，提升用户体验。", media) == \
        ["与媒体合作", "用户界面", "用户体验"], "a user's try (CLI): 新媒体 backs no media partner"
