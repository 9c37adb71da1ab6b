"""Sentences of the compact style's answers: what a second answer adds to the first, whether a
sentence was said already, a bullet's gist without its figures."""
from __future__ import annotations

import re

from ..facts import extract_facts, wording_overlap
from ..prune import drop_restatements, restates
from ..text import CLAUSE_RE, MEANS_ONLY, PURPOSE_ONLY, cjk_only, drop_clauses, jaccard, sentences

# A results sentence opening like this adds work to the bullet's; it stays only with the bullet's facts.
ADD_ON = re.compile(r"^\s*(?:同时|此外|另外|与此同时|并且)[，,]?")
# A sentence that is only its means, ending on what was used, whatever it names or counts (通过集中学习和参与
# “青年大学习”。); text.MEANS_ONLY spares one with a figure or a name, which may be a bullet's. "通过各种渠道
# 广泛宣传。" ends on a verb and stands.
MEANS_ALONE = re.compile(r"^\s*(?:通过|经过|借助|依托)[^，,；;。！？]*(?:活动|工作|举措|措施|方式|形式|载体|平台|"
                         r"渠道|建设|学习|培训|机制|手段|途径|努力|”)[。！？；]?\s*$")
# The "by what" opening of a closing (通过上述工作，/通过加强舆论引导，/在此基础上，): what follows it is the claim.
LEADING_MEANS = re.compile(r"^(?:(?:通过|经过)[^，。]*|在此基础上|以此为抓手)，")
# A second answer's sentence this close (3-gram Jaccard) to one already there, or sharing this many
# characters with it, says nothing new.
SAME_SENTENCE = 0.35
SAME_RUN = 8
SAME_OPENING = 4  # characters an added sentence must not open with as a clause of the item does
# ... nor these as a sentence of the item does: "确保团组织信息及时传达给广大青年。确保信息传递准确无误，……。确保推送
# 内容准确无误。" (an 打算 direction of bench case 02, topped up twice).
SAME_START = 2


def topped_up(item: str, other: str, said: list[str], limit: int) -> str:
    """`item` with the sentences of `other` (a second answer for the same bullet) that add to it: not the
    bullet again (its facts are in `item` already), nothing sharing SAME_RUN characters with `item` or
    `said` (the bullet, the items before) or close to a sentence of `item`, no second 通过…… effect
    sentence, no "同时，" add-on; up to `limit` sentences in all."""
    kept = sentences(item)
    for sentence in sentences(drop_restatements(other, said[:1], "")):
        if len(kept) >= limit:
            break
        if ADD_ON.match(sentence) or restates(sentence, said + kept, SAME_RUN):
            continue
        if LEADING_MEANS.match(sentence) and any(LEADING_MEANS.match(k) for k in kept):
            continue  # 通过定期检查和清理，确保……。通过……，确保……
        openings = {cjk_only(c)[:SAME_OPENING] for k in kept for c in CLAUSE_RE.findall(k)}
        if cjk_only(sentence)[:SAME_OPENING] in openings:
            continue  # ……，有效提升了……。有效提升了……
        if cjk_only(sentence)[:SAME_START] in {cjk_only(k)[:SAME_START] for k in kept}:
            continue
        if max((jaccard(sentence, k) for k in kept), default=0.0) < SAME_SENTENCE:
            kept.append(sentence)
    return "".join(kept)


# A sentence opening with one of these has no subject: it goes on from the sentence before ("抖音号累计播放量
# 破百万。增强团组织的影响力和吸引力。成为青年学习和分享的平台。", bench case 05) and is joined to it; so does a
# purpose left on its own ("以提升青年对医学事业的认同感。", a held-out case).
# 影响了/导致 too: "……质量参差不齐。影响了青年的阅读体验。" (a 问题 item of held-out case 22, 2026-12-02); 满足:
# "……促进青年之间的交流与了解。满足他们的学习和休息需求。" (an 打算 direction of held-out case 23).
BARE_VERB = re.compile(r"^(?:增强|提高|提升|确保|推动|促进|成为|激发|帮助|引导|营造|助力|夯实|丰富|拓宽|扩大|"
                       r"有效|切实|进一步|不断|共同|深化|加深|影响了|导致|造成了|致使|满足|以(?=提升|提高|增强|推动|促进|确保))")
# A sentence that is only a means (通过/经过/借助/依托 with no clause after it) has no main clause: "通过推送高质量的
# 团建信息和活动预告。为青年提供了丰富的信息来源。" (held-out case 22, 2026-12-02). The sentence after it is what it
# led to, and is joined on whatever it opens with.
MEANS_FRAGMENT = re.compile(r"^(?:通过|经过|借助|依托)[^，,；;：:！？]*。$")
# A means left at the end, with nothing after it to lead to: "……创新能力。通过这些创新成果。" (held-out case 21,
# 2026-12-02). Not "通过比赛激发了热情。", which says what the means did.
# Nor "……更加规范。通过严格审核和培养。" (a user's try, CLI, 2026-12-02): a short means with no verb of what it did.
TRAILING_MEANS = re.compile(r"^(?:通过|经过|借助|依托)"
                            r"(?:(?:这些|上述|以上|此类|这一|这种|这项|该)[^，,；;：:！？了]{0,12}|(?![^。]*(?:了|提升|提高|增强|激发|推动|促进|实现|确保|得到|取得|形成|达到|使|让))"
                            r"[^，,；;：:！？]{1,12})。$")
# A purpose on its own after what it was for, naming 组织 as a noun: "……组织能力。为确保新团员在团组织的领导下
# 顺利成长。" (held-out case 22, 2026-12-02), which text.PURPOSE_ONLY spares for its 组织.
LONE_PURPOSE = re.compile(r"^为了?(?:确保|保证|进一步|更好地?)[^，,。！？；\d“]{0,20}。$")
INNER_NUMBER = re.compile(r"(^|[；;，,])[一二三四五六七八九十]是(?=[\u4e00-\u9fff“])")
# An order word opening a sentence of one item ("……。最后，提升青年网络素养水平。", bench case 07) orders nothing.
ORDER_WORD = re.compile(r"^(?:首先|其次|再次|最后|第[一二三四五])[，,]")
JOINED_MOST = 100  # Chinese characters a joined sentence may reach; past that it stays two
# A sentence this short (Chinese characters) with no figure is a clause left on its own ("加强协调沟通。" after an
# item of bench case 06, left by a top-up): joined too.
FRAGMENT = 8


def bare_joined(text: str) -> str:
    """`text` with each subjectless sentence (BARE_VERB) or fragment joined to the sentence before by a comma,
    and the sentence after a means left on its own (MEANS_FRAGMENT) joined to it."""
    out: list[str] = []
    for sentence in sentences(text):
        sentence = ORDER_WORD.sub("", sentence.strip())
        # An item numbers nothing inside it: "一是团属宣传阵地落实“双审核”……。一是严格内容审核，……；二是定期进行内部
        # 审核……" (bench case 16, 2026-12-02) read as a second 一是 under the first. The text's own opening 一是 (a
        # numbered item joined to its closing, framing.subsection_text) stays.
        sentence = INNER_NUMBER.sub(lambda m: m.group(1) if out or m.group(1) else m.group(0), sentence)
        # "……的平台。是提升青年技能水平的重要举措，……" (held-out case 21, 2026-12-02): its subject was the sentence
        # before.
        sentence = re.sub(r"^是(?!否)", "这是", sentence)
        # "参与单身青年380人。也增强了青年对团组织的信任感。" (held-out case 23, 2026-12-02): the 不仅 half it went on
        # from was cut; a sentence does not open with 也.
        sentence = re.sub(r"^也(?=[增提促推让使为带激])", "", sentence)
        bare = BARE_VERB.match(sentence) or (len(cjk_only(sentence)) < FRAGMENT and not re.search(r"\d", sentence))
        if out and MEANS_FRAGMENT.match(out[-1]) and LEADING_MEANS.match(sentence):
            out.pop()  # "通过现场讲解和互动问答。经过扎实工作，……" (held-out case 23): the next has a means of its own
        bare = bare or bool(out and MEANS_FRAGMENT.match(out[-1]))
        if out and (LONE_PURPOSE.match(sentence) or (sentence.startswith("为") and PURPOSE_ONLY.match(sentence))):
            continue  # "……组织能力。为确保新团员在团组织的领导下顺利成长。" (held-out case 22, 2026-12-02)
        if out and out[-1].endswith("。") and bare and len(cjk_only(out[-1] + sentence)) <= JOINED_MOST:
            out[-1] = out[-1][:-1] + "，" + sentence
        else:
            out.append(sentence)
    if len(out) > 1 and (MEANS_ONLY.match(out[-1]) or TRAILING_MEANS.match(out[-1])):
        out.pop()  # "竞赛提升了青年的创新能力。通过这些创新成果。" ended an item (held-out case 21): nothing follows
    return "".join(out)


# A sentence of a results item opening like this claims an activity: after the bullet's own sentence it
# must be that bullet's activity. "组织青年志愿者参与乡村清洁、扶贫帮困等志愿服务活动" followed a bullet that
# only counted 团员 and 团支部 (bench case 15).
# 提供 and 一方面 since "全县团员1万1千余名，基层团组织412个。一方面，提供岗位信息，拓宽就业渠道。" (bench case 03).
ACTIVITY = re.compile(r"^(?:同时，|此外，|一方面，|另一方面，|还|并)?(?:积极|广泛|定期|先后|持续)?"
                      r"(?:组织|开展|举办|召开|邀请|联合|举行|发起|成立|建立|设立|推出|打造|策划|提供)")
ACTIVITY_WORDING = 0.3  # share of the bullet's wording (facts cut out) that makes it the bullet's activity
LEAST_LEAD = 10  # Chinese characters a lead or closing must keep to stand as one
# A results item reports what was done; a promise belongs in 三、下一步工作打算: "在接下来的行动中，将继续深化这一
# 工作，不断优化服务流程，……" ended the item of a 金点子 bullet (bench case 09).
# Not "为下一步工作奠定了基础", which says what the work did.
# Nor a result told in the future tense: "活动将深入农村地区" (a user's try), 预计/即将/拟. Not the 将 that means
# 把 (将理论学习纳入考核): only a 将 before an adverb or a verb of reaching out counts.
# "这些骨干将为团组织输送新鲜血液" (held-out case 22, 2026-12-02): 将 before 为/对/给/在 is the future too.
PROMISE = re.compile(r"接下来|(?:下一步|今后)(?:将|要|，)|将(?:继续|进一步|持续|不断|会|逐步|陆续|深入|扩大|覆盖|"
                     r"惠及|辐射|推广|延伸|全面|着力|更加|有效|为|对|给|在)|预计|即将|拟(?:于|在|开展|举办)")


# A results item's later sentence that tells someone what to do is a demand nobody reported: "县委常委会专题听取
# 团县委工作汇报1次。要深化实践育人，……；要完善组织体系，……。" (bench case 03 with a target, 2026-12-02).
DEMAND = re.compile(r"^(?:会议)?(?:要求|强调|指出)?[，,]?要(?:进一步|持续|不断|切实|着力|坚持|深化|完善|加强|强化|推动|"
                    r"提升|健全|建立|做好|抓好|把|以|在)")


def no_new_work(text: str, bullets: list[str], *, keep_first: bool = True, promises: bool = False) -> str:
    """`text` (a bullet written up, or with `keep_first` off a lead or closing over `bullets`) without the
    work nobody reported: a later sentence that promises work (PROMISE) or claims an activity no bullet
    names (under ACTIVITY_WORDING of a bullet's wording), and a clause listing things no bullet names
    (see without_listings), unless it carries a bullet's figure. With `promises` (a plan's write-up) a
    promise is what it should say."""
    facts = [f.raw for b in bullets for f in extract_facts(b)]

    def new_work(sentence: str) -> bool:
        if any(f in sentence for f in facts):
            return False
        # In an item, "通过开展丰富多彩的活动，……" under a bullet that only counted members claims work as much as
        # 开展… does. Not in a closing, whose 通过开展上述工作 sums up the section.
        claim = re.sub(r"^(?:通过|经过)", "", sentence.strip()) if keep_first else sentence.strip()
        promise = bool(PROMISE.search(sentence) or DEMAND.match(sentence.strip()))
        return (not promises and promise) or (bool(ACTIVITY.match(claim)) and max(
            (wording_overlap(b, sentence) for b in bullets), default=0.0) < ACTIVITY_WORDING)

    parts = sentences(text)
    kept = parts[:1] if keep_first else []
    # A later sentence that is only a purpose (为提升农村青年的归属感和幸福感。, bench case 01) or a means (通过定期
    # 更新和维护数据。, bench case 01, 2026-12-02) says nothing done.
    kept += [s for s in parts[len(kept):] if not new_work(s) and not PURPOSE_ONLY.match(s) and not MEANS_ONLY.match(s)]
    out = without_metric_claims(without_listings("".join(kept), bullets, facts), bullets, facts)
    # A lead cut down to its opening ("立足青年需求。", bench case 03) is debris, not a lead.
    return out if keep_first or len(cjk_only(out)) >= LEAST_LEAD else ""


# A clause listing concrete things the bullets never named: "提供生活照料、精神慰藉等服务" for a bullet that only
# counted 结对 households (case 12), "还配备了丰富的图书资料、体育设施等" for 新建“青年之家”4家 (case 05). Not
# "在专业技能、职业素养等方面" (what improved) or "存在职责不清、工作不力等问题" (a 问题's wording).
# Or ending "……和C" instead of 等: "通过定期组织活动、发放宣传资料和提供专业指导" (a held-out case). 组织 as
# a verb only: "增强了团组织的凝聚力、向心力和战斗力" lists no work.
# In a 问题 item, 存在 lists as well: "部分平台存在色情、暴力等不良信息传播" (a held-out 意识形态 case of 2026-12-02)
# is an incident nobody reported; "存在职责不清、工作不力等问题" (等问题) stays.
LISTING = re.compile(r"(?:提供|设有|配备|涵盖|包括|包含|如|开展|(?<![团党])组织|参与|通过|存在)"
                     r"[^，。；]*?([^，。；、]{2,})、[^，。；]*(?:等(?!方面|问题|领域|不足|情况)|[和及][^，。；]{2,})")


def without_listings(text: str, sources: list[str], facts: list[str]) -> str:
    """`text` without its clauses that list (A、B等) things no source names, unless they carry one of
    `facts` (the sources' figures, as no_new_work has them already); a listing whose first thing a source
    names is the user's."""
    pool = "".join(sources)

    def invented(match: re.Match[str]) -> bool:
        listing = LISTING.search(match.group(0))
        return bool(listing) and listing.group(1) not in pool and not any(f in match.group(0) for f in facts)

    return drop_clauses(text, invented)[0]


# A rate or share nobody reported, claimed as an outcome: "有效提升了青年的就业率和创业成功率" under a bullet that
# counted trainees (a held-out case of 2026-12-01). It reads as a measured result, so it is an
# invented fact even without a figure. 效率 (工作效率) is the genre's general word, not a measure.
METRIC = re.compile(r"(?<!效)率|满意度|知晓度|参与度|占比|比重")


# A reach nobody reported: "活动覆盖了全国多个地区。" for a 街道's 护苗 activities (bench case 12, 2026-12-02).
SCOPE = re.compile(r"(?:覆盖|遍及|辐射|延伸)[^，。；]*?(全国|全省|全市|全区|全县|多个地区|多个省|各地)")


def without_metric_claims(text: str, sources: list[str], facts: list[str]) -> str:
    """`text` without a clause naming a rate or share (METRIC, with the two characters before it: 就业率,
    成功率, 满意度) or a reach (SCOPE) that no source names, unless it carries one of `facts`."""
    pool = "".join(sources)

    def invented(match: re.Match[str]) -> bool:
        clause = match.group(0)
        if any(f in clause for f in facts):
            return False
        if (scope := SCOPE.search(clause)) and scope.group(1) not in pool:
            return True
        keys = (clause[max(m.start() - 2, 0):m.end()] if m.group() == "率" else m.group()
                for m in METRIC.finditer(clause))
        return any(key not in pool for key in keys)

    return drop_clauses(text, invented)[0]


# A time the plan bullet does not give: the worked example's "下半年计划开展……" came back as "下半年计划开展青少年
# 心理健康讲座" for 开展青少年心理健康讲座不少于6场 in a year's report (held-out case 23, 2026-12-02).
PLAN_TIME = re.compile(r"(?:下半年|明年|今年|年内|年底前|[三四]季度)(?=计划|将|拟|要|开展|举办|组织|完成|新建)")


# A time the plans are set for. In a year's report 下半年 is a time nobody gave ("计划在下半年继续举办此类活动", an
# 打算 direction of bench case 15, 2026-12-02); in a half-year's report it is the time 打算 is for.
TIME_WORD = re.compile(r"下半年|年底前|年内|[一二三四]季度")


def untimed(text: str, given: list[str]) -> str:
    """`text` without the sentences that set a time (TIME_WORD) none of `given` (the bullets, the period)
    holds, 下半年 being given by a period of 上半年."""
    held = "".join(given) + ("下半年" if any("上半年" in g for g in given) else "")
    return "".join(s for s in sentences(text) if all(m.group(0) in held for m in TIME_WORD.finditer(s)))


def plan_written_up(text: str, bullet: str) -> str:
    """A plan bullet's write-up without a time the bullet does not give (PLAN_TIME) and without work
    nobody planned (组织青年志愿者走访困难家庭 after a plan of 讲座; see no_new_work). A detail of the planned
    work itself (邀请专业心理咨询师进行讲座) shares the bullet's wording and stays."""
    text = PLAN_TIME.sub(lambda m: m.group(0) if m.group(0) in bullet else "", text)
    out = no_new_work(text, [bullet], promises=True)
    # "一是通过举办青年学术交流会不少于4场。" (a user's try, 2026-12-02): the plan itself, left as a means once what
    # it was for went; without 通过 it is the plan.
    return re.sub(r"^(?:通过|经过)(?=[^，,。]*\d[^，,。]*。)", "", out)


def one_opener(sentence: str) -> str:
    """A lead without the later clauses that open with its opening word again: given 立足 to open with,
    the model looped "立足青年需求，立足志愿服务，立足社会文明建设，立足……" (bench case 01)."""
    opener = cjk_only(sentence)[:SAME_START]

    def again(match: re.Match[str]) -> bool:
        return match.start() > 0 and cjk_only(match.group(0))[:SAME_START] == opener

    return drop_clauses(sentence, again)[0] if opener else sentence


# Words that open a frame (聚焦……, 围绕……): a clause opening so says where the work looked, not what it did.
FRAME_OPENER = re.compile(r"^(?:聚焦|围绕|立足|紧扣|着眼|按照|根据|坚持以)")


# An opening word the model was given, said before a word of its own that starts alike ("坚持坚定理想信念",
# bench case 15) or said twice: the word of its own is the opening. (立足立德树人 is right as it is.)
STUTTER = re.compile(r"^(?:坚持(?=坚定|坚持)|(聚焦|围绕|立足|紧扣|着眼)(?=\1))")


def standing_lead(lead: str) -> str:
    """The lead with one clause per opening word (one_opener), or "" when all it has left is frames: cut
    down to "紧扣青年成长发展主题。" (a user's try), a lead says nothing the headline does not and reads as a
    sentence without a verb."""
    lead = one_opener(STUTTER.sub("", lead))
    clauses = [c for c in re.split(r"[，,；;。！]", lead) if cjk_only(c)]
    return "" if clauses and all(FRAME_OPENER.match(c.strip()) for c in clauses) else lead


def said_already(sentence: str, texts: list[str]) -> bool:
    """Whether the sentence's words (Chinese characters, at least six) stand in one of `texts` already."""
    words = cjk_only(sentence)
    return len(words) >= 6 and any(words in cjk_only(t) for t in texts)


def gist(bullet: str) -> str:
    """A bullet without its figures, for prompts that must not repeat them (the closing 成效)."""
    text = re.sub(r"[（(][^）)]*[）)]", "", bullet)
    text = re.split(r"[，,；;。]", text)[0]
    text = re.sub(r"[\d.%％]+[万亿千百]?[余多]?[个名人次场期项篇所家支户对批万元小时份件条册本天节门班届种台套]*", "",
                  text).strip()
    # A word that only led into the figure hangs without it: "“青年大学习”全年52期" left "…全年", and a direction
    # wrote 持续开展“青年大学习”全年 (bench case 03); "主题团日活动逾32场" left "…活动逾".
    text = re.sub(r"(?:全年|累计|共计|合计|总计|达到|超过|(?<!公)共|达|约|近|逾|超)+$", "", text).strip()
    # "“机关青年讲堂”举办12期" left "…举办" hanging, and a direction copied it (“机关青年讲堂”举办，让…).
    hanging = re.match(r"(“[^”]+”|《[^》]+》)(?:共|累计)?(?:举办|开展|召开|发放|发布|评选|组织)$", text)
    return (hanging.group(1) if hanging else text) or bullet
