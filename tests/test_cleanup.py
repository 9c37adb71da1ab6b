"""Post-processing of model text (zongjie.cleanup): wrappers, repeats, unfinished tails, numbering,
lead-outs, headline echoes and sentences no bullet backs."""
from zongjie import prompts
from zongjie.cleanup import (
    Cleaned,
    clean_model_text,
    clean_output,
    drop_unbacked,
    join_items,
    lead_out_verb,
    normalize_prose,
    strip_headline,
    unnumber_items,
    with_lead_out,
)
from zongjie.writers.compact import example_sentences

EXAMPLES = example_sentences()


def test_clean_output_strips_wrappers():
    raw = ("好的，以下是本节正文：\n```\n## 强化思想引领\n（一）强化思想引领，筑牢青年理想信念\n"
           "**一是**开展活动30余场。\n\n二是覆盖4560名团员。\n```")
    assert clean_output(raw) == "一是开展活动30余场。\n二是覆盖4560名团员。"


def test_clean_output_drops_loops_and_unfinished_tail():
    raw = ("一是加强组织建设，提升凝聚力。二是强化理论学习，提高本领。\n"
           "二是强化理论学习，提高本领。三是完善激励机制，激发活力。"
           "\n三是完善激励机制，激发活力。四是开展")
    assert clean_output(raw) == ("一是加强组织建设，提升凝聚力。二是强化理论学习，提高本领。\n"
                                 "三是完善激励机制，激发活力。")


def test_numbered_list_becomes_one_paragraph():
    raw = "1. 加强组织建设\n2. 强化理论学习；\n3. 开展青年干部培训班2期"
    assert clean_output(raw) == "一是加强组织建设。二是强化理论学习。三是开展青年干部培训班2期。"


def test_echoed_prompt_labels_are_removed():
    assert clean_output("【本节事实】：举办招聘会2场。\n工作要点：坚持服务青年。") == "举办招聘会2场。\n坚持服务青年。"


def test_any_short_bracket_label_is_removed():
    assert clean_output("开展活动15场。\n【工作成效和意义】：提高了服务意识。") == "开展活动15场。\n提高了服务意识。"
    assert clean_output("第一句：开展活动15场。\n第二句：提高了服务意识。") == "开展活动15场。\n提高了服务意识。"
    assert clean_output("**第一句**：开展活动15场。\n　第二句：提高了服务意识。") == "开展活动15场。\n提高了服务意识。"


def test_first_person_is_dropped():
    assert clean_output("上半年，我们坚持围绕中心工作，增强了我们的凝聚力。") == \
        "上半年，坚持围绕中心工作，增强了凝聚力。"


def test_opening_gets_its_lead_out_and_near_copies_are_dropped():
    assert with_lead_out("今年以来，各项工作扎实推进。", "汇报") == "今年以来，各项工作扎实推进。现将有关情况汇报如下："
    assert with_lead_out("……现将有关情况总结如下。", "总结") == "……现将有关情况总结如下："
    assert with_lead_out("……现将有关情况总结如下：", "汇报") == "……现将有关情况汇报如下：", \
        "the worked example's 总结 is corrected for a 情况汇报"
    assert with_lead_out("……现将有关情况总结如下：", "总结") == "……现将有关情况总结如下："
    raw = ("上半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。"
           "半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。")
    assert clean_output(raw) == "上半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。"


def test_sentences_lifted_from_the_worked_examples_are_dropped_unless_they_carry_the_bullet():
    example = dict(prompts.turns("compact_examples"))
    bullet_answer = next(reply for user, reply in example.items() if user.startswith("【扩写】"))
    copied = bullet_answer.split("。")[-2] + "。"  # its 成效 sentence, about 就业
    own = "半年来走访困境儿童7次，为困境儿童送去关爱。"
    assert drop_unbacked(own + copied, ["半年来走访困境儿童7次"], examples=EXAMPLES) == own
    adapted = bullet_answer.split("。")[2].replace("青年", "困难儿童") + "。"  # its 着力点 sentence, adapted
    assert drop_unbacked(own + adapted, ["半年来走访困境儿童7次"], examples=EXAMPLES) == own, \
        "a lightly adapted copy too"
    problem_answer = next(reply for user, reply in example.items() if user.startswith("【问题】"))
    own_problem = problem_answer.split("。")[0] + "。"  # the example's problem, as the user may have it too
    assert drop_unbacked(problem_answer, ["志愿服务项目化、品牌化程度不高"], examples=EXAMPLES) == own_problem, \
        "the user's own problem may happen to be the example's; what the example adds to it is dropped"
    assert drop_unbacked(problem_answer, ["理论学习形式单一"], examples=EXAMPLES) == ""
    assert drop_unbacked("甲甲。乙乙！丙丙？丁丁。戊戊", [], examples=EXAMPLES, limit=4) == "甲甲。乙乙！丙丙？丁丁。"
    late_fact = "坚持服务。注重实效。强化协同。提升质量。半年来走访困境儿童7次。"
    assert drop_unbacked(late_fact, ["半年来走访困境儿童7次"], examples=EXAMPLES, limit=4) == late_fact, \
        "the bullet's own sentence stays wherever the model put it"
    invented = "同时，加强与学校、社区等单位的合作，定期开展专题讲座。"
    assert drop_unbacked(own + invented, ["半年来走访困境儿童7次"], examples=EXAMPLES) == own
    assert drop_unbacked(own + invented, ["半年来走访困境儿童7次"], examples=EXAMPLES, work=False) == \
        own + invented, "plans may propose"
    reported = "联合社区开展专题讲座5场。"
    assert drop_unbacked(reported + "活动中注重与社区联动。", ["联合社区开展专题讲座5场"], examples=EXAMPLES) == \
        reported + "活动中注重与社区联动。", "work the bullet names may be mentioned again"
    paraphrased = "依托学校阵地，半年来共走访7次。"
    assert drop_unbacked(paraphrased, ["半年来走访困境儿童7次"], examples=EXAMPLES) == "半年来共走访7次。", \
        "it carries the bullet's number, so it stays, without the clause naming work (学校) nobody reported"
    assert drop_unbacked(paraphrased, ["半年来走访困境儿童7次"], examples=EXAMPLES, work=False) == paraphrased


def test_ceremony_details_and_reactions_nobody_reported_go():
    """Bench cases 01 and 02 on the embedded model: how a 祭扫 went and how its 120 participants felt, in
    a bullet that said neither."""
    bullet = "清明节期间组织青少年祭扫烈士陵园，参与120余人"
    own = "清明节期间，组织青少年前往烈士陵园进行祭扫活动，参与120余人。"
    details = "活动中，团干部与青年志愿者一起清理墓碑、敬献鲜花，共同缅怀先烈，激发了青年的爱国情怀。"
    felt = "参与活动的120余人纷纷表示，这次活动让他们更加深刻地理解了革命精神。"
    text = drop_unbacked(own + details + felt, [bullet], examples=EXAMPLES)
    assert text.startswith(own) and "墓碑" not in text and "鲜花" not in text and "纷纷表示" not in text
    assert "激发了青年的爱国情怀" in text, "what the details framed stays"
    assert "120余人" in text
    ways = "活动通过重温入党誓词、观看红色电影、参观爱国主义教育基地等方式，引导青年深刻认识党的历史。"
    assert drop_unbacked(ways, ["五四期间开展主题团日活动18场"], examples=EXAMPLES) == ""
    assert drop_unbacked(ways, ["组织团员重温入党誓词、观看红色电影、参观爱国主义教育基地"], examples=EXAMPLES) == ways


def test_items_are_unnumbered_and_numbered_once():
    assert unnumber_items("一是甲；二是乙。") == ["甲", "乙。"]
    assert join_items(["开展活动30场", "二是覆盖4560名团员；"]) == "一是开展活动30场。二是覆盖4560名团员。"
    assert join_items(["开展活动30场"]) == "开展活动30场。" and join_items([]) == ""


def test_echoed_headline_is_dropped_only_when_enough_remains():
    assert strip_headline("强化思想引领：组织开展活动30余场，成效明显。", "强化思想引领，筑牢青年理想信念") == \
        "组织开展活动30余场，成效明显。"
    assert strip_headline("强化思想引领：好。", "强化思想引领，筑牢青年理想信念") == "强化思想引领：好。"


def test_lead_out_verb_follows_the_genre():
    assert lead_out_verb("意识形态工作情况汇报") == "汇报" and lead_out_verb("工作总结") == "总结"


# ---- prompt scaffolding (issue 15 item 2) and 公文 punctuation in code (issue 14) ---------------------------
def test_echoed_prompt_input_is_dropped_and_reported():
    raw = ("本节标题：统筹各项工作，推动团建提质增效\n工作要点：开展主题团日活动30余场。\n"
           "组织开展主题团日活动30余场，覆盖团员600名。")
    cleaned = clean_model_text(raw)
    assert cleaned.text == "开展主题团日活动30余场。\n组织开展主题团日活动30余场，覆盖团员600名。"
    assert cleaned.scaffolding == ("本节标题：统筹各项工作，推动团建提质增效", "工作要点：")


def test_labels_after_a_sentence_end_and_tags_anywhere_are_scaffolding():
    cleaned = clean_model_text("开展活动15场。本节标题：强化思想引领。【扩写】要点：发展团员35名。")
    assert cleaned.text == "开展活动15场。发展团员35名。"
    assert cleaned.scaffolding == ("本节标题：强化思想引领。", "【扩写】", "要点：")
    assert clean_model_text("取得明显成效：一是开展活动15场。").text == "取得明显成效：一是开展活动15场。", \
        "a colon inside prose is no label"


def test_clauses_quoting_the_prompt_rules_are_dropped_and_the_sentence_kept():
    cleaned = clean_model_text("团组织在上级党委和团组织的领导下，以事实中的原文为准，致力于服务青年成长。")
    assert cleaned.text == "团组织在上级党委和团组织的领导下，致力于服务青年成长。"
    assert cleaned.scaffolding == ("以事实中的原文为准",)
    # The repair turn's own problem line, echoed on the embedded model (bench case 16).
    cleaned = clean_model_text("为确保意识形态工作的正确方向，上一稿漏写了“每半年开展1次意识形态工作专题研判”的事实。"
                               "因此。定期研判形势。")
    # The purpose clause left on its own goes too (text.PURPOSE_ONLY).
    assert cleaned.text == "定期研判形势。", cleaned.text
    assert "漏写" not in cleaned.text and "上一稿" in cleaned.scaffolding[0]
    cleaned = clean_model_text("开展活动15场，围绕本节工作。坚持不能照抄照搬。")
    assert cleaned.text == "开展活动15场。坚持不能照抄照搬。"
    assert cleaned.scaffolding == ("围绕本节工作。",)
    assert clean_output("开展活动15场。") == "开展活动15场。" and clean_model_text("开展活动15场。").scaffolding == ()
    # A direction of bench case 01 on the embedded model copied its prompt's label and data.
    cleaned = clean_model_text("本期工作：全镇团支部：村级、镇直单位；持续夯实组织建设。")
    assert cleaned.text == "持续夯实组织建设。", cleaned.text


def test_half_width_punctuation_and_spaces_in_chinese_prose_are_fixed_in_code():
    raw = "团支部20个:村级团支部16个,镇直团支部1个. 下半年(7月)开展\"青春自护\"活动; 覆盖 1.2万 人次!"
    assert clean_output(raw) == ("团支部20个：村级团支部16个，镇直团支部1个。"
                                 "下半年（7月）开展“青春自护”活动；覆盖1.2万人次！")


def test_numbers_times_and_latin_words_keep_their_punctuation():
    raw = "阅读量8.6万人次，参学率92%，2023.5起实施，共13,000人，8:30开始，使用Office 软件和H5页面。"
    assert clean_output(raw) == raw
    assert normalize_prose("截至2023.5.1，完成3.5万名") == "截至2023.5.1，完成3.5万名"
    assert normalize_prose("每组3-5人，防范COVID-19疫情") == "每组3-5人，防范COVID-19疫情"


def test_an_ascii_hyphen_between_chinese_words_is_the_chinese_dash():
    """Issue 14: "团干-青年关系" came from the model once; GB/T 15834 joins words with 一字线."""
    assert normalize_prose("构建团干-青年关系，形成党-团-队一体化") == "构建团干—青年关系，形成党—团—队一体化"


def test_broken_joins_are_mended():
    assert normalize_prose("一是是共青团工作的核心任务。二是一是加强学习。") == \
        "一是共青团工作的核心任务。二是加强学习。"
    assert normalize_prose("统一是前提。一是是否落实到位。") == "统一是前提。一是是否落实到位。"
    assert join_items(["是共青团工作的核心任务", "加强学习"]) == "一是共青团工作的核心任务。二是加强学习。"
    assert strip_headline("青年大学习是共青团工作的核心任务，参学率92%。", "青年大学习") == \
        "青年大学习是共青团工作的核心任务，参学率92%。", "a headline that is the subject stays"
    assert join_items(["开展活动30场。 二是覆盖4560名团员"]) == "开展活动30场。二是覆盖4560名团员。"


def test_cleanup_never_changes_a_bullets_words():
    """Issue 14: a typo in a bullet (掯实) once came back as the ungrammatical 切实; nothing here maps words."""
    assert clean_output("掯实工作责任，学习党的XX大精神。") == "掯实工作责任，学习党的XX大精神。"


def test_scaffolding_has_an_issue_kind_for_the_section_flags():
    from zongjie.model import FactIssue, IssueKind

    dropped = clean_model_text("【扩写】开展活动15场。").scaffolding
    issues = [FactIssue(IssueKind.SCAFFOLD, d, "s1.1") for d in dropped]
    assert [(i.kind, i.text) for i in issues] == [("提示词残留", "【扩写】")]


def test_prose_that_merely_names_a_work_plan_stays():
    text = "认真落实团市委年度工作要点中的各项任务，按照上级修改要求完善方案。"
    assert clean_model_text(text) == Cleaned(text, ())


def test_a_lead_that_only_restates_its_headline_is_an_echo():
    from zongjie.cleanup import heading_echo

    assert heading_echo("紧扣中心大局，彰显青春担当作为。", "服务中心大局，彰显青春担当作为")
    assert not heading_echo("立足青少年成长的需要，加强队建工作的组织和管理，为少年儿童提供安全、健康的成长环境。",
                            "推动队建工作，护航少年儿童成长")


def test_the_repair_prompts_wording_echoed_into_a_plan_is_dropped():
    # Real-model run, case 06: "一是2024年培养青年网评员50名。没有来源的内容删去。"
    cleaned = clean_model_text("2024年培养青年网评员50名。没有来源的内容删去。")
    assert cleaned.text == "2024年培养青年网评员50名。" and cleaned.scaffolding


def test_items_past_ten_are_numbered_in_chinese_and_unnumbered_again():
    from zongjie.cleanup import join_items, unnumber_items
    from zongjie.text import cn_index

    assert [cn_index(n) for n in (1, 10, 11, 19, 20, 23)] == ["一", "十", "十一", "十九", "二十", "二十三"]
    items = [f"第{n}项工作。" for n in range(1, 13)]
    joined = join_items(items)
    assert "十一是第11项工作。十二是第12项工作。" in joined and "11是" not in joined
    assert [i.rstrip("。") for i in unnumber_items(joined)] == [i.rstrip("。") for i in items]


def test_a_generic_sentence_loses_only_its_clauses_naming_unreported_work():
    """A lead of the embedded model named 主题党日活动 and 读书分享会 on most tries; dropping the sentence
    whole left subsection (二) of bench cases 06 and 07 without a lead."""
    from zongjie.cleanup import drop_unbacked

    lead = "聚焦青年理想信念的教育和培养，通过组织主题党日活动、开展读书分享会等方式，激发青年对党的热爱和信仰。"
    assert drop_unbacked(lead, []) == "聚焦青年理想信念的教育和培养，激发青年对党的热爱和信仰。"
    assert drop_unbacked(lead, [], context=["组织主题党日活动6场，开展读书分享会"]) == lead, "the bullets' own work"
    # Its first clause gone, what is left leans on it: the sentence goes.
    assert drop_unbacked("开展读书分享会，激发青年热情。组织主题党日活动，提升青年素质，增强凝聚力。", []) == ""
    assert drop_unbacked("通过举办讲座，提升。", []) == "", "too little left"


def test_a_clause_lifted_from_a_worked_example_goes():
    """Bench case 05 on the embedded model: a 招聘会 item took the worked example's clause whole."""
    from zongjie.cleanup import drop_unbacked

    example = ["活动把岗位送到青年身边，为求职青年和用人单位搭建了面对面的对接平台。"]
    text = "联合区人社局举办青年专场招聘会3场。活动吸引了大量青年参与，为求职青年和用人单位搭建了面对面的对接平台。"
    out = drop_unbacked(text, ["联合区人社局举办青年专场招聘会3场"], examples=example)
    assert out == "联合区人社局举办青年专场招聘会3场。活动吸引了大量青年参与。", out
    short = "青年参与热情高。"  # short clauses are everyone's words
    assert drop_unbacked(short, [], examples=["青年参与热情高，效果好。"]) == short


def test_a_clause_sharing_ten_characters_with_a_worked_example_goes():
    """Bench case 08: a 组织建设 closing ended "团组织在青年中的号召力和影响力显著增强", the example's clause with one
    word changed (明显 → 显著): a 22-character copy with the clause before it."""
    from zongjie.cleanup import drop_unbacked

    example = ["通过一系列精准服务，青年求职渠道进一步拓宽，团组织在青年中的号召力和影响力明显增强。"]
    text = "增强团组织的凝聚力和吸引力，团组织在青年中的号召力和影响力显著增强。"
    assert drop_unbacked(text, ["全校团员1万1千余名"], examples=example) == "增强团组织的凝聚力和吸引力。"
    eight = "团组织在青年中的威望得到提升。"  # 8 characters shared: everyone's words
    assert drop_unbacked(eight, [], examples=example) == eight


def test_a_clause_with_an_english_word_no_bullet_has_goes():
    from zongjie.cleanup import without_foreign_words

    text = "召开专题会议2次。提升团干部的意识形态 awareness和管理能力，确保责任落实。"
    assert without_foreign_words(text, "召开专题会议2次") == "召开专题会议2次。确保责任落实。"
    own = "排查QQ群31个，规范APP管理。"
    assert without_foreign_words(own, "排查村级团属微信群、QQ群31个；规范app管理") == own


def test_a_service_nobody_reported_goes_with_its_sentence():
    """Held-out cases 21 and 23 (2026-12-02): "许多青年在求职过程中得到了专业指导和职业规划建议" after a 招聘会
    bullet, and in 打算 "提供心理辅导、法律咨询等服务，帮助他们解决实际问题". A bullet that names the service
    backs it."""
    fair = "组织青年人才招聘会2场，提供岗位900余个，达成意向210人"
    item = f"{fair}。许多青年在求职过程中得到了专业指导和职业规划建议。活动拓宽了青年的求职渠道。"
    assert drop_unbacked(item, [fair]) == f"{fair}。活动拓宽了青年的求职渠道。"
    direction = "深化志愿服务。提供心理辅导、法律咨询等服务，帮助他们解决实际问题。"
    assert drop_unbacked(direction, []) == "深化志愿服务。"
    given = "开展青年心理健康讲座6场，提供心理咨询120人次"
    assert drop_unbacked(f"{given}。心理咨询帮助青年缓解了压力。", [given]) == f"{given}。心理咨询帮助青年缓解了压力。"
