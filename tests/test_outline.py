from zongjie.brief import make_brief
from zongjie.model import numbered_heading
from zongjie.outline import MAX_SUBSECTIONS, build_outline, load_themes, next_subsection_key
from zongjie.vocab import ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS


def brief(text, genre="工作总结", period="2023年上半年"):
    return make_brief(text, "共青团某某区委员会", period, genre)


def test_every_bullet_assigned_exactly_once(bullets_text):
    b = brief(bullets_text)
    report = build_outline(b)
    assigned = [i for s in report.all_sections() for i in s.bullet_ids]
    assert sorted(assigned, key=lambda x: int(x[1:])) == [x.id for x in b.bullets]


def test_structure_and_roles(bullets_text):
    report = build_outline(brief(bullets_text))
    assert [s.heading for s in report.sections] == ["主要做法和成效", "存在的问题", "下一步工作打算"]
    assert [s.role for s in report.sections] == [ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS]
    results = report.sections[0]
    assert 2 <= len(results.subsections) <= MAX_SUBSECTIONS
    assert all(sub.level == 2 and sub.role == ROLE_RESULTS for sub in results.subsections)
    assert report.sections[1].bullet_ids == ["B7"] and report.sections[2].bullet_ids == ["B8"]
    # themes: 青年大学习 → 思想引领; 公众号 → 宣传; 团员/团支部 → 组织; 志愿 → 志愿服务
    by_bullet = {i: sub.heading for sub in results.subsections for i in sub.bullet_ids}
    assert by_bullet["B1"].startswith("强化思想引领"), "主题团日 is 思想引领, not the generic 基层团组织"
    assert by_bullet["B4"].startswith("强化思想引领")
    assert by_bullet["B3"].startswith("加强舆论引导")
    assert by_bullet["B5"].startswith("夯实组织建设")
    assert by_bullet["B6"].startswith("深化志愿服务")
    assert numbered_heading(results.subsections[1], 2).startswith("（二）")
    assert report.drafting_units()[0].key == "opening"


def test_headlines_are_parallel():
    themes, fallback = load_themes()
    shapes = {tuple(len(part) for part in t.headline.split("，")) for t in (*themes, fallback)}
    assert shapes == {(6, 8)}


def test_title_and_genre_headings():
    b = brief("开展活动30场", genre="上半年工作总结及下半年工作计划", period="2023年上半年")
    report = build_outline(b)
    assert report.title == "共青团某某区委员会2023年上半年工作总结及下半年工作计划"
    assert report.sections[2].heading == "下半年工作计划"


def test_many_themes_fold_into_at_most_five():
    text = "\n".join(["开展理论学习3次", "公众号推文5篇", "发展团员6名", "志愿服务7场", "就业见习岗位8个",
                      "少先队员入队9名", "防汛突击队10支", "意识形态专题研判2次", "其他工作1项"])
    report = build_outline(brief(text))
    subs = report.sections[0].subsections
    assert len(subs) == MAX_SUBSECTIONS
    assert sum(len(s.bullet_ids) for s in subs) == 9


def test_subsection_keys_never_reused(bullets_text):
    report = build_outline(brief(bullets_text))
    parent = report.sections[0]
    n = len(parent.subsections)
    parent.subsections.pop(0)
    assert next_subsection_key(parent) == f"s1.{n + 1}"


def test_a_bullet_no_keyword_names_joins_the_theme_it_resembles_not_a_catch_all():
    report = build_outline(brief("“青年大学习”每期参学率92%\n镇团委理论学习中心组集中学习4次\n"
                                 "中心组集中学习后撰写心得体会30篇"))
    headings = [s.heading for s in report.sections[0].subsections]
    assert headings == ["强化思想引领，筑牢青年理想信念"], headings


def test_bullets_that_resemble_nothing_keep_the_generic_catch_all():
    report = build_outline(brief("“青年大学习”每期参学率92%\n完成年度目标任务"))
    _themes, fallback = load_themes()
    assert report.sections[0].subsections[-1].heading == fallback.headline


def test_a_group_that_fits_no_other_theme_merges_under_a_headline_of_both():
    # Seven themes for at most six subsections: the smallest group (防汛, 服务中心大局) resembles no other
    # theme, so it merges with the next smallest under one clause of each headline, not 统筹各项工作.
    text = "\n".join(["召开意识形态工作专题会议2次", "“青年大学习”每期参学率92%", "公众号推文64篇",
                      "发展新团员28名", "注册志愿者860名", "举办招聘会2场", "青年突击队5支参与防汛",
                      "召开意识形态研判会3次", "主题团日活动18场", "微信群排查31个", "团支部换届12个",
                      "志愿服务时长1200小时", "就业见习岗位40个"])
    b = brief(text)
    subsections = build_outline(b).sections[0].subsections
    assert len(subsections) == MAX_SUBSECTIONS
    _themes, fallback = load_themes()
    assert all(s.heading != fallback.headline for s in subsections)
    merged = next(s for s in subsections if any("防汛" in b.bullet(i).text for i in s.bullet_ids))
    assert merged.heading == "压实工作责任，彰显青春担当作为"
    assert [len(p) for p in merged.heading.split("，")] == [6, 8]


def test_the_longer_keyword_decides_the_theme():
    """Held-out cases 23 and 21 (2026-12-02): 建成“青年之家”阵地4个 went to 加强舆论引导 on 阵地, and 举办青年技能
    比武3场 to 聚焦青年需求 on 技能, a tie the earlier theme won."""
    from zongjie.model import Bullet
    from zongjie.outline import theme_of

    themes, fallback = load_themes()
    assert theme_of(Bullet("B1", "建成“青年之家”阵地4个"), themes, fallback).id == "service"
    assert theme_of(Bullet("B2", "举办青年技能比武3场，参赛青年职工240人"), themes, fallback).id == "innovation"
    assert theme_of(Bullet("B3", "加强团属新媒体阵地管理"), themes, fallback).id == "publicity"


def test_a_sizheng_lecture_is_thought_guidance_not_innovation():
    """Held-out case 22 (2026-12-02): 举办“思政第二课堂”讲座11场 went to 激发创新活力 on 第二课堂 (4 characters
    against 讲座's 2), under a headline about 建功立业."""
    from zongjie.model import Bullet
    from zongjie.outline import theme_of

    themes, fallback = load_themes()
    assert theme_of(Bullet("B1", "举办“思政第二课堂”讲座11场，听众约三分之一为新生"), themes, fallback).id == "ideology"
    assert theme_of(Bullet("B2", "推行“第二课堂成绩单”，开展科技创新竞赛5项"), themes, fallback).id == "innovation"


def test_a_keyword_inside_a_longer_one_counts_once():
    """Bench case 16 (2026-12-02): 召开团干部意识形态工作专题培训会2次 went to 夯实组织建设 on 团干部 + 团干 (5)
    against 意识形态 (4)."""
    from zongjie.model import Bullet
    from zongjie.outline import theme_of

    themes, fallback = load_themes()
    assert theme_of(Bullet("B1", "召开团干部意识形态工作专题培训会2次"), themes, fallback).id == "duty"
    assert theme_of(Bullet("B2", "举办团干部培训班2期，培训团干部80人次"), themes, fallback).id == "organization"
    # A user's try (2026-12-02): a hospital's 临床技能竞赛 went to 聚焦青年需求 on 技能.
    assert theme_of(Bullet("B3", "举办青年医师临床技能竞赛1次，参赛青年医师96人"), themes, fallback).id == "innovation"


def test_a_bullet_honouring_members_is_organization_not_the_catch_all():
    """A user's try (2026-12-02): 评选“优秀共青团员”52名 named no keyword (the table had 优秀团员) and sat alone
    under the catch-all 统筹各项工作."""
    from zongjie.model import Bullet
    from zongjie.outline import theme_of

    themes, fallback = load_themes()
    assert theme_of(Bullet("B1", "评选“优秀共青团员”52名"), themes, fallback).id == "organization"
    assert theme_of(Bullet("B2", "评选优秀团干部9名"), themes, fallback).id == "organization"
