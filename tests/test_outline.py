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
