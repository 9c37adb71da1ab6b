"""AppTests of iterating section by section (issue 15, one or more per point), the page bits of issue 14
(target length, input findings) and issue 16.6 (user and model text shown as text), with the template
model (ZONGJIE_FAKE_LLM=1)."""
from __future__ import annotations

import io

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from tests.test_app import button, drafted, fill, start
from zongjie.model import FactIssue, IssueKind, Paragraph
from zongjie.revise import NO_CHANGE
from zongjie.store import Store


@pytest.fixture(autouse=True)
def fake_llm(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")


def flat(node) -> list:
    """Every element of the page in drawing order (blocks walked depth first)."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(flat(child))
    return out


def between(at: AppTest, first_key: str, kinds: tuple[str, ...] = ("Info", "Warning", "Error")) -> list:
    """The elements of `kind` drawn after the text area `first_key` and before the next section's."""
    elements = flat(at.main)
    start_at = next(i for i, e in enumerate(elements) if getattr(e, "key", None) == first_key)
    end = next((i for i, e in enumerate(elements[start_at + 1:], start_at + 1)
                if type(e).__name__ == "TextArea"), len(elements))
    return [e for e in elements[start_at + 1:end] if type(e).__name__ in kinds]


def draft_id(at: AppTest) -> str:
    d = at.query_params["d"]
    return d[0] if isinstance(d, list) else d


def store() -> Store:
    from zongjie.settings import data_dir

    return Store(data_dir() / "zongjie.sqlite3")


# ---- 15.1: revisions change the text as named, or say they did not --------------------------------------
def test_15_1_revisions_change_the_text_or_say_so_in_the_card(bullets_text):
    at = drafted(bullets_text)
    before = at.text_area(key="text_s1.1").value
    at.button(key="精简_s1.1").click()
    at.run()
    shorter = at.text_area(key="text_s1.1").value
    assert len(shorter) < len(before) and "4560名" in shorter
    assert any("已按“精简”修改" in n.value for n in between(at, "text_s1.1"))
    # the opening has no figures: 突出数据 changes nothing, says so, and stores no version
    versions = len(store().versions(draft_id(at), "opening"))
    at.button(key="突出数据_opening").click()
    at.run()
    assert any(w.value.startswith(NO_CHANGE) for w in between(at, "text_opening"))
    assert len(store().versions(draft_id(at), "opening")) == versions
    at.button(key="扩写_s1.1").click()
    at.run()
    longer = at.text_area(key="text_s1.1").value
    assert len(longer) > len(shorter) or any(w.value.startswith(NO_CHANGE) for w in at.warning)


def test_15_1_regenerating_the_same_text_says_so(bullets_text):
    at = drafted(bullets_text)
    versions = len(store().versions(draft_id(at), "s2"))
    at.button(key="regen_s2").click()  # the template model writes the same problems again
    at.run()
    assert any(w.value.startswith(NO_CHANGE) for w in between(at, "text_s2"))
    assert len(store().versions(draft_id(at), "s2")) == versions


# ---- 15.2: 提示词残留 and 已删去 flags ----------------------------------------------------------------------
def test_15_2_scaffolding_and_removed_flags_are_shown(bullets_text):
    at = drafted(bullets_text)
    s = store()
    record = s.load(draft_id(at))
    section = record.report.find("s1.1")
    section.issues += [FactIssue(IssueKind.SCAFFOLD, "本节标题：强化思想引领", "s1.1"),
                       FactIssue(IssueKind.REMOVED, "45%", "s1.1")]
    s.save(record.id, report=record.report)
    again = start({"d": record.id})
    infos = [i.value for i in again.info]
    assert any("提示词残留" in v and "本节标题" in v for v in infos)
    assert any("45%" in v and "已连同所在分句删去" in v for v in infos)


# ---- 15.3: 起草全文 asks before replacing hand edits; skipping is the default ----------------------------------
def test_15_3_draft_all_asks_and_keeps_hand_edits_by_default(bullets_text):
    at = drafted(bullets_text)
    at.text_area(key="text_opening").set_value("本单位上半年工作总结如下：")
    at.run()
    button(at, "起草全文").click()
    at.run()
    assert any("1 节已手动修改" in w.value and "一并重写还是跳过" in w.value for w in at.warning)
    skip = at.button(key="draft_skip")
    assert skip.proto.type == "primary", "skipping is the default"
    skip.click()
    at.run()
    assert at.text_area(key="text_opening").value == "本单位上半年工作总结如下："
    assert not store().load(draft_id(at)).report.opening.locked, "kept out for that draft only, not locked"
    assert not any(b.key == "draft_skip" for b in at.button), "the question is answered"
    button(at, "起草全文").click()
    at.run()
    at.button(key="draft_overwrite").click()
    at.run()
    assert at.text_area(key="text_opening").value.startswith("2023年上半年")
    assert any(v.note == "手动编辑" for v in store().versions(draft_id(at), "opening")), "the edit stays in history"


# ---- 15.4: progress and outcome in the card; the summary after 起草全文 ---------------------------------------
def test_15_4_outcome_inside_the_card_and_a_linked_summary(bullets_text):
    at = drafted(bullets_text)
    summary = " ".join(m.value for m in at.markdown)
    assert "起草完成" in summary and "(#zj-s1-1)" in summary and ("数字全部有出处" in summary or "来源不明" in summary)
    at.button(key="精简_s1.1").click()
    at.run()
    in_card = [a.value for a in between(at, "text_s1.1")]
    assert any("已按“精简”修改" in v for v in in_card), in_card


def test_15_4_estimate_comes_from_the_rate_and_the_length(monkeypatch):
    from ui import actions

    monkeypatch.setattr(actions, "rate", lambda: 20.0)  # characters a second
    assert actions.seconds_for(600) == 30 and actions.seconds_for(3) == 1


# ---- 15.5: 预览 ---------------------------------------------------------------------------------------
def test_15_5_preview_tab_counts_characters_against_the_target(bullets_text):
    at = fill(start(), bullets_text)
    at.text_input(key="target").set_value("1500")
    at.run()
    button(at, "起草全文").click()
    at.run()
    assert [t.label for t in at.tabs] == ["分节编辑", "预览"]
    preview = at.tabs[1]
    assert preview.metric[0].label == "全文字数" and preview.metric[0].value.endswith("字")
    captions = [c.value for c in preview.caption]
    assert any("目标约 1500 字（1275–1725 字）" in c for c in captions)
    assert any(c.startswith("开头：") and c.endswith("字") for c in captions)
    assert any("共青团某某区委员会" in m.value for m in preview.markdown)


def test_a_target_far_above_the_bullets_is_flagged_on_the_page(bullets_text):
    """The page's warnings see the target length the user set (brief_now, not current_brief): asked for
    5,000 characters on 8 bullets, the user is told the draft will likely fall short."""
    at = fill(start(), bullets_text)
    at.text_input(key="target").set_value("5000")
    at.run()
    button(at, "起草全文").click()
    at.run()
    notes = [c.value for c in at.caption if "目标约 5000 字" in c.value]
    assert notes and "补充工作要点" in notes[0], [c.value for c in at.caption]


# ---- 15.6: undo steps back, 恢复此版, delete confirmation, draft names ---------------------------------------
def test_15_6_undo_steps_back_and_restore_any_version(bullets_text):
    at = drafted(bullets_text)
    v1 = at.text_area(key="text_s2").value
    at.text_area(key="text_s2").set_value(v1 + "二是覆盖面窄。")
    at.run()
    at.text_area(key="text_s2").set_value(v1 + "二是覆盖面窄。三是创新不够。")
    at.run()
    at.button(key="undo_s2").click()
    at.run()
    assert at.text_area(key="text_s2").value == v1 + "二是覆盖面窄。"
    at.button(key="undo_s2").click()
    at.run()
    assert at.text_area(key="text_s2").value == v1, "the second 撤销 steps further back, no toggling"
    at.button(key="restore_s2_3").click()
    at.run()
    assert at.text_area(key="text_s2").value.endswith("三是创新不够。")


def test_15_6_delete_asks_first_and_opens_another_draft(bullets_text):
    at = drafted(bullets_text)
    first = draft_id(at)
    button(at, "＋ 新建草稿").click()
    at.run()
    second = draft_id(at)
    assert second != first
    labels = [b.label for b in at.sidebar.button if (b.key or "").startswith("open_")]
    assert len(labels) == 2 and all("工作总结" in lb for lb in labels), labels
    at.button(key=f"del_{second}").click()
    at.run()
    assert store().load(second) is not None, "one click deletes nothing"
    at.button(key=f"delok_{second}").click()
    at.run()
    assert store().load(second) is None
    assert draft_id(at) == first, "the next draft is opened, not an empty one"
    assert at.text_input(key="unit").value == "共青团某某区委员会"
    told = [m.value for kind in (at.warning, at.info, at.success) for m in kind if "已删除草稿" in str(m.value)]
    assert told and not any("\\\\" in t for t in told), told  # escaped once (Markdown source), not twice


# ---- 15.7: small but visible --------------------------------------------------------------------------
def test_15_7_empty_bullets_with_example_and_fill_button():
    at = start()
    box = at.text_area(key="bullets")
    assert box.value == "" and "例如" in box.placeholder
    button(at, "填入示例").click()
    at.run()
    assert "4560名" in at.text_area(key="bullets").value


def test_15_7_outline_lists_bullets_under_headings_with_short_menus(bullets_text):
    at = fill(start(), bullets_text)
    button(at, "生成提纲").click()
    at.run()
    menu = at.selectbox(key="assign_B1")
    assert "opening" not in menu.options and all(len(o) <= 24 for o in menu.options)
    assert all(o.startswith("移到…") for o in menu.options)


def test_15_7_style_choice_says_it_does_nothing_on_the_embedded_model(monkeypatch):
    monkeypatch.delenv("ZONGJIE_FAKE_LLM")
    at = start()
    assert "内置模型不使用" in at.selectbox(key="pinned").label


def test_15_7_add_or_confirm_an_unsourced_fact(bullets_text):
    at = drafted(bullets_text)
    at.text_area(key="text_s2").set_value(at.text_area(key="text_s2").value + "另有活动99场。")
    at.run()
    assert any("99场" in w.value for w in at.warning)
    at.button(key="keepfact_s2_0").click()
    at.run()
    assert not any("99场" in w.value for w in at.warning)
    assert not any("99场" in w.value for w in start({"d": draft_id(at)}).warning), "the confirmation is saved"
    at.text_area(key="text_s2").set_value(at.text_area(key="text_s2").value + "培训骨干77人。")
    at.run()
    add = next(b for b in at.button if (b.key or "").startswith("addfact_s2_"))
    add.click()
    at.run()
    assert "培训骨干77人" in at.text_area(key="bullets").value
    assert not any("77人" in w.value for w in at.warning)


def test_15_7_inline_heading_export_does_not_repeat_the_heading(bullets_text):
    from zongjie.brief import make_brief
    from zongjie.export_docx import export_docx
    from zongjie.outline import build_outline

    report = build_outline(make_brief(bullets_text, "共青团某某区委员会", "2023年上半年", "工作总结", ""))
    sub = report.sections[0].subsections[0]
    sub.paragraphs = [Paragraph(f"{sub.heading}。开展主题团日活动30余场，覆盖4560名团员青年，反响良好。")]
    text = "\n".join(p.text for p in Document(io.BytesIO(export_docx(report, inline_headlines=True))).paragraphs)
    assert text.count(sub.heading) == 1


# ---- issue 14: target length and input findings ---------------------------------------------------------
def test_14_target_length_is_saved_and_reaches_the_brief(bullets_text, monkeypatch):
    from zongjie.draft import Drafter

    seen = []
    original = Drafter.draft_report
    monkeypatch.setattr(Drafter, "draft_report", lambda self, brief, *a, **k: seen.append(brief.target_chars)
                        or original(self, brief, *a, **k))
    at = fill(start(), bullets_text)
    at.text_input(key="target").set_value("约3000字")
    at.run()
    button(at, "起草全文").click()
    at.run()
    assert seen == [3000]
    assert start({"d": draft_id(at)}).text_input(key="target").value == "约3000字"


def test_14_placeholders_and_typos_are_named_before_drafting():
    at = fill(start(), "召开党的XX大精神宣讲会5场\n掯实团干部工作责任")
    found = " ".join(w.value for w in at.warning)
    assert "第1行" in found and "XX" in found and "第2行" in found and "掯实" in found


# ---- 16.6: user and model text as text -------------------------------------------------------------------
HOSTILE = "![](http://127.0.0.1:9/x.png) $x^2$ :red[红] "


def test_16_6_markdown_in_title_bullets_and_labels_stays_text():
    at = fill(start(), "**开展主题团日活动30余场 " + HOSTILE + "\n组织“青年大学习”参学率92%")
    at.text_input(key="title").set_value(HOSTILE + "工作总结")
    at.run()
    button(at, "起草全文").click()
    at.run()
    assert not at.exception
    for m in at.markdown:
        if "![](" in m.value:
            assert m.value.startswith("<div>") and "$x" not in m.value, m.value  # raw HTML block, $ as entity
    for label in [c.value for c in at.caption] + [b.label for b in at.button] + [s.label for s in at.selectbox]:
        assert "![](" not in label and ":red[" not in label and "$x^2$" not in label, label


def test_a_draft_label_keeps_the_year_whole():
    # Walkthrough finding: "共青团某某区委员会202 · 工作总结" cut the year in half.
    from ui.drafts import name

    label = name("共青团某某区委员会2023年上半年工作总结", "工作总结", 0)
    assert label.startswith("某某区委员会2023年上半年 · 工作总结 · "), label
    long = name("共青团某某省某某市某某县某某镇委员会2023年工作总结", "工作总结", 0)
    assert long.split(" · ")[0].endswith("…") and len(long.split(" · ")[0]) == 16
