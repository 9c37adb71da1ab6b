"""Proofreading: each check fires on real seed text (../shared/seeds, copied here verbatim) and stays
quiet on clean text. Seed snippets keep their half-width punctuation on purpose."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from zongjie.model import Paragraph, Report, Section
from zongjie.proofread import (
    CHECKS,
    NEAR_DUP_JACCARD,
    TIFA_PATH,
    Check,
    ProofIssue,
    apply_fix,
    check_report,
    content_bigrams,
    find_repeats,
    headline_problems,
    headline_shape,
    item_spans,
    period_date,
    proofread_text,
    propose_parallel_headlines,
    tifa_rules,
)
from zongjie.text import jaccard
from zongjie.vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

# A paragraph of our own in house style: nothing in it may be flagged, whatever the check.
CLEAN = ("2023年上半年，团区委坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神和"
         "团十九大精神，组织开展“青年大学习”主题团日活动12场，覆盖团员青年1500余人次。依托“青年之家”阵地，"
         "开展就业见习、心理健康等服务项目8个，累计服务青年3000余人次，微信公众号发布推文166期。")

# seed 000 (共青团委意识形态工作总结范文, 2021), one paragraph of its plans.
SEED000_PLAN = ("抓好意识形态阵地建设工作。加大中国传统文化成就正面宣传,既体现组织意图,又反映青年意愿。坚持发挥理论教育"
                "阵地作用,继续将意识形态工作同“青年学习社”、“诵读学传”、“身边的好青年”等活动有机结合,科学制定活动方案,"
                "严格落实责任,凝聚担当氛围,真正把习近平新时代中国特色社会思想和党的十九大精神、团的十八大精神学习好、贯彻好。")
SEED000_OPENING = ("今年以来,xx团县委在县委和团市委的坚强领导下,按照市委宣传部的要求和年初的工作安排,围绕深入学习贯彻"
                   "习近平新时代中国特色社会主义思想开展了系列主题学习活动,严格落实意识形态工作责任制,牢牢把握意识形态工作"
                   "主动权,坚持将意识形态工作与业务工作同部署、同落实,切实提高了广大团干部及团员的思想政治素质和道德水平,"
                   "收到了良好的效果。")
# The same paragraph as retrieval's ingest cleaned it into corpus/000.txt.
CORPUS000_OPENING = SEED000_OPENING.replace(",", "，")
SEED000_RESULTS = ("聚势线下引领,扩大学习影响。全面推进“青年大学习”行动,广泛开展“青春心向党·建功新时代”、“诵读学传”主题"
                   "教育实践活动,引导广大青少年坚定“四个自信”,筑牢“四个意识”。")
SEED000_PLANS = ("继续推进“青年大学习”行动,广泛开展“青春心向党·建功新时代”、“诵读学传”主题教育实践活动,引导广大青少年"
                 "坚定“四个自信”,筑牢“四个意识”。按照县委县政府、团市委相关文件精神,扎实开展理论研究。")
# seed 001 (2023年上半年意识形态工作情况汇报).
SEED001 = ("依托党员冬训工作,带领团干部、优秀团员青年一同参与,为信仰升华、信念坚定提供坚实保障。以学习宣传贯彻党的20D"
           "精神为契机,充分利用“百姓名嘴”讲坛、“青春*”志愿服务宣讲队、宏才社区青年之家红色文化传习所、道德讲堂等阵地"
           "组织开展专题活动宣传学习***新时代中国特色社会主义思想和重要论述,以理论武装推进意识形态工作常抓常新。")
SEED001_DOUBLED = "壮大基层青年力量力量,在疫情期间组建“青年烽火”抗疫志愿服务队,确保基层青年有组织、有力量;"
SEED001_PROBLEMS = ("一是意识形态工作主动性仍有欠缺,团员学习的自觉性与主动性不够,系统性不强,理论与实践相结合的运用上"
                    "有待提高;\n"
                    "二是阵地作用未能完全发挥,群众使用率和满意率有待进一步提升;\n三是宣传力度仍显薄弱,意识形态主流阵地还需不断巩固。")
SEED001_PLANS = ("镇团委将按照“服务青年、服务社会、服务大局”的总体思路,从四方面做好意识形态工作。一是坚持政治引领,形"
                 "成意识形态"
                 "工作领导力。把意识形态学习作为巩固思想基础的重要抓手,按照学习计划,创新学习形式,力求全覆盖、氛围浓、效果好,"
                 "进一步推动全镇青年树立正确的政治观、价值观。二是聚焦阵地提档,扩大意识形态工作影响力。进一步青年之家、红色镇村"
                 "等阵地建设,以丰富的载体提高意识形态的传播力和感染力。三是突出示范效应,增强意识形态工作品牌力。深化“孝老爱亲”"
                 "特色镇主题,壮大“长青年烽火”志愿服务队,扩大宣传媒介,打造一支可看、可用的青年队伍。")
# seed 002, report 9 (2021意识形态工作情况总结十篇9): problems 1 and 2 get no measure in its plans.
SEED002_9_PROBLEMS = ("我局宣传工作虽然取得了必须的成绩,但同时也存在一些问题:一是互联网、手机微信等新兴媒体的应用和引"
                      "导管理需要进一步"
                      "探索;二是新形势下提高引导舆-论的本领需要进一步增强;三是满足干部职工文化需求的工作有待加强;四是对外宣传工作"
                      "还需进一步加强。")
SEED002_9_PLANS = ("下一步,我们主要抓好三个方面的工作:一是加强看齐意识和职责意识,牢牢把握好正确的政治方向,向党中央看"
                   "齐,向书记看齐,"
                   "向党的理论路线方针政策看齐,向党中央各项决策部署看齐,并把意识形态工作纳入到党组工作报告、纪律检查、干部考核,"
                   "以及平安建设考核当中去。二是强化担当意识和战斗意识,加强正面宣传,加强精神礼貌建设,做好中国传统文化的挖掘和成就"
                   "的展示宣传,真正把社会主义核心价值观建设落地落实。三是加强短板意识和创新意识,以及先进单位的宣传思想文化和意识"
                   "形态工作中的标杆作为参照物,补齐短板,做好创新工作。")
SEED002_6 = ("经过加强马克思主义基本理论、中国特色社会主义理论、主席系列重要讲话和党的路线、方针、政策教育,进取组织分"
             "层次、"
             "多形式、不定期的专业培训,切实增强宣传队伍成员们的敏锐洞察力和操作功底,着力提高新形势下开展意识形态工作的本事和水平。")
SEED002_3 = ("圆满完成了全国“两会”、“_大”期间WW工作任务。开通了北京路街道--社区微信公众平台。组织开展“三?八”妇女节女"
             "子百人健步走。")
# seed 003 (团委新媒体工作情况, 2021).
SEED003 = ("努力深入学习领会习金平新时代中国特色社会主义思想。一年来,共青团坚持以习近平金平新时代中国特色社会主义思想"
           "为指导,"
           "认真学习贯彻党的十九大和历次全会精神。")
# seed 004 (区团委2023年上半年工作总结及下半年工作计划).
SEED004 = ("一是常态化学习***新时代中国特色社会主义思想和党的十九大精神,全年常态化开展“学习***讲话•做合格共青团员”教"
           "育实践、"
           "“青年大学习”行动等,牢牢把握好思想引领工作。")
SEED004_XX = "(二)服务大局,推动青年创新创优,积极投身“魅力XX”建设。一是践行绿色发展理念,服务“魅力XX”建设。"

THEMES = [t["headline"] for t in json.loads(
    (TIFA_PATH.parent / "themes.json").read_text(encoding="utf-8"))["themes"]]


def by_check(issues: list[ProofIssue], check: str) -> list[ProofIssue]:
    return [i for i in issues if i.check == check]


def spans(issues: list[ProofIssue], check: str) -> list[str]:
    return [i.span_text for i in by_check(issues, check)]


# ---- period ---------------------------------------------------------------------------------
@pytest.mark.parametrize("period, end", [
    ("2023年上半年", date(2023, 6, 30)),
    ("2023年下半年", date(2023, 12, 31)),
    ("2023年", date(2023, 12, 31)),
    ("2023年度", date(2023, 12, 31)),
    ("2023年1-6月", date(2023, 6, 30)),
    ("2023年1月至6月", date(2023, 6, 30)),
    ("2024年1—2月", date(2024, 2, 29)),
    ("2023年第三季度", date(2023, 9, 30)),
    ("2023年前三季度", date(2023, 9, 30)),
    ("2023年7月", date(2023, 7, 31)),
    ("2023年十一月", date(2023, 11, 30)),
    ("二〇二三年上半年", date(2023, 6, 30)),
    ("2022—2023年", date(2023, 12, 31)),
    ("2022-2023学年", date(2023, 8, 31)),
])
def test_period_date(period, end):
    assert period_date(period) == end


@pytest.mark.parametrize("period", ["", "今年上半年", "上半年"])
def test_period_date_without_year(period):
    assert period_date(period) is None


# ---- 提法 -----------------------------------------------------------------------------------
def test_tifa_table_is_well_formed():
    raw = json.loads(TIFA_PATH.read_text(encoding="utf-8"))["rules"]
    assert len(raw) == len(tifa_rules()) >= 15
    for r in raw:
        assert r["kind"] in ("replace", "past", "future")
        assert date.fromisoformat(r["since"]) and r["note"] and r["old"]
        re.compile(r.get("pattern") or re.escape(r["old"]))
        if r["kind"] == "replace":
            assert r["new"]
    # The table describes itself: each rule's example wording is caught by its own pattern.
    for rule in tifa_rules():
        if rule.old.isascii() or "X" in rule.old:
            continue
        assert rule.regex.search(rule.old), rule.old


def test_nineteenth_congress_by_period():
    text = "深入学习贯彻党的十九大精神"
    issues = proofread_text(text, period="2023年上半年")
    assert [(i.check, i.span_text, i.fix, i.rule_since) for i in issues] == [
        (Check.TIFA, "十九大精神", "二十大精神", "2022-10-22")]
    assert apply_fix(text, issues[0]) == "深入学习贯彻党的二十大精神"
    assert proofread_text(text, period="2021年") == []
    assert proofread_text(text, period="2022年9月") == []
    assert spans(proofread_text(text, period="2022年"), Check.TIFA) == ["十九大精神"]


def test_historical_reference_is_not_an_outdated_tifa():
    text = "党的十九大以来，团区委坚持围绕中心、服务大局。团十八大以来，团的组织建设不断加强。"
    assert proofread_text(text, period="2024年") == []


def test_league_congress_by_date_on_both_sides():
    # 团十九大 opened 2023-06-19: a period ending after that should say 团十九大.
    text = "真正把党的十九大精神、团的十八大精神学习好、贯彻好。"
    for period in ("2023年上半年", "2023年下半年", "2024年"):
        issue = next(i for i in proofread_text(text, period=period) if i.span_text == "团的十八大精神")
        assert issue.fix == "团的十九大精神" and issue.rule_since == "2023-06-19"
    for period in ("2023年1-5月", "2023年第一季度", "2022年"):
        assert "团的十八大精神" not in spans(proofread_text(text, period=period), Check.TIFA)
    # 团十九大精神 is itself never mistaken for 党的十九大精神
    assert proofread_text("学习贯彻团十九大精神", period="2024年") == []


def test_seed000_tifa_and_typo_fire_for_a_current_period():
    issues = proofread_text(SEED000_PLAN, period="2024年上半年")
    assert spans(issues, Check.TIFA) == ["十九大精神", "团的十八大精神"]
    assert spans(issues, Check.TYPO) == ["中国特色社会思想"]
    # seed 000 dates itself 2021: then only the typo and the half-width commas are wrong.
    issues_2021 = proofread_text(SEED000_PLAN, period="2021年")
    assert by_check(issues_2021, Check.TIFA) == []
    assert spans(issues_2021, Check.TYPO) == ["中国特色社会思想"]


def test_future_tifa_flags_a_wrong_period():
    text = "深入学习贯彻党的二十大精神"
    issues = proofread_text(text, period="2021年")
    assert [(i.check, i.fix, i.rule_since) for i in issues] == [(Check.TIFA, None, "2022-10-16")]
    assert proofread_text(text, period="2023年") == []
    assert spans(proofread_text("开展党纪学习教育", period="2023年"), Check.TIFA) == ["党纪学习教育"]
    assert proofread_text("开展党纪学习教育", period="2024年") == []
    assert spans(proofread_text("开展党纪学习教育", period="2025年上半年"), Check.TIFA) == ["党纪学习教育"]


@pytest.mark.parametrize("text, flagged_in, quiet_in", [
    ("结合党史学习教育，开展主题团日", "2023年", "2021年"),
    ("以庆祝建国70周年为主线", "2021年", "2019年"),
    ("以建党一百周年为契机", "2022年", "2021年"),
    ("立足“十四五”开局", "2026年上半年", "2025年"),
    ("将意识形态工作与“不忘初心,牢记使命”主题教育有效结合", "2021年", "2019年"),
    ("结合“两学一做”学习教育", "2021年", "2018年"),
    ("扎实开展学习贯彻习近平新时代中国特色社会主义思想主题教育", "2025年", "2023年下半年"),
])
def test_past_campaigns_warn_without_rewriting(text, flagged_in, quiet_in):
    flagged = by_check(proofread_text(text, period=flagged_in), Check.TIFA)
    assert len(flagged) == 1 and flagged[0].fix is None and flagged[0].rule_since
    assert by_check(proofread_text(text, period=quiet_in), Check.TIFA) == []


def test_current_wording_stays_quiet():
    for text in ("推动党史学习教育常态化长效化", "深入实施“青年大学习”行动",
                 "围绕建国70年来特别是党的十八大以来的巨大成就"):
        assert proofread_text(text, period="2024年") == [], text


# ---- typos ----------------------------------------------------------------------------------
def test_seed_typos_with_safe_fixes():
    issues = proofread_text(SEED003, period="2021年")
    typos = by_check(issues, Check.TYPO)
    assert [(i.span_text, i.fix) for i in typos] == [("习金平", "习近平"), ("习近平金平", "习近平")]
    fixed = SEED003
    for issue in sorted(typos, key=lambda i: -i.start):
        fixed = apply_fix(fixed, issue)
    assert "金平" not in fixed and fixed.count("习近平新时代中国特色社会主义思想") == 2


def test_20d_is_the_twentieth_congress():
    typo = by_check(proofread_text(SEED001, period="2023年上半年"), Check.TYPO)
    assert [(i.span_text, i.fix) for i in typo] == [("20D", "二十大")]
    assert "党的二十大精神为契机" in apply_fix(SEED001, typo[0])


def test_doubled_word():
    typo = by_check(proofread_text(SEED001_DOUBLED, period="2023年上半年"), Check.TYPO)
    assert [(i.span_text, i.fix) for i in typo] == [("力量力量", "力量")]
    assert proofread_text("一步一步推进，一个一个落实。", period="2023年") == []


def test_paraphrased_words_are_flagged_but_not_auto_fixed():
    issues = proofread_text(SEED002_6, period="2021年")
    by_span = {i.span_text: i for i in by_check(issues, Check.TYPO)}
    assert by_span["进取"].fix == "积极"
    assert by_span["本事"].fix is None and "能力" in by_span["本事"].message


# ---- placeholders ---------------------------------------------------------------------------
def test_seed_masks_are_placeholders():
    issues = proofread_text(SEED001, period="2023年上半年")
    ph = by_check(issues, Check.PLACEHOLDER)
    assert [(i.span_text, i.fix) for i in ph] == [("*", None), ("***", "习近平")]
    assert spans(proofread_text(SEED004, period="2023年上半年"), Check.PLACEHOLDER) == ["***", "***"]
    assert spans(proofread_text(SEED004_XX, period="2023年上半年"), Check.PLACEHOLDER) == ["XX", "XX"]
    assert spans(proofread_text(SEED000_OPENING, period="2021年"), Check.PLACEHOLDER) == ["xx"]
    assert spans(proofread_text(SEED002_3, period="2021年"), Check.PLACEHOLDER) == ["_", "WW", "--"]


@pytest.mark.parametrize("text, span", [
    ("三、20××年意识形态工作计划", "××"),
    ("做好x年重要会议、重点工程的宣传报道", "x"),
    ("开展主题团日活动X场", "X"),
    ("【单位名称】团委2023年上半年工作总结", "【单位名称】"),
    ("此处填写主要成效", "此处填写"),
    ("共青团某某区委员会", "某某"),
    ("在群众中正确宣传/政策", "/"),
    ("集中学习了......等内容", "......"),
    ("围绕主席系列重要讲话开展学习", "主席"),
])
def test_placeholder_kinds(text, span):
    assert spans(proofread_text(text, period="2023年"), Check.PLACEHOLDER) == [span]


def test_latin_that_is_not_a_mask():
    text = "依托QQ群、H5页面和“e党建”APP开展学习，创建AAAA级景区，组织3×4方阵，CCTV报道1次。"
    assert proofread_text(text, period="2023年") == []


# ---- punctuation ----------------------------------------------------------------------------
def test_half_width_punctuation_fixes_reproduce_the_cleaned_corpus():
    text = SEED000_OPENING
    issues = by_check(proofread_text(text, period="2021年"), Check.PUNCT)
    assert len(issues) == SEED000_OPENING.count(",") and all(i.fix == "，" for i in issues)
    for issue in sorted(issues, key=lambda i: -i.start):
        text = apply_fix(text, issue)
    assert text == CORPUS000_OPENING
    assert by_check(proofread_text(CORPUS000_OPENING, period="2021年"), Check.PUNCT) == []


def test_half_width_brackets_quotes_and_doubles():
    issues = proofread_text('推动镇(区、街道)团委书记到村报到;开展"青年大学习"。。', period="2023年")
    assert [(i.span_text, i.fix) for i in issues] == [
        ("(区、街道)", "（区、街道）"), (";", "；"), ('"青年大学习"', "“青年大学习”"), ("。。", "。")]


def test_numbers_and_mojibake():
    assert proofread_text("累计阅读13,000次，8:30集合", period="2023年") == []
    garbled = by_check(proofread_text(SEED002_3, period="2021年"), Check.PUNCT)
    assert [(i.span_text, i.fix) for i in garbled] == [("?", None)]


def test_mixed_list_separators():
    # seed 000's "深入校园、企业、社区、乡村等" with one 、 typed as a comma
    issues = proofread_text("深入校园、企业，社区、乡村等青年集聚地", period="2023年")
    assert [(i.check, i.span_text, i.fix) for i in issues] == [(Check.PUNCT, "，", "、")]
    # a clause boundary between two lists is not a mixed list (corpus 003, corpus 000)
    assert proofread_text("不断保持和增强政治性、先进性、群众性，增强组织、领导、服务能力", period="2023年") == []
    assert proofread_text("坚持把规矩立起来、严起来、紧起来，做到有错必纠、有责必问", period="2023年") == []


def test_clean_text_is_quiet():
    for period in ("2023年上半年", "2023年下半年", "2024年"):
        assert proofread_text(CLEAN, period=period) == [], period


def test_every_issue_points_at_its_span():
    for text in (SEED000_PLAN, SEED001, SEED002_6, SEED003, SEED004):
        for issue in proofread_text(text, period="2024年", section_key="s1"):
            assert issue.check in CHECKS and issue.section_key == "s1" and issue.message
            assert text[issue.start:issue.end] == issue.span_text


# ---- apply_fix ------------------------------------------------------------------------------
def test_apply_fix_uses_offsets_then_falls_back():
    issue = ProofIssue(Check.TYPO, "s1", "错别字", "习金平", 2, 5, "习近平")
    assert apply_fix("学习习金平思想", issue) == "学习习近平思想"
    # the text moved: first occurrence
    assert apply_fix("深入学习习金平思想", issue) == "深入学习习近平思想"
    # the span is gone, or the issue has no safe fix: unchanged
    assert apply_fix("学习习近平思想", issue) == "学习习近平思想"
    no_fix = ProofIssue(Check.TYPO, "s1", "存疑", "本事", 0, 2, None)
    assert apply_fix("本事和水平", no_fix) == "本事和水平"


# ---- repetition -----------------------------------------------------------------------------
def test_near_duplicate_across_sections_from_seed000():
    issues = find_repeats([("s1", SEED000_RESULTS), ("s3.1", SEED000_PLANS)], {"s1": "意识形态工作推进情况"})
    assert len(issues) == 1
    issue = issues[0]
    assert issue.section_key == "s3.1" and issue.check == Check.REPEAT and issue.fix is None
    assert issue.span_text.startswith("继续推进“青年大学习”行动") and "意识形态工作推进情况" in issue.message
    assert SEED000_PLANS[issue.start:issue.end] == issue.span_text


def test_exact_duplicate_is_deleted_by_its_fix():
    text = "团区委组织开展主题团日活动12场。覆盖团员青年1500余人次。团区委组织开展主题团日活动12场。"
    (issue,) = find_repeats([("s1", text)])
    assert issue.fix == "" and "本节前文" in issue.message
    assert apply_fix(text, issue) == "团区委组织开展主题团日活动12场。覆盖团员青年1500余人次。"


def test_near_duplicate_threshold_on_both_sides():
    a = "全面推进青年大学习行动广泛开展主题教育实践活动"
    near = "继续推进青年大学习行动广泛开展主题教育实践活动"
    far = "全面推进青年大学习行动认真组织各级团干部参加集中培训"
    assert jaccard(a, near) >= NEAR_DUP_JACCARD > jaccard(a, far)
    assert len(find_repeats([("s1", a + "。"), ("s2", near + "。")])) == 1
    assert find_repeats([("s1", a + "。"), ("s2", far + "。")]) == []


def test_short_set_phrases_and_distinct_sentences_are_not_repeats():
    assert find_repeats([("s1", "取得良好效果。"), ("s2", "取得良好效果。")]) == []
    assert find_repeats([("s1", SEED000_RESULTS), ("s2", SEED001)]) == []


# ---- headlines ------------------------------------------------------------------------------
def test_headline_shape():
    assert headline_shape("强化组织领导，落实意识形态“主心骨”") == ((6, 9), True, "主X")
    assert headline_shape("（一）强化思想引领，筑牢青年理想信念。") == ((6, 8), True, "")
    assert headline_shape("“青年大学习”行动") == ((7,), False, "")
    assert headline_shape("进一步落实意识形态工作责任制") == ((14,), True, "")


@pytest.mark.parametrize("headlines", [
    THEMES,
    # corpus 001 (主X pattern), 000 plans, 002-03 top level, 002-03 subsections, 002-05
    ["强化组织领导，落实意识形态“主心骨”", "突出思想武装，用好理论学习“主战场”", "注重舆论引导，唱响意识形态“主旋律”",
     "加强基础建设，打响弘扬新风“主动战”"],
    ["提高看齐意识，着力加强理论学习", "提高担当意识，着力强化宣传引导", "提高短板意识，着力健全长效机制"],
    ["提高认识，加强领导，坚定意识形态“主心骨”", "强化学习，坚定信念，打好意识形态“主动战”",
     "加强监管，管控舆论，筑牢意识形态“主阵地”", "把握导向，创新载体，唱响意识形态“主旋律”"],
    ["以“崇德之区”建设为契机，全面加强意识形态领域工作", "以“尚学之区”建设为契机，全面提升党员干部职工整体素质",
     "以“平安之区”建设为契机，全面提升社会综合治理水平"],
    ["统一思想，形成工作共识", "明确职责，健全工作机制", "抓住关键，增强工作实效", "夯实基础，引领正确导向"],
])
def test_parallel_sets_pass(headlines):
    assert headline_problems(headlines) == {}
    assert propose_parallel_headlines(headlines) == headlines


# corpus 004, 下半年工作计划: topic labels of every length and shape.
MIXED_004 = ["从严治团", "“青年大学习”行动", "推进改革攻坚", "“网上共青团”建设", "青年就业创业行动方面",
             "青年志愿者行动方面", "青少年维权方面"]


def test_mixed_sets_are_flagged():
    bad = headline_problems(MIXED_004)
    assert {0, 2, 4, 5} <= set(bad)
    assert "推进改革攻坚" in [MIXED_004[i] for i in bad] and "动词" in bad[2]
    # corpus 002-10: one headline two characters longer than its siblings
    assert list(headline_problems(["严把责任落实关", "严把思想政治认识关", "严把选人用人关"])) == [1]
    # a 主X tail among plain ones
    assert list(headline_problems(["强化思想引领，筑牢青年理想信念", "加强舆论引导，唱响青春奋进强音",
                                   "注重组织建设，打响基层阵地“主动战”"])) == [2]


def test_proposed_headlines_are_parallel_and_keep_their_nouns():
    proposal = propose_parallel_headlines(MIXED_004)
    assert proposal == propose_parallel_headlines(MIXED_004)  # deterministic
    assert headline_problems(proposal) == {}
    assert len(set(proposal)) == len(proposal)
    for original, noun in zip(MIXED_004, ["从严治团", "青年大学习", "改革攻坚", "网上共青团", "就业创业", "志愿",
                                          "维权"], strict=False):
        assert noun in proposal[MIXED_004.index(original)], (original, proposal)
    fitted = [p for p in proposal if "“" not in p]
    assert all(headline_shape(p)[0] == (6, 8) for p in fitted), fitted


def test_proposal_for_corpus_002_04_plans():
    heads = ["进一步落实意识形态工作责任制", "坚持不懈抓好理论学习", "切实提高舆论引导水平",
             "继续拓宽对外宣传渠道，不断提高敖泉知名度", "加强宣传队伍建设"]
    proposal = propose_parallel_headlines(heads)
    assert all(headline_shape(p)[0] == (6, 8) for p in proposal), proposal
    for noun, p in zip(["意识形态", "理论学习", "舆论引导", "宣传渠道", "宣传队伍"], proposal, strict=False):
        assert noun in p


# ---- problems ↔ plans -----------------------------------------------------------------------
def test_item_spans():
    items = [body for _, _, body in item_spans(SEED002_9_PROBLEMS)]
    assert [b[:2] for b in items] == ["一是", "二是", "三是", "四是"]  # the lead-in ending in ":" is dropped
    for start, end, body in item_spans(SEED001_PROBLEMS):
        assert SEED001_PROBLEMS[start:end] == body
    assert len(item_spans("（一）加强理论学习，提高思想认识。（二）加强宣传引导，唱响主旋律。")) == 2
    assert len(item_spans("1.加强理论学习，提高思想认识\n2.加强宣传引导，唱响青春主旋律")) == 2


def test_content_bigrams_drop_stop_words():
    grams = content_bigrams("四是对外宣传工作还需进一步加强。")
    assert grams == {"外宣", "宣传"}


def report_with(problems: str, plans: str, *, results: str = CLEAN, period: str = "2023年上半年") -> Report:
    return Report(
        title="团区委2023年上半年工作总结", unit="团区委", period=period, genre="工作总结",
        opening=Section("opening", "开头", ROLE_OPENING, 0,
                        paragraphs=[Paragraph("2023年上半年，团区委各项工作稳步推进。")]),
        sections=[
            Section("s1", "主要做法和成效", ROLE_RESULTS, 1, subsections=[
                Section("s1.1", "强化思想引领，筑牢青年理想信念", ROLE_RESULTS, 2, paragraphs=[Paragraph(results)]),
                Section("s1.2", "加强舆论引导，唱响青春奋进强音", ROLE_RESULTS, 2,
                        paragraphs=[Paragraph("运营“青春XX”微信公众号，累计发布推文166期，阅读量4万余次。")]),
            ]),
            Section("s2", "存在的问题", ROLE_PROBLEMS, 1, paragraphs=[Paragraph(problems)]),
            Section("s3", "下一步工作打算", ROLE_PLANS, 1, paragraphs=[Paragraph(plans)]),
        ])


def test_problems_without_measures_from_seed002_9():
    result = check_report(report_with(SEED002_9_PROBLEMS, SEED002_9_PLANS, period="2021年"))
    plan_issues = by_check(result["s2"], Check.PLAN)
    assert [i.span_text[:2] for i in plan_issues] == ["一是", "二是"]
    assert "新兴媒体" in plan_issues[0].message and plan_issues[0].fix is None
    assert all(SEED002_9_PROBLEMS[i.start:i.end] == i.span_text for i in plan_issues)


def test_problems_with_measures_from_seed001_are_quiet():
    result = check_report(report_with(SEED001_PROBLEMS, SEED001_PLANS))
    assert by_check(result["s2"], Check.PLAN) == []


def test_own_example_problem_without_plan():
    problems = "一是理论学习的系统性不强，学习形式较为单一；二是基层团组织活力不足，部分团支部组织生活不规范。"
    plans = "一是健全理论学习制度，创新“青年大学习”形式，每月开展1次专题学习。"
    flagged = by_check(check_report(report_with(problems, plans))["s2"], Check.PLAN)
    assert [i.span_text[:2] for i in flagged] == ["二是"]
    plans += "二是加强基层团组织建设，规范团支部组织生活。"
    assert by_check(check_report(report_with(problems, plans))["s2"], Check.PLAN) == []
    # nothing to match against until the plan section is drafted
    assert by_check(check_report(report_with(problems, ""))["s2"], Check.PLAN) == []


# ---- the whole report -----------------------------------------------------------------------
def test_check_report_by_section():
    problems = "一是理论学习的系统性不强，学习形式较为单一。"
    plans = "一是健全理论学习制度，创新学习形式。深入学习贯彻党的十九大精神。"
    report = report_with(problems, plans)
    report.sections[0].subsections.append(
        Section("s1.3", "志愿服务", ROLE_RESULTS, 2, paragraphs=[Paragraph("组织志愿者开展关爱留守儿童活动5次。")]))
    report.sections[2].heading = "20××年工作计划"
    result = check_report(report)
    assert set(result) == {s.key for s in report.all_sections()}
    assert result["opening"] == [] and result["s1.1"] == []
    assert spans(result["s1.2"], Check.PLACEHOLDER) == ["XX"]
    (heading,) = by_check(result["s3"], Check.PLACEHOLDER)
    assert heading.start == heading.end == -1 and heading.message.startswith("标题")
    tifa = by_check(result["s3"], Check.TIFA)
    assert [(i.span_text, i.fix) for i in tifa] == [("十九大精神", "二十大精神")]
    fixed = apply_fix(report.sections[2].text, tifa[0])
    assert fixed.endswith("深入学习贯彻党的二十大精神。")
    (headline,) = result["s1"]
    assert headline.check == Check.HEADLINE and headline.span_text == "志愿服务" and "可参考" in headline.message


def test_check_report_repetition_across_sections():
    report = report_with("一是理论学习的系统性不强。", "一是创新理论学习形式。", results=SEED000_RESULTS,
                         period="2021年")
    report.sections[2].paragraphs.append(Paragraph(SEED000_PLANS))
    repeats = by_check(check_report(report)["s3"], Check.REPEAT)
    assert len(repeats) == 1 and "强化思想引领" in repeats[0].message


def test_clean_report_is_quiet():
    problems = "一是理论学习的系统性不强，学习形式较为单一；二是基层团组织活力不足，部分团支部组织生活不规范。"
    plans = ("一是健全理论学习制度，创新“青年大学习”形式，每月开展1次专题学习。"
             "二是加强基层团组织建设，规范团支部组织生活，全年开展团支部书记培训2期。")
    report = report_with(problems, plans)
    report.sections[0].subsections[1].paragraphs = [
        Paragraph("运营“青春武昌”微信公众号，累计发布推文166期，阅读量4万余次。")]
    assert all(v == [] for v in check_report(report).values()), check_report(report)
