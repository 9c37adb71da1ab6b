"""The 从素材整理要点 step on the page (AppTest, fake model), the ledger's provenance, and the CLI."""
from __future__ import annotations

import pytest
from conftest import FIXTURES
from test_app import button, fill, start

from zongjie.cli import main
from zongjie.model import Brief, Bullet
from zongjie.upload import MSG_ENCRYPTED

GATHER = FIXTURES / "gather"


@pytest.fixture
def fake_llm(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")


def upload(at, *names: str):
    at.file_uploader(key="gather_files").set_value([(n, (GATHER / n).read_bytes(), "application/octet-stream")
                                                     for n in names])
    at.run()
    at.button(key="gather_run").click()
    return at.run()


def picks(at) -> dict[str, bool]:
    return {t.value: at.checkbox(key=t.key.replace("gtext_", "gpick_")).value
            for t in at.text_input if t.key and t.key.startswith("gtext_")}


def test_gather_tick_append_draft_and_see_provenance(fake_llm):
    at = fill(start(), "开展团课10场")
    draft_id = at.query_params["d"][0] if isinstance(at.query_params["d"], list) else at.query_params["d"]
    upload(at, "3月工作信息.txt", "3月简报.md", "5月简报.docx", "加密.docx")
    assert not at.exception
    assert any("《加密" in e.value and "已加密" in e.value for e in at.error)
    found = picks(at)
    assert all(found.values()) and len(found) == 6  # 7 statements, the 学雷锋 one reported twice
    meeting = next(t for t in at.text_input if t.key.startswith("gtext_") and "工作会议" in t.value)
    at.checkbox(key=meeting.key.replace("gtext_", "gpick_")).uncheck()
    branch = next(t for t in at.text_input if t.key.startswith("gtext_") and "1800余名" in t.value)
    branch.set_value("5月4日举办“青春心向党”主题团日活动，覆盖团员青年1800余名")
    at.run()
    at.button(key="gather_append").click()
    at.run()
    assert not at.exception
    bullets = at.text_area(key="bullets").value
    lines = bullets.splitlines()
    assert lines[0] == "开展团课10场" and len(lines) == 6
    assert "工作会议" not in bullets
    assert "5月4日举办“青春心向党”主题团日活动，覆盖团员青年1800余名〔来自《5月简报》第3段〕" in lines
    assert "问题：部分基层团组织理论学习形式单一，吸引力不强〔来自《3月工作信息》第7段〕" in lines
    assert any("已把 5 条要点加入" in s.value for s in at.success)
    assert not [t for t in at.text_input if t.key and t.key.startswith("gtext_")]  # the list is cleared
    # saved with the draft: a new session finds the lines and their provenance
    again = start({"d": draft_id})
    assert again.text_area(key="bullets").value == bullets
    button(again, "起草全文").click()
    again.run()
    assert not again.exception and not again.error
    ledger = " ".join(m.value for m in again.markdown if "zj-src" in m.value)
    assert "来自《5月简报》第3段" in ledger
    assert "来自《3月工作信息》第5段；《3月简报》第2段" in ledger
    drafted = " ".join(t.value for t in again.text_area if t.key.startswith("text_"))
    assert "1800余名" in drafted and "第3段" not in drafted and "〔" not in drafted


def test_bad_files_only_give_messages_and_change_nothing(fake_llm):
    at = fill(start(), "开展团课10场")
    upload(at, "3月简报.md")
    before = picks(at)
    assert len(before) == 2
    upload(at, "加密.docx", "只有图片.docx", "空.txt")
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert MSG_ENCRYPTED.split("，")[0].replace(".", "\\.") in errors
    assert "只有图片" in errors and "空" in errors and errors.count("未能读取") == 3
    assert picks(at) == before  # the candidates of the earlier upload are still there, still ticked
    assert at.text_area(key="bullets").value == "开展团课10场"


def test_nothing_to_gather_says_so(fake_llm):
    at = start()
    at.button(key="gather_run").click()
    at.run()
    assert any("请先上传素材文件" in w.value for w in at.warning)


def test_a_click_before_the_upload_landed_gathers_once_it_lands(fake_llm):
    # In a browser the file chip shows before the upload reaches the server; a click in between found
    # no files. The upload's own rerun then does what the click asked.
    at = start()
    at.button(key="gather_run").click()
    at.run()
    assert any("请先上传素材文件" in w.value for w in at.warning)
    at.file_uploader(key="gather_files").set_value([("3月简报.md", (GATHER / "3月简报.md").read_bytes(),
                                                      "application/octet-stream")])
    at.run()
    assert picks(at) and not at.warning, "gathered without a second click"
    gen = at.session_state["gather_gen"]
    at.run()
    assert at.session_state["gather_gen"] == gen and picks(at), "and only once"


def test_ledger_names_the_file_of_a_gathered_bullet():
    from ui.sections import ledger_html

    brief = Brief("团县委", "2023年上半年", "工作总结",
                  [Bullet("B1", "开展活动30场", source="《3月简报》第2段"), Bullet("B2", "发展团员35名")])
    html = ledger_html([("30场", "B1"), ("35名", "B2")], brief)
    assert "B1 来自《3月简报》第2段" in html and "B2 来自" not in html


# ---- CLI ----------------------------------------------------------------------------------------------
def test_cli_gather_writes_bullets_and_names_bad_files(tmp_path, capsys):
    out = tmp_path / "bullets.txt"
    files = [str(GATHER / n) for n in ("3月工作信息.txt", "3月简报.md", "加密.docx", "空.txt")]
    assert main(["gather", *files, "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "问题：部分基层团组织理论学习形式单一，吸引力不强〔来自《3月工作信息》第7段〕" in lines
    assert any(line.startswith("计划：") for line in lines)
    err = capsys.readouterr().err
    assert "加密.docx" in err and "已加密" in err and "空.txt" in err
    assert "合并重复 1 条" in err and f"得到要点 {len(lines)} 条" in err
    assert "来自《3月工作信息》第5段；《3月简报》第2段" in err


def test_cli_gathered_file_drafts_with_provenance_kept_out_of_the_text(tmp_path):
    out = tmp_path / "bullets.txt"
    assert main(["gather", str(GATHER / "3月工作信息.txt"), "-o", str(out)]) == 0
    report = tmp_path / "r.docx"
    assert main(["draft", str(out), "--unit", "团县委", "--period", "2023年上半年", "--fake", "--no-examples",
                 "-o", str(report)]) == 0
    text = report.with_suffix(".md").read_text(encoding="utf-8")
    assert "600余人次" in text and "来自《" not in text and "第5段" not in text


def test_cli_gather_fails_only_when_nothing_is_read(tmp_path, capsys):
    assert main(["gather", str(GATHER / "空.txt"), str(tmp_path / "missing.txt")]) == 1
    assert "没有读出任何素材" in capsys.readouterr().err
    assert main(["gather", "--no-source", str(GATHER / "4月新闻.txt")]) == 0
    assert capsys.readouterr().out.strip().endswith("吸引100余名青年参加")


def test_cli_gather_refuses_to_overwrite_a_source(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("团县委开展活动3场。", encoding="utf-8")
    assert main(["gather", str(source), "-o", str(source)]) == 2
    assert source.read_text(encoding="utf-8") == "团县委开展活动3场。"
    assert "覆盖" in capsys.readouterr().err


def test_bench_gather_meets_its_targets(capsys):
    import sys

    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    import gather as bench

    assert bench.main(["--files", "20", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "recall" in out and "precision" in out and "traceable" in out
