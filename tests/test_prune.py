"""zongjie.prune: generic sentences repeated across a document go, the user's facts never do; a figure
no bullet backs goes with its clause."""
from zongjie.prune import drop_clauses_with, drop_repeated, windows


def test_a_generic_sentence_repeated_later_in_the_document_is_dropped_once():
    filler = "这项工作有效提升了团组织的凝聚力和战斗力。"
    texts = ["开展活动30场。" + filler, "发展团员35名。" + filler, "换届12个。工作稳步推进，取得新进展。"]
    out, dropped = drop_repeated(texts)
    assert out[0].endswith(filler) and filler not in out[1] and dropped == [filler]
    assert out[2] == texts[2]


def test_a_sentence_with_the_users_fact_stays_even_when_it_repeats():
    texts = ["开展主题团日活动30场，覆盖团员青年。", "开展主题团日活动30场，覆盖团员青年。"]
    out, dropped = drop_repeated(texts, keep=lambda s: "30场" in s)
    assert out == texts and not dropped


def test_earlier_text_that_is_not_pruned_still_counts():
    seen = set(windows("这项工作有效提升了团组织的凝聚力和战斗力。"))
    (out,), _ = drop_repeated(["开展活动。这项工作有效提升了团组织的凝聚力和战斗力。"], seen=seen)
    assert out == "开展活动。"


def test_line_breaks_survive():
    (out,), _ = drop_repeated(["一是甲乙丙丁戊己庚辛壬癸。\n二是子丑寅卯辰巳午未申酉。"])
    assert out.count("\n") == 1


def test_a_clause_with_an_unsupported_figure_goes_and_the_sentence_still_ends():
    text = "团组织坚持服务青年，开展主题团日活动50场，覆盖团员青年。青年党员占比45%。"
    out, removed = drop_clauses_with(text, ["50场", "45%"])
    assert out == "团组织坚持服务青年。覆盖团员青年。" or out == "团组织坚持服务青年，覆盖团员青年。"
    assert "50场" not in out and "45%" not in out and len(removed) == 2


def test_nothing_to_cut_leaves_text_alone():
    assert drop_clauses_with("开展活动30场。", []) == ("开展活动30场。", [])


def test_a_section_is_never_pruned_to_nothing():
    tail = "坚持统筹谋划、扎实推进，取得了积极成效。"
    out, dropped = drop_repeated(["围绕甲，" + tail, "围绕乙，" + tail])
    assert out[1] == "围绕乙，坚持统筹谋划、扎实推进，取得了积极成效。" and not dropped


def test_a_draft_over_its_target_loses_generic_sentences_from_the_longest_section_first():
    from zongjie.brief import make_brief
    from zongjie.model import Paragraph
    from zongjie.outline import build_outline
    from zongjie.prune import fit_length, han_length

    brief = make_brief("开展主题团日活动30场\n发展团员35名", "共青团某某区委员会", "2024年上半年", "工作总结")
    report = build_outline(brief)
    units = report.drafting_units()
    generic = [f"这项工作第{n}次提升了青年的参与热情。" for n in "一二三四五六七八"]
    long_text = "开展主题团日活动30场。" + "".join(generic)
    units[1].paragraphs = [Paragraph(text=long_text)]
    units[2].paragraphs = [Paragraph(text="发展团员35名。组织建设不断加强。")]
    before = han_length(report)
    cut = fit_length(report, brief, {u.key for u in units}, target=before - 60)
    assert han_length(report) <= round((before - 60) * 1.1) and cut
    assert units[1].text.startswith("开展主题团日活动30场。") and "35名" in units[2].text
    assert "组织建设不断加强" in units[2].text, "the longest section gives first"


def test_an_items_second_sentence_that_restates_its_bullet_loses_the_restatement():
    from zongjie.prune import drop_restatements

    bullet = "联合镇妇联、派出所开展“护苗”网络安全进校园活动4场"
    item = (f"{bullet}。此次活动提升了学生的安全素养。"
            "通过联合镇妇联、派出所开展“护苗”网络安全进校园活动，提高青少年对网络信息安全的认识和防范能力。")
    out = drop_restatements(item, [bullet], "通过这项工作，", keep_first=True)
    assert out == f"{bullet}。此次活动提升了学生的安全素养。通过这项工作，提高青少年对网络信息安全的认识和防范能力。"


def test_a_closing_made_only_of_restated_bullets_goes_entirely():
    from zongjie.prune import drop_restatements

    bullets = ["镇团委理论学习中心组集中学习4次，专题学习全国两会精神", "组织“青年大学习”每期参学率91%"]
    closing = "通过集中学习和参与“青年大学习”，镇团委理论学习中心组集中学习，组织“青年大学习”每期参学率不断上升。"
    assert drop_restatements(closing, bullets, "通过上述工作，") == ""
    fresh = "通过一系列精准服务，青年求职渠道进一步拓宽。"
    assert drop_restatements(fresh, bullets, "通过上述工作，") == fresh


def test_a_frame_left_without_what_it_framed_goes_too():
    """Bench case 01 on the embedded model: a closing lost its restating last clause and ended on its frame,
    "通过加强组织建设，全镇团支部在村级、镇直单位和非公企业的有效覆盖下。"."""
    from zongjie.prune import drop_restatements

    bullets = ["全镇团支部23个，其中村级17个、镇直单位4个、非公企业2个"]
    closing = "通过加强组织建设，全镇团支部在村级、镇直单位和非公企业的有效覆盖下，其中村级17个、镇直单位4个。"
    assert drop_restatements(closing, bullets, "通过上述工作，") == ""
    kept = "在党委的坚强领导下，基层组织活力不断增强。"
    assert drop_restatements(kept, bullets, "通过上述工作，") == kept, "a frame with its clause stays"


def test_a_restating_clause_that_carries_a_missing_fact_stays():
    from zongjie.prune import drop_restatements

    bullet = "举办青年电商直播培训班2期，培训青年农民86人"
    item = "举办青年电商直播培训班2期。举办青年电商直播培训班，培训青年农民86人，带动增收。"
    out = drop_restatements(item, [bullet], "通过这项工作，", keep_first=True, carries=lambda c: "86人" in c)
    assert "86人" in out


def test_a_generic_clause_said_again_later_goes_and_its_sentence_still_ends():
    first = "举办青年电商直播培训班2期，为乡村振兴注入了新的活力。"
    later = "招募返乡大学生开展志愿服务9场，此次活动提升了青年的实践能力，也为乡村振兴注入了新的活力。"
    (a, b), dropped = drop_repeated([first, later])
    assert a == first
    assert b == "招募返乡大学生开展志愿服务9场，此次活动提升了青年的实践能力。"


def test_a_closing_naming_a_bullets_activity_again_gets_a_connector():
    from zongjie.prune import drop_restatements

    closing = "通过组织“青年大学习”，提升青年理论水平和思政素养。"
    out = drop_restatements(closing, ["组织“青年大学习”每期参学率92%"], "通过上述工作，")
    assert out == "通过上述工作，提升青年理论水平和思政素养。"


def test_a_quoted_name_holding_a_comma_goes_with_every_clause_it_spans():
    text = "清明节期间，组织青少年开展“缅怀先烈，传承精神”主题祭扫活动，参与青少年120余人。"
    out, removed = drop_clauses_with(text, ["“缅怀先烈，传承精神”"])
    assert "缅怀先烈" not in out and "传承精神" not in out
    assert out == "清明节期间，参与青少年120余人。" and len(removed) == 2


def test_a_direction_saying_a_results_item_again_loses_that_clause():
    """Bench case 02 on the embedded model: a 打算 direction said "清明节期间，组织青少年前往烈士陵园进行祭扫" of
    the results item above it again. It carries a results bullet's wording, which kept it as the user's;
    in 打算 only plan and problem bullets make a sentence the user's."""
    from zongjie.brief import make_brief
    from zongjie.model import Paragraph
    from zongjie.outline import build_outline
    from zongjie.prune import prune_report

    bullets = "清明节期间组织青少年前往烈士陵园进行祭扫，参与120余人\n计划：每季度开展1次团属新媒体账号检查"
    brief = make_brief(bullets, "共青团某某镇委员会", "2024年上半年", "工作总结")
    report = build_outline(brief)
    results = next(u for u in report.drafting_units() if u.role == "成效")
    plans = next(u for u in report.drafting_units() if u.role == "计划")
    results.paragraphs = [Paragraph(text="清明节期间，组织青少年前往烈士陵园进行祭扫，参与120余人。")]
    plans.paragraphs = [Paragraph(text="一是每季度开展1次团属新媒体账号检查。二是持续加强思想引领，清明节期间，"
                                       "组织青少年前往烈士陵园进行祭扫，传承红色精神，激发青年的爱国热情。")]
    prune_report(report, brief, {u.key for u in report.drafting_units()})
    assert "前往烈士陵园进行祭扫" not in plans.text and "传承红色精神" in plans.text
    assert plans.text.startswith("一是每季度开展1次团属新媒体账号检查。"), "the plan bullet stays"
    assert results.text == "清明节期间，组织青少年前往烈士陵园进行祭扫，参与120余人。"
