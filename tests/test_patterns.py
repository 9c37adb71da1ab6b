"""Issue 14: retrieval in the small model's path — a subsection's lead gets a few short phrases from the
example passages that match it, with no fact of another unit and no copy past 9 characters."""
import re

from retrieval.index import Passage, SectionIndex, default_index
from zongjie.brief import make_brief
from zongjie.draft import Drafter
from zongjie.fake_llm import ScriptedChatModel
from zongjie.grounding import to_paragraphs
from zongjie.outline import build_outline
from zongjie.vocab import ROLE_RESULTS
from zongjie.writers.patterns import LONGEST, lead_phrases, phrases_in, pick


def test_a_phrase_is_a_whole_clause_opening_with_a_verb_and_naming_nothing():
    text = ("一是健全完善工作机制，召开专题会议12次；二是加强对政务网、微博的管理，牢牢把握话语权。"
            "组织开展“青春心向党”主题团日活动，加强团干队伍建设，落实市委部署，强化措施，"
            "开展专题讲座，深化固化了成果，提升创业技能为目标。")
    found = [phrase for _place, phrase in phrases_in(text)]
    assert "健全完善工作机制" in found, "the ordinal marker 一是 is not part of the phrase"
    assert "牢牢把握话语权" in found and "加强团干队伍建设" in found
    assert not any("政务网" in p for p in found), "a clause cut at 、 is half a phrase"
    assert not any("12" in p or "青春心向党" in p for p in found), "no figure, no quoted name"
    assert not any("市委" in p for p in found), "no organ of another unit"
    assert not any("讲座" in p for p in found), "no kind of work: the lead would claim it"
    assert "深化固化了成果" not in found and "提升创业技能为目标" not in found, "unfinished phrases"


def test_pick_keeps_what_is_on_topic_and_not_yet_said():
    passages = ["形成正确的就业观，构建清朗网络空间，搭建合作平台。", "拓宽就业渠道，提升就业服务质量。"]
    topic = "服务青年就业创业 举办招聘会3场"
    assert pick(passages, topic, said="") == ["形成正确的就业观", "拓宽就业渠道"], \
        "off-topic phrases (网络空间, 合作平台) are skipped; best passage first"
    assert pick(passages, topic, said="……着力拓宽就业渠道，……") == ["形成正确的就业观", "提升就业服务质量"], \
        "a phrase the report already says is not offered again"
    assert pick(["拓宽就业渠道，加强就业指导。"], topic, said="拓宽就业渠道") == [], \
        "nor one naming a service no bullet gave (就业指导 under a 招聘会)"
    assert "拓宽就业渠道" not in pick(passages, topic, said="", avoid=["拓宽就业渠道，助力青年成长"]), \
        "nor one the headline says: the lead would say its headline again"


def test_no_two_phrases_in_a_row_of_one_passage_and_no_body_the_bullets_lack():
    passage = ["完善学生会制度，优化学生会构成，规范学生会代表大会，完善社团管理制度。"]
    topic = "深化改革，完善学生会制度"
    # 完善学生会制度 is the headline's own; the next two clauses follow one another in the passage: joined
    # by the model they are a 14-character copy (bench case 08).
    got = pick(passage, topic, said="", avoid=[topic], sources=topic + " 学生会换届1次")
    assert got == ["优化学生会构成"], got
    assert pick(passage, topic, said="", avoid=[topic], sources=topic) == ["优化学生会构成"]
    assert pick(["加强阵地建设，擦亮学生会品牌，完善社团管理制度。"], "加强阵地建设和社团管理", said="",
                sources="团委网站改版") == ["加强阵地建设"], "学生会 and 社团 named by no bullet: claimed work"


def test_subsections_of_the_default_corpus_get_phrases_without_facts_or_long_copies():
    index = default_index()
    topics = ["压实工作责任，健全意识形态工作机制 召开专题会议4次",
              "加强网络阵地建设 公众号推送120篇 网评员队伍30人",
              "从严治团 团员发展 团费收缴 团干队伍"]
    got = [lead_phrases(index, t, ROLE_RESULTS, said="") for t in topics]
    assert all(got), got
    for phrases in got:
        for p in phrases:
            assert len(p) <= LONGEST and not re.search(r"[0-9A-Za-z“”《》]", p)
    assert lead_phrases(None, topics[0], ROLE_RESULTS, said="") == [], "no index, no phrases"


def test_the_lead_prompt_carries_retrieved_phrases_and_each_subsection_gets_its_own():
    passage = Passage("x#s1", "x", "某单位总结", "工作总结", ROLE_RESULTS, "加强思想引领", 2,
                      "突出思想武装，形成思想认同，筑牢思想根基，增强思想自觉，提高舆论引导效果，唱响青春主旋律。")
    index = SectionIndex([passage])
    brief = make_brief("开展思想引领主题团日活动30场\n组织青年大学习专题学习12次\n公众号推送宣传文章120篇\n"
                       "网评员队伍30人开展网络舆论引导", "共青团某某区委员会", "2023年上半年", "工作总结")
    seen: list[str] = []

    def respond(messages):
        prompt = messages[-1].content
        if prompt.startswith("【导语】"):
            seen.append(prompt)
            words = prompt.split("可用词语：")[1].split("、") if "可用词语：" in prompt else []
            return "坚持" + "，".join(words) + "，推动工作落实。"
        return "好。"

    def leads(report):
        seen.clear()
        drafter = Drafter(chat=ScriptedChatModel(responder=respond), compact=True, repair=False, index=index)
        for unit in [u for u in report.drafting_units() if u.role == ROLE_RESULTS]:
            drafter.draft_section(report, brief, unit.key, alone=False)
        return [p.split("可用词语：")[1] for p in seen if "可用词语：" in p]

    report = build_outline(brief)
    offered = leads(report)
    assert offered == ["突出思想武装、筑牢思想根基", "提高舆论引导效果"], offered
    first = [u for u in report.drafting_units() if u.role == ROLE_RESULTS][0]
    assert report.find(first.key).text.startswith("坚持突出思想武装，筑牢思想根基"), "the phrases reach the draft"
    # Said elsewhere in the report already (here by the opening): not offered again.
    report = build_outline(brief)
    report.opening.paragraphs = to_paragraphs("……突出思想武装，……", [])
    assert leads(report)[0] == "形成思想认同、增强思想自觉"
