"""上期计划对照 (zongjie.plancheck): plan items from last period's report, matched to this period's bullets."""
from __future__ import annotations

import pytest
from conftest import FIXTURES
from test_app import fill, start

from zongjie.brief import parse_bullets
from zongjie.cli import main
from zongjie.plancheck import PlanItem, Status, check_plans, normalise, plan_items, summary_line

LAST = FIXTURES / "gather" / "上期总结.txt"


def test_plan_items_come_from_the_plan_part_only():
    items = plan_items(LAST.read_text(encoding="utf-8"))
    assert [i.label for i in items] == ["深化青年马克思主义者培养工程", "抓好团员发展和推优入党工作", "深化志愿服务",
                                        "加强团干部队伍建设", "推进智慧团建系统数据核查", "探索建立青年人才回引机制"]
    assert "培养学员50名" in items[0].text
    assert not any("参学率" in i.text for i in items)  # 上半年工作开展情况 is no plan


def test_yishi_points_in_one_paragraph_are_items():
    text = ("某单位2023年工作总结\n一、主要工作\n开展活动10场。\n二、下一步工作打算\n"
            "下一步，我们将重点抓好以下工作：一是深化青马工程，举办培训班1期；二是加强团干部队伍建设；三是推进团员发展。")
    labels = [i.label for i in plan_items(text)]
    assert labels == ["深化青马工程", "加强团干部队伍建设", "推进团员发展"]


def test_a_lead_in_paragraph_is_no_item():
    # zongjie's own 打算 past three items: the framing line, then one paragraph per item.
    text = ("某单位2023年工作总结\n一、主要工作\n开展活动10场。\n二、下一步工作打算\n"
            "下一步，将立足青年所需、围绕中心大局，重点抓好以下几方面工作：\n一是深化青马工程，举办培训班1期。\n"
            "二是加强团干部队伍建设。\n三是推进团员发展。\n四是深化志愿服务。")
    labels = [i.label for i in plan_items(text)]
    assert labels == ["深化青马工程", "加强团干部队伍建设", "推进团员发展", "深化志愿服务"]


def test_abbreviations_read_as_one_word():
    assert normalise("深化青年马克思主义者培养工程") == "深化青马工程"
    assert normalise("举办青马班") == "举办青马工程"


@pytest.mark.parametrize("bullet, status", [
    ("举办第三期青马工程培训班，培养学员50名", Status.DONE),  # abbreviation, figure met
    ("举办青马工程培训班，培养学员30名", Status.PARTLY),  # the figure fell short
    ("组织“学雷锋”志愿服务活动22场", Status.NOT_SEEN),  # other work
    ("问题：青马工程培训班未能如期举办", Status.NOT_SEEN),  # a problem is no work done
])
def test_status_of_one_item(bullet, status):
    item = PlanItem("深化青年马克思主义者培养工程",
                    "深化青年马克思主义者培养工程。举办第三期县级青马班，培养学员50名。")
    match = check_plans([item], parse_bullets(bullet))[0]
    assert match.status == status
    assert (match.bullet is None) == (status == Status.NOT_SEEN)


def test_summary_line_counts_done_items():
    items = [PlanItem("深化志愿服务", "深化志愿服务"), PlanItem("开展禁毒宣传", "开展禁毒宣传")]
    matches = check_plans(items, parse_bullets("组织志愿服务活动22场"))
    assert summary_line(matches) == "对照年初确定的2项重点任务，已完成1项。"


def test_cli_plancheck_prints_the_table(tmp_path, capsys):
    bullets = tmp_path / "b.txt"
    bullets.write_text("举办第三期青马工程培训班，培养学员50名\n团干部培训班举办1期\n", encoding="utf-8")
    assert main(["plancheck", str(LAST), str(bullets)]) == 0
    captured = capsys.readouterr()
    assert " 1. [已落实] 深化青年马克思主义者培养工程  ← B1" in captured.out
    assert " 4. [部分落实] 加强团干部队伍建设  ← B2" in captured.out
    assert " 6. [未见落实] 探索建立青年人才回引机制" in captured.out
    assert "对照年初确定的6项重点任务，已完成1项" in captured.err


def test_cli_plancheck_without_a_plan_part(tmp_path, capsys):
    report, bullets = tmp_path / "r.txt", tmp_path / "b.txt"
    report.write_text("某单位工作总结\n一、主要工作\n开展活动10场。\n", encoding="utf-8")
    bullets.write_text("开展活动10场\n", encoding="utf-8")
    assert main(["plancheck", str(report), str(bullets)]) == 1
    assert "没有找到" in capsys.readouterr().err


def test_page_table_and_one_click_conversion(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")
    at = fill(start(), "举办第三期青马工程培训班，培养学员50名")
    at.file_uploader(key="plan_report").set_value([("上期总结.txt", LAST.read_bytes(), "text/plain")])
    at.run()
    at.button(key="plan_run").click()
    at.run()
    assert not at.exception
    cells = " ".join(m.value for m in at.markdown)
    assert "已落实" in cells and "未见落实" in cells and "探索建立青年人才回引机制" in cells
    at.button(key="plan_plan_5").click()
    at.run()
    at.button(key="plan_problem_4").click()
    at.run()
    assert at.text_area(key="bullets").value.splitlines() == [
        "举办第三期青马工程培训班，培养学员50名", "计划：探索建立青年人才回引机制",
        "问题：推进智慧团建系统数据核查尚未完全落实"]
    assert not any(c.value.startswith("对照年初") for c in at.code)  # only once the user confirms
    at.checkbox(key="plan_confirmed").check()
    at.run()
    assert any(c.value == "对照年初确定的6项重点任务，已完成1项。" for c in at.code)


def test_bench_plancheck_runs(capsys):
    import sys

    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    import plancheck as bench

    assert bench.main() == 0
    out = capsys.readouterr().out
    assert "已落实" in out and "precision 1.00  recall 1.00" in out
