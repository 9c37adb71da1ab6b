"""The genre's fixed framing of 问题 and 打算 in the compact style: lines that state no fact, written in
code, one choice per unit; and how a results subsection's lead, items and closing make its paragraphs."""
from __future__ import annotations

import zlib

from ..cleanup import join_items
from ..text import cn_index, sentences
from .phrasing import MEANS_ALONE, bare_joined

# Past this many items, one paragraph each: eight items of 100 characters read as a wall in one.
PLAN_LINES = 3

# The genre's fixed framing of 问题 and 打算 (corpus: "今年，我办意识形态工作取得了一定的成绩，但还存在着一些
# 薄弱环节，主要表现在：", "镇团委将按照……，从四方面做好意识形态工作。"). Written in code, stating no fact;
# one per unit (frame_for), so two units' drafts do not read alike. Without them 问题 ran 26–80
# characters on the 16 bench cases against the human 77–500.
PROBLEM_INTROS = ("在肯定成绩的同时，也要清醒地看到，工作中还存在一些差距和不足，主要表现在：",
                  "对照上级要求和青年期待，工作中还存在一些薄弱环节，主要表现在：",
                  "回顾这一时期的工作，虽然取得了一定成效，但也存在一些不容忽视的问题，主要表现在：")
PROBLEM_CLOSINGS = ("对这些问题，须高度重视，在今后的工作中认真研究、切实加以解决。",
                    "这些问题，需要在下一步工作中采取有力措施加以改进。",
                    "对此，将坚持问题导向，逐项研究改进措施，推动问题有效解决。")
FRAMES_LENGTH = 135  # about one intro and closing of 问题 and of 打算 (usual_length)
# Subjectless, as the system prompt asks the model to write (以单位名义叙述，不用“我们”).
PLAN_INTROS = ("下一步，将立足青年所需、围绕中心大局，重点抓好以下几方面工作：",
               "下一步，将对照上级部署要求，针对存在的不足，着力在以下几个方面下功夫：",
               "下一步，将坚持守正创新、真抓实干，重点做好以下工作：")
# The report's last words, after the plans (no 团结带领广大团员青年: the opening says it, and a repeated
# 10-character window counts against the draft).
PLAN_CLOSINGS = ("新征程上，将以更加饱满的热情、更加务实的作风，引领青年在服务中心大局中展现青春担当。",
                 "将始终坚持党建带团建，凝聚青春力量、激发青春活力，为推动各项事业高质量发展贡献青年智慧。",
                 "将锚定目标、久久为功，推动各项工作提质增效，努力在新起点上展现新担当、新作为。")


def frame_for(unit: str, frames: tuple[str, ...]) -> str:
    """The unit's framing sentence: fixed per unit (a regenerated section keeps it), varied between units."""
    return frames[zlib.crc32(unit.encode("utf-8")) % len(frames)]


def framed(intro: str, items: list[str], closing: str = "") -> str:
    """intro + items (+ closing): inline while short, one paragraph each past PLAN_LINES items."""
    long = len(items) > PLAN_LINES
    body = join_items(items, sep="\n" if long else "")
    if not body:
        return ""
    return (intro + ("\n" if long else "") + body + ("\n" if long and closing else "") + closing).strip()


def subsection_text(lead: str, items: list[str], closing: str) -> str:
    """Lead and the first item share a paragraph, each further item is its own, the closing ends the
    last: 坚持……。一是……。\n二是……。通过……。"""
    # A lead or closing left with only its means ("通过集中学习和参与“青年大学习”。", once what they achieved
    # went as a restatement: bench case 02, 2026-12-02) says nothing; an item's may be its bullet's words.
    lead, closing = ("".join(s for s in sentences(t) if not MEANS_ALONE.match(s)) for t in (lead, closing))
    lead = lead.strip()
    if lead and lead[-1] not in "。！？":
        lead = lead.rstrip("，,；;") + "。"
    items = [bare_joined(join_items([item])) for item in items if item.strip()]  # each ends with 。, no stray 一是
    paragraphs = items if len(items) <= 1 else [f"{cn_index(i + 1)}是{item}"
                                                for i, item in enumerate(items)]
    if not paragraphs:
        return "\n".join(t for t in (lead, closing.strip()) if t)
    paragraphs[0] = lead + paragraphs[0]
    closing = closing.strip()
    if closing and closing[-1] not in "。！？":  # "经过持续推进，确保信息准确无误；" ended a paragraph
        closing = closing.rstrip("；;，,、：:") + "。"
    if closing:
        # A closing left bare (进一步提升……, its 通过…… gone) goes on from the last item.
        paragraphs[-1] = bare_joined(paragraphs[-1] + closing)
    return "\n".join(paragraphs)
