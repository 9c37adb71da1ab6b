"""The compact style, for the embedded 1.5B model: one short task per call behind one shared, cached
prefix of rules and worked examples; no exemplar in the prompt."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache, partial

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from .. import prompts
from ..cleanup import (
    drop_unbacked,
    heading_echo,
    salvage,
    says_headline,
    strip_headline,
    unnumber_items,
    without_foreign_words,
    without_headline,
    without_work_clauses,
)
from ..model import Bullet
from ..prune import drop_restatements
from ..text import cjk_only, sentences
from ..vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS
from . import SectionJob
from .echoes import direction_clean, echoless, listless, plan_clean, without_echoes, without_figure_stubs
from .framing import PLAN_CLOSINGS, PLAN_INTROS, PROBLEM_CLOSINGS, PROBLEM_INTROS, frame_for, framed, subsection_text
from .length import MAX_DIRECTIONS, direction_budget, directions_wanted, item_budget, top_up_factor
from .phrasing import ADD_ON, LEADING_MEANS, bare_joined, gist, no_new_work, said_already, standing_lead, topped_up

log = logging.getLogger(__name__)

# The unit named in prompts/compact_examples.txt (a test keeps the two in step).
EXAMPLE_UNIT = "共青团某某委员会"
# 存在的问题 when the user listed none: a general shortcoming, stating no fact, which the page asks the
# user to replace (brief_warnings).
NO_PROBLEMS_TEXT = "理论学习的深度和广度还需进一步拓展，工作方式方法创新不够，服务青年的精准度和实效性有待提升。"
# Per-call output budget (characters): about twice what each task asks for (see FULL_SECTION_CHARS).
COMPACT_CALL_CHARS = 420
# Words a subsection's lead sentence opens with, one after another through the document, so no two
# subsections open alike (the model, left to itself, began every one with 坚持把).
LEAD_OPENERS = ("坚持", "聚焦", "围绕", "立足", "紧扣", "着眼")
# A lead opened with 坚持 (LEAD_OPENERS) came back "坚持习近平新时代中国特色社会主义思想为指导", without 以.
FORMULA_WITHOUT_YI = re.compile(r"坚持(?=习近平新时代中国特色社会主义思想为指导)")
NEXT_STEP = re.compile(r"^\s*(?:下一步|下步|下阶段)[，,]?(?=[\u4e00-\u9fff\d“])")
MIN_DIRECTION = 16  # Chinese characters; "持续深化思想引领。" alone says nothing
FEW_THEMES = 4  # below this many results subsections, 打算 also gets SELF_BUILDING
SELF_BUILDING = "加强自身建设"
PLAN_SENTENCES = 3
PROBLEM_TOP_UP = 50  # 问题 items: the problem, how it shows, why (real 问题 run 120–500 in all)
PLAN_TOP_UP = 60  # a plan bullet written up: the plan, then how it will be carried out
# What a closing's restating 通过…… clause becomes, one after another through the document (prune.
# drop_restatements); and the same for an item's second sentence.
# Half of them without 通过: the model opens most effect clauses with it already (a draft of bench case 01
# held 14).
CLOSING_CONNECTORS = ("通过上述工作，", "经过持续推进，", "通过这些举措，", "经过扎实工作，", "通过多措并举，",
                      "在此基础上，")
ITEM_CONNECTORS = ("通过这项工作，", "借助这一载体，", "通过这一举措，", "以此为抓手，")
HEADING_RUN = 8  # characters in a row that a closing shares with its headline or lead: said already
def _carries(sentence: str, bullets: list[Bullet]) -> bool:
    from ..facts import extract_facts

    return any(f.raw in sentence for b in bullets for f in extract_facts(b.text))


def _fact_not_in(item: str, bullet: Bullet):
    """A clause test: it carries one of the bullet's facts that the item's first sentence lacks (so
    dropping it as a restatement would lose the fact)."""
    from ..facts import extract_facts

    first = (sentences(item) or [""])[0]
    missing = [f.raw for f in extract_facts(bullet.text) if f.raw not in first]
    return lambda clause: any(raw in clause for raw in missing)


def with_facts(answer: str, bullet: Bullet) -> str:
    """The answer for one bullet, with every figure and name of the bullet in it: an answer that lost one
    (每季度开展1次…检查 came back as 定期…检查) is led by the bullet itself, and what the answer restated of
    it goes (drop_restatements). The fact check would only have flagged the gap as 未采用."""
    from ..cleanup import normalize_prose
    from ..facts import extract_facts

    if all(f.raw in answer for f in extract_facts(bullet.text)):
        return answer
    lead = normalize_prose(bullet.text).rstrip("。；;，, ") + "。"
    return lead + drop_restatements(answer, [bullet.text], ITEM_CONNECTORS[0])


def without_others_figures(text: str, bullets: list[Bullet]) -> str:
    """`text` (written from `bullets`: one item's bullet, or those a lead or closing sums up) without a clause
    stating a figure none of them gives. The fact check backs a figure by any bullet of the brief, so "共开展
    活动6次" under 团支部6个 passed on another bullet's 讲座不少于6场 (held-out case 23, 2026-12-02): a figure
    the model put on work it was not about."""
    from ..facts import extract_facts
    from ..facts.match import backed
    from ..text import drop_clauses

    given = [f for b in bullets for f in extract_facts(b.text)]
    pool = "\n".join(b.text for b in bullets)

    def foreign(match) -> bool:  # clause by clause: "6个" must not find itself inside a bullet's "16个"
        return any(f.kind == "number" and not backed(f, given, pool) for f in extract_facts(match.group(0)))

    return "\n".join(drop_clauses(line, foreign)[0] if line else line for line in text.split("\n"))


def without_foreign_names(text: str, bullets: list[Bullet]) -> str:
    """A lead, closing or direction has no name of its own: a quoted name no bullet holds goes with its
    clause. The fact check lets a name through that the section's headline holds, and a lead quoted a
    headline's words as if an activity's name (围绕“青春奋进”主题, under 唱响青春奋进强音)."""
    from ..facts import extract_facts
    from ..facts.match import backed
    from ..prune import drop_clauses_with

    pool = "\n".join(b.text for b in bullets)
    names = [f.raw for f in extract_facts(text) if f.kind == "name" and not backed(f, [], pool)]
    return drop_clauses_with(text, names)[0] if names else text


def plan_directions(report, limit: int, brief=None) -> list[tuple[str, list[Bullet]]]:
    """Themes for 打算: the first clause of each results subsection's headline, with that subsection's
    bullets (with `brief`), whose kinds of work the direction may carry forward."""
    out = []
    for section in report.drafting_units():
        if section.role == ROLE_RESULTS and section.heading:
            bullets = [b for b in (brief.bullet(i) for i in section.bullet_ids) if b] if brief else []
            out.append((re.split(r"[，,]", section.heading)[0], bullets))
    if len(out) < FEW_THEMES:
        # Real 打算 end on the unit's own team (加强自身建设) as a rule; with three themes, 打算 of bench
        # cases 02 and 06 ran 3–20 % under the human lower bound. It states no fact and names no bullet.
        out.append((SELF_BUILDING, []))
    return out[:limit]


def compact_prefix() -> list[BaseMessage]:
    """The opening turns of every compact call: identical bytes each time, so llama.cpp reuses their
    KV cache. The worked examples sit here, not in the per-call turn, so they cost no prefill."""
    messages: list[BaseMessage] = [SystemMessage(content=prompts.load("compact_system"))]
    for user, reply in prompts.turns("compact_examples"):
        messages += [HumanMessage(content=user), AIMessage(content=reply)]
    return messages


@lru_cache(maxsize=1)
def example_sentences() -> tuple[str, ...]:
    """The worked examples' answers, sentence by sentence (not the opening, whose formula is meant to be
    followed): a sentence close to one of these was lifted from the examples."""
    turns = prompts.turns("compact_examples")[1:]
    return tuple(s for _, reply in turns for s in sentences(reply) if len(s) >= 12)


def warm_up(chat: BaseChatModel) -> None:
    """Prefill the compact prefix (system prompt and worked examples, about 700 tokens) into the
    embedded server's KV cache, decoding one token, so the first call of the first draft pays only
    for its own lines. Meant to run right after the server starts (8–12 s on 2 cores); best effort:
    a cold cache costs the first call that time, nothing more."""
    try:
        # Both names: llama-server obeys max_completion_tokens (which the client also sends, from the
        # settings) over max_tokens, and decoded 50 tokens of warm-up with only the latter at 1.
        # Slot 0: the embedded server then copies it into its other slots (local_model.share_prefix).
        chat.invoke([*compact_prefix(), HumanMessage(content="【开头】")],
                    extra_body={"max_tokens": 1, "max_completion_tokens": 1, "id_slot": 0})
    except Exception as exc:  # noqa: BLE001 - any failure here resurfaces, with its message, on the first real call
        log.warning("prefix warm-up failed: %s", exc)


@dataclass(frozen=True)
class CompactWriter:
    """One short call per bullet (results, problems, plans), joined as 一是……二是……, plus one call each
    for the opening and the measures answering the problems.

    Every call starts with the same prefix, a system prompt holding the rules of all tasks and one
    worked example per task (compact_prefix), and ends with a user turn that is just a task tag and its
    data. llama.cpp reuses the cached prefix across calls and task switches, so each call prefills only
    its own few dozen tokens (see warm_up); the examples are what make the small model write
    four-sentence paragraphs instead of one clipped line."""

    uses_exemplars = False

    def write(self, job: SectionJob) -> str:
        role = job.section.role
        if role == ROLE_OPENING:
            return self._ask(job, prompts.render("compact_opening", period=job.report.period, unit=job.report.unit), [])
        if role == ROLE_PROBLEMS:
            return self._problems(job)
        if role == ROLE_PLANS:
            return self._plans(job)
        return self._results(job)

    def _ask(self, job: SectionJob, user: str, facts_of: list[Bullet], limit: int | None = None,
             proposes: bool = False, context: list[Bullet] | None = None) -> str:
        """One call. `proposes`: the answer may name new kinds of work (the measures answering problems,
        which salvage then cuts clause by clause); everywhere else — results, problems, plan bullets and the
        generic directions of 打算 — a kind of work or partner no bullet mentions is dropped with its sentence.
        `context`: bullets a lead or closing sums up, whose kinds of work it may name (a lead naming 主题党课
        over bullets without one invents it)."""
        def scrub(text: str) -> str:
            # The model sometimes names the unit of the worked examples as the doer; it means this unit.
            text = text.replace(EXAMPLE_UNIT, job.report.unit) if job.report.unit else text
            text = without_foreign_words(text, "\n".join(b.text for b in job.brief.bullets))
            text = FORMULA_WITHOUT_YI.sub("坚持以", text)  # the Party's formula is quoted exactly
            if "团" in (job.report.unit or "") and not any("党组织" in b.text for b in job.brief.bullets):
                text = text.replace("基层党组织", "基层团组织")  # a 团 unit's 组织建设 lead said 党组织 (cases 01, 12)
            if job.section.role == ROLE_OPENING:  # "团结带领团员青年投身于学校教育、社会服务等各项工作" (case 08)
                pool = [b.text for b in job.brief.bullets] + [job.report.unit or "", job.report.period or ""]
                return "".join(without_work_clauses(s, pool) for s in sentences(text))
            if not facts_of:
                text = without_foreign_names(text, job.brief.bullets)
            if facts_of or context:
                text = without_others_figures(text, [*facts_of, *(context or [])])
            if job.section.role != ROLE_PLANS or proposes or facts_of:
                # "同时，……" / "此外，……" is how the model tacks on work nobody reported (and, in 问题,
                # a remedy; in a plan bullet's write-up, a plan: 同时，加强与新闻媒体的合作, bench case 06);
                # only 打算's generic directions may go on with one.
                text = "".join(s for s in sentences(text) if not ADD_ON.match(s) or _carries(s, facts_of))
            return drop_unbacked(text, [b.text for b in facts_of], examples=example_sentences(),
                                 work=not proposes, limit=limit, context=[b.text for b in context or []])

        text = job.complete([*compact_prefix(), HumanMessage(content=user)], facts_of,
                            max_chars=COMPACT_CALL_CHARS, rewrite=scrub)
        return with_facts(text, facts_of[0]) if len(facts_of) == 1 and text.strip() else text

    def _problems(self, job: SectionJob) -> str:
        # One call per problem, like results bullets: a 1.5B model asked for several at once wrote
        # remedies instead of problems.
        if not job.bullets:  # asked to invent one, it copied the worked example's problem as this unit's
            return NO_PROBLEMS_TEXT
        answers: list[str] = []
        factor = top_up_factor(job.brief)
        for bullet in job.bullets:
            # The problem alone (网评员队伍年龄偏大……少。) once its 表现 and 原因 named work and went.
            ask = partial(self._ask, job, prompts.render("compact_problem", bullet=bullet.text), [bullet])
            answers.append(echoless([bullet.text], answers)(self._top_up(
                job, ask(), ask, [bullet.text, *answers], PROBLEM_TOP_UP * factor, PLAN_SENTENCES + factor // 2,
                factor, listless([bullet.text], echoless([bullet.text])))))
        # One item per problem, so two problems read 一是……二是……; a bullet may hold its own 一是……二是…….
        items = [item for answer in answers for item in unnumber_items(answer)]
        unit = job.report.unit or ""
        return framed(frame_for(unit, PROBLEM_INTROS), items, frame_for(unit, PROBLEM_CLOSINGS))

    def _plans(self, job: SectionJob) -> str:
        """Each plan bullet on its own (its numbers survive); then, for each theme of this period's work,
        a short forward-looking paragraph (real reports plan by theme, and without it 打算 came to a
        line or two); then measures answering the problems. Directions state no facts."""
        # A plan bullet's 落实办法 may not name work the user did not plan either: "计划培养青年网评员50名。
        # 通过组织培训和实践，……" put a 培训 in bench case 06 that nobody planned.
        factor = top_up_factor(job.brief)
        answers: list[str] = []
        for bullet in job.bullets:  # topped up like a 问题 item: one sentence left 打算 short (cases 06, 08)
            ask = partial(self._ask, job, prompts.render("compact_plan_bullet", bullet=bullet.text), [bullet])
            answers.append(self._top_up(job, ask(), ask, [bullet.text], PLAN_TOP_UP * factor, PLAN_SENTENCES,
                                        factor, plan_clean(bullet.text, echoless([bullet.text]))))
        directions = plan_directions(job.report, limit=MAX_DIRECTIONS + (2 if factor > 1 else 0), brief=job.brief)
        directions = directions[:directions_wanted(job.brief, len(directions))]
        bar, rounds, limit = direction_budget(job.brief, len(directions))
        for direction, bullets in directions:
            if job.should_stop():
                break
            ask = partial(self._direction, job, direction, bullets)
            answer = self._top_up(job, ask(), ask, [b.text for b in bullets], bar, limit, rounds,
                                  direction_clean([b.text for b in job.brief.bullets], job.report.period))
            if len(cjk_only(answer)) >= MIN_DIRECTION:
                answers.append(answer)
        problems = [b.text for b in job.brief.bullets if b.role == ROLE_PROBLEMS]
        if problems or not answers:
            listed = "；".join(problems) or NO_PROBLEMS_TEXT.rstrip("。")
            # Measures may propose (加强团干部培训 answers 团干部多为兼职), but 打算 must not read as work the
            # unit reported: a clause naming work no bullet mentions goes. The answer is one sentence
            # (一是……；二是……。), so dropping whole sentences, as elsewhere, left no measures at all.
            pool = [b.text for b in job.brief.bullets]
            measures = self._ask(job, prompts.render("compact_plans", problems=listed), [], proposes=True)
            # 丰富学习载体 (6 characters) is a measure; 加强团干部培训，提高他们的…… without its first clause is not.
            answers += [m for m in (salvage(item, pool, least=6) for item in unnumber_items(measures)) if m]
        # An item must not open with "同时，" (一是同时……): that joins it to the item before. Past
        # PLAN_LINES items, one paragraph each: eight items of 100 characters read as a wall in one.
        items = [ADD_ON.sub("", item) for answer in answers for item in unnumber_items(answer)]
        # The framing line says 下一步 once; a plan bullet typed as 下一步每季度开展…, and the model's 下一步，
        # after it, said it twice more in one item.
        items = [bare_joined("".join(NEXT_STEP.sub("", s) for s in sentences(item))) for item in items]
        unit = job.report.unit or ""
        body = framed(frame_for(unit, PLAN_INTROS), items)
        return body + "\n" + frame_for(unit, PLAN_CLOSINGS) if body else body

    def _results(self, job: SectionJob) -> str:
        """One lead sentence (思路) for the subsection, the bullets as 一是……二是…… items of two sentences
        each (the facts, then what the work did), one closing 成效 sentence: the shape of a real
        report's subsection. Asked for four sentences per bullet, the model filled three with the same
        generic clauses in every subsection (issue 14)."""
        heading = job.section.heading
        texts = [b.text for b in job.bullets]
        keys = [u.key for u in job.report.drafting_units() if u.role == ROLE_RESULTS]
        position = keys.index(job.section.key) if job.section.key in keys else 0
        lead = ""
        # Wording retrieved from matching example passages (writers.patterns), a different pair for each.
        words = "\n可用词语：" + "、".join(job.phrases) if job.phrases else ""
        # A lead that only said its headline again, or lost its one sentence to work nobody reported, is
        # asked once more with the next opener: subsections of bench cases 06, 07 and 12 had none. So is
        # one that says a clause of the headline word for word.
        for opener in (LEAD_OPENERS[position % len(LEAD_OPENERS)], LEAD_OPENERS[(position + 1) % len(LEAD_OPENERS)]):
            lead = self._ask(job, prompts.render("compact_lead", heading=heading, opener=opener, words=words),
                             [], limit=1, context=job.bullets)
            fresh = not heading_echo(lead, heading) and not says_headline(lead, heading)
            if (lead.strip() and fresh) or job.should_stop():
                break
        job.listener.token(job.section.key, "\n")
        bar, rounds, limit = item_budget(job.brief)  # once: it outlines the bullets again (usual_length)
        items: list[str] = []
        for bullet in job.bullets:
            if job.should_stop():
                break
            # What survives of one answer is often the bullet and a clause (the model's other sentences
            # named work nobody reported); another answer adds what it says that this one does not.
            ask = partial(self._item, job, bullet, limit, len(items))
            # Its own echoes are topped up again; one of an earlier item (a generic clause) just goes.
            items.append(echoless([bullet.text], items)(self._top_up(
                job, ask(), ask, [bullet.text, *items], bar, limit, rounds, echoless([bullet.text]))))
            job.listener.token(job.section.key, "\n")
        closing = ""
        if job.bullets and not job.should_stop():
            work = "；".join(gist(b.text) for b in job.bullets)
            closing = self._ask(job, prompts.render("compact_effect", heading=heading, work=work), [], limit=1,
                                context=job.bullets)
            connector = CLOSING_CONNECTORS[position % len(CLOSING_CONNECTORS)]
            closing = drop_restatements(without_figure_stubs(closing, texts), texts, connector)
            # Nor the headline, lead or an item again: 进一步压实工作责任，…… after a lead 坚持压实工作责任，……
            # (case 02); 帮助他们顺利完成学业 after an item's (a held-out case).
            closing = without_echoes(drop_restatements(closing, [heading, lead, *items], connector, run=HEADING_RUN),
                                     [], items)
            if said_already(closing.removeprefix(connector), items):
                closing = ""  # 通过上述工作，确保各项措施落实到位 after an item ending 确保各项措施落实到位
            elif heading_echo(LEADING_MEANS.sub("", closing), heading):
                closing = ""  # 通过加强舆论引导，唱响青春奋进强音。 under that very headline
            elif items and LEADING_MEANS.match((sentences(items[-1]) or [""])[-1]):
                # 通过定期检查和清理，确保……。通过这些举措，进一步提升了……: one 通过 after another.
                closing = LEADING_MEANS.sub("", closing)
        # Both tries said the headline again ("聚焦压实工作责任，健全意识形态机制，确保……" in a user's try): what
        # the lead adds to it stays.
        lead = "" if heading_echo(lead, heading) else without_headline(strip_headline(lead, heading), heading)
        # Neither sums up with work nobody reported (通过主题班会、演讲比赛、文艺表演等形式，……).
        lead, closing = (no_new_work(t, texts, keep_first=False) for t in (lead, closing))
        return subsection_text(standing_lead(lead), items, closing)

    @staticmethod
    def _top_up(job: SectionJob, text: str, again, said: list[str], bar: int, limit: int, rounds: int,
                clean=lambda t: t) -> str:
        """`text` topped up from up to `rounds` more answers (`again()`) while under `bar` Chinese characters
        and `limit` sentences, and one more while under half the bar (held-out items came to the bullet and
        a clause). `clean` goes over it before each measure: what it cuts, the next answer makes up."""
        text = clean(text)
        for n in range(rounds + 1 if rounds else 0):
            if len(cjk_only(text)) >= bar // (1 + (n == rounds)) or len(sentences(text)) >= limit or job.should_stop():
                break
            text = clean(topped_up(text, again(), said, limit))
        return text

    def _direction(self, job: SectionJob, direction: str, bullets: list[Bullet]) -> str:
        """One forward-looking paragraph on a theme of this period's work, carrying that work forward."""
        # The theme's work without its figures: what 打算 carries forward (持续开展主题团日活动) instead of
        # generic lines, which alone came to one sentence once a kind of work nobody reported was dropped.
        work = "；".join(gist(b.text) for b in bullets) or direction
        answer = self._ask(job, prompts.render("compact_direction", direction=direction, work=work), [],
                           context=bullets)
        # It may name the work (持续开展主题团日活动) but not say a bullet again word for word (10
        # characters, the repeat measure's window); what is left of a gutted answer is a stub (加强沟通协调).
        answer = drop_restatements(answer, [b.text for b in bullets], "", run=10)
        # Asked for three sentences, it joined them with 同时，/此外， in most directions of a draft.
        return "".join(ADD_ON.sub("", s) for s in sentences(answer))

    def _item(self, job: SectionJob, bullet: Bullet, limit: int, n: int) -> str:
        """One results bullet written up: its facts, then what the work did (at most `limit` sentences)."""
        item = strip_headline(self._ask(job, prompts.render("compact_bullet", bullet=bullet.text), [bullet],
                                        limit=limit), job.section.heading)
        item = drop_restatements(item, [bullet.text], ITEM_CONNECTORS[n % len(ITEM_CONNECTORS)],
                                 keep_first=True, carries=_fact_not_in(item, bullet))
        return no_new_work(item, [bullet.text])

    def revise_messages(self, user: str) -> list[BaseMessage]:
        # The drafting prefix, so a revision does not evict it from the server's cache.
        return [*compact_prefix(), HumanMessage(content="【修改】" + user)]

    def warm_up(self, chat: BaseChatModel) -> None:
        warm_up(chat)
