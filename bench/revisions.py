"""Do the section revisions do what their names say (issue 15.1)? Over ≥ 30 requests of each kind on
varied sections of the bench cases, the share that changed the text in the asked direction (扩写 longer,
精简 shorter, 突出数据 figures earlier, 润色/重写 changed) with every fact kept, and the share of
unchanged answers that told the user so.

    .venv/bin/python bench/revisions.py --fake       # a scripted model that behaves like the 1.5B one, seconds
    .venv/bin/python bench/revisions.py              # the embedded model (revisions only; many minutes)

Sections are drafted once with the fake model (compact style: lead, 一是…二是…, closing), so both runs
revise the same texts. The fake model writes each compact task as the worked examples do and, like
the embedded model did in issue 15, hands every 【修改】 request back verbatim.
"""
from __future__ import annotations

import argparse
import copy
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.metrics import load_cases  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.facts import extract_facts  # noqa: E402
from zongjie.grounding import section_bullets  # noqa: E402
from zongjie.outline import build_outline  # noqa: E402
from zongjie.revise import Action, kept_facts  # noqa: E402

REQUESTS = (("扩写", Action.EXPAND), ("精简", Action.SHORTEN), ("突出数据", Action.DATA), ("润色", Action.POLISH),
            ("重写：语言更正式一些", Action.REWRITE), ("重写：换一种说法", Action.REWRITE))
GOAL = 0.9
EFFECTS = ("这项工作把服务送到青年身边，增强了团员青年的参与感。", "活动形式贴近青年需求，得到基层团组织的积极响应。",
           "工作做法逐步固定下来，为后续常态化开展打下了基础。", "团组织联系青年的渠道进一步拓宽，工作覆盖面不断扩大。",
           "通过以点带面，基层团组织的工作活力得到有效激发。")

LEADS = ("把这项工作摆在突出位置统筹推进。", "主动对接青年所需谋划工作载体。", "以制度建设带动工作落实。",
         "注重发挥基层团组织作用。", "推动工作常态长效开展。")
RESULTS = ("团组织的凝聚力和影响力进一步增强。", "青年参与的积极性明显提高。", "基层团组织的工作活力得到激发。")


def fake_chat():
    """Writes each compact task like the worked examples and echoes every 【修改】 (as the 1.5B model did)."""
    from zongjie.fake_llm import ScriptedChatModel

    turn = itertools.count()

    def respond(messages) -> str:
        user = str(messages[-1].content)
        n = next(turn)
        if user.startswith("【修改】"):
            return user.split("原文：", 1)[-1].strip()
        if user.startswith("【扩写】") or user.startswith("【计划】") or user.startswith("【问题】"):
            bullet = user.split("：", 1)[-1].strip() if "：" in user else user[4:].strip()
            return bullet.rstrip("。") + "。" + EFFECTS[n % len(EFFECTS)]
        if user.startswith("【导语】"):  # it opens with the word it was given and names the heading's theme
            opener = user.split("开头用：", 1)[-1].strip()[:2] if "开头用：" in user else "坚持"
            theme = user.split("本节标题：", 1)[-1].split("\n")[0].split("，")[0]
            return f"{opener}{theme}，{LEADS[n % len(LEADS)]}"
        if user.startswith("【成效】"):  # it names the work it was given, as the worked example does
            work = user.split("本节工作：", 1)[-1].split("；")[0][:12]
            return f"通过{work}，{RESULTS[n % len(RESULTS)]}"
        if user.startswith("【打算】"):
            return "持续完善工作机制，推动各项工作走深走实。"
        if user.startswith("【措施】"):
            return "一是加强学习培训，提升团干部能力；二是创新工作方式，增强工作吸引力。"
        return "在上级党委和团组织的坚强领导下，扎实推进各项工作，取得了积极成效。现将有关情况总结如下："
    return ScriptedChatModel(responder=respond)


def figure_position(text: str) -> float:
    """Mean relative position of the figures in the text (0 = at the start): lower is more prominent."""
    spots = [text.find(f.raw) for f in extract_facts(text) if f.kind == "number" and f.raw in text]
    return sum(spots) / len(spots) / max(1, len(text)) if spots else 1.0


def data_in_place(text: str) -> bool:
    """Every paragraph already opens with its figure-bearing sentences (nothing for 突出数据 to move)."""
    from zongjie.revise import has_figure, split_sentences

    for paragraph in text.split("\n"):
        marks = [has_figure(s) for s in split_sentences(paragraph)]
        if any(marks[i + 1] and not marks[i] for i in range(len(marks) - 1)):
            return False
    return True


def only_bullets(text: str, bullets) -> bool:
    """Every sentence is mostly a bullet's own wording: nothing for 精简 to cut without cutting the user's words."""
    from zongjie.revise import said_before, split_sentences

    return all(said_before(s, [b.text for b in bullets]) for p in text.split("\n") for s in split_sentences(p))


def in_direction(action: Action, before: str, after: str) -> bool:
    if action == Action.EXPAND:
        return len(after) > len(before)
    if action == Action.SHORTEN:
        return len(after) < len(before)
    if action == Action.DATA:
        return figure_position(after) < figure_position(before)
    return after != before


def sections(limit: int):
    """(case, brief, report, key) for drafted sections with bullets, round-robin over the cases."""
    from zongjie.draft import Drafter

    per_case = []
    for n, case in enumerate(load_cases()):
        brief = make_brief(case.bullets, case.unit, case.period, case.genre, "")
        report = build_outline(brief)
        Drafter(chat=fake_chat(), compact=True).draft_report(brief, report)
        keys = [s.key for s in report.drafting_units() if s.text and section_bullets(brief, s)]
        # each case starts at another section, so 问题 and 打算 are revised too, not only the first 成效
        keys = keys[n % len(keys):] + keys[:n % len(keys)] if keys else keys
        per_case.append([(case, brief, report, k) for k in keys])
    out = [x for group in itertools.zip_longest(*per_case) for x in group if x]
    return out[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="scripted model instead of the embedded one")
    parser.add_argument("-n", type=int, default=30, help="requests of each kind (default 30)")
    args = parser.parse_args()
    from zongjie.draft import Drafter

    rt = None
    if args.fake:
        chat = fake_chat()
    else:
        from zongjie.runtime import runtime

        rt = runtime()
        chat = rt.chat()
    try:
        return measure(Drafter(chat=chat, compact=True), args)
    finally:
        if rt is not None:
            rt.close()  # the embedded server is ours to stop


def measure(drafter, args) -> int:
    pool = sections(args.n)
    roles = sorted({r.find(k).role for _c, _b, r, k in pool})
    print(f"{len(pool)} sections ({'/'.join(roles)}) from {len({c.name for c, *_ in pool})} cases; model: "
          f"{'fake (echoes 【修改】)' if args.fake else 'embedded'}")
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seconds: dict[str, float] = defaultdict(float)
    for request, action in REQUESTS:
        name = "重写" if action == Action.REWRITE else request
        for _case, brief, report, key in pool:
            if action == Action.DATA and figure_position(report.find(key).text) == 1.0:
                tally[name]["skipped"] += 1  # nothing to bring forward; the page says so
                continue
            work = copy.deepcopy(report)
            before = work.find(key).text
            bullets = section_bullets(brief, work.find(key))
            t0 = time.monotonic()
            result = drafter.revise_section(work, brief, key, request)
            seconds[name] += time.monotonic() - t0
            after = work.find(key).text
            row = tally[name]
            row["n"] += 1
            row["changed"] += result.changed
            row["kept"] += kept_facts(before, after, bullets)
            row["ok"] += result.changed and in_direction(action, before, after) and kept_facts(before, after, bullets)
            row["told"] += (not result.changed) and bool(result.message)
            row["silent"] += (not result.changed) and not result.message
            good = result.changed and in_direction(action, before, after) and kept_facts(before, after, bullets)
            if (action == Action.DATA and data_in_place(before)) or \
                    (action == Action.SHORTEN and only_bullets(before, bullets)):
                row["in_place"] += 1
                row["in_place_said"] += (not result.changed) and bool(result.message)
            else:
                row["ok_movable"] += good
    print(f"{'action':<8}{'n':>4}{'asked direction':>17}{'facts kept':>12}{'unchanged, said so':>20}{'s/request':>11}")
    failed = False
    for name, row in tally.items():
        # 突出数据 on a text whose figures already lead every paragraph can only say so: not in the base.
        share = row["ok_movable"] / max(1, row["n"] - row["in_place"])
        failed |= share < GOAL or row["kept"] < row["n"] or row["silent"] > 0
        print(f"{name:<8}{row['n']:>4}{share:>16.0%} {row['kept'] / row['n']:>11.0%}"
              f"{row['told']:>12}/{row['n'] - row['changed']:<7}{seconds[name] / row['n']:>10.2f}")
    data, short = tally["突出数据"], tally["精简"]
    print(f"突出数据: {data['skipped']} sections without figures skipped; {data['in_place']} already open every "
          f"paragraph with their figures (not in the share; said so: {data['in_place_said']}/{data['in_place']}); "
          f"strict share over all {data['n']}: {data['ok'] / max(1, data['n']):.0%}")
    print(f"精简: {short['in_place']} sections are only the bullets' own sentences (not in the share; said so: "
          f"{short['in_place_said']}/{short['in_place']}); strict share over all {short['n']}: "
          f"{short['ok'] / max(1, short['n']):.0%}")
    print(f"goal: ≥ {GOAL:.0%} in the asked direction per action, every fact kept, no silent no-change: "
          f"{'met' if not failed else 'NOT met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
