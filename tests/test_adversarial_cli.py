"""Issue 16, the command line: it must never destroy its input or a file it did not write (#2), and it
checks where it will write before it spends minutes drafting (#16)."""
from __future__ import annotations

import os

import pytest

from zongjie.cli import main

UNIT = ["--unit", "共青团某某区委员会", "--period", "2023年上半年"]


def draft(src, out, *extra) -> int:
    return main(["draft", str(src), *UNIT, "--fake", "--no-examples", "-o", str(out), *extra])


@pytest.fixture
def bullets(tmp_path, bullets_text):
    src = tmp_path / "要点.md"
    src.write_text(bullets_text, encoding="utf-8")
    return src


def test_2_an_output_that_is_the_input_is_refused_and_the_input_kept(bullets, tmp_path, capsys):
    before = bullets.read_bytes()
    # 要点.md → 要点.docx would write its Markdown export over 要点.md.
    assert draft(bullets, tmp_path / "要点.docx") == 2
    err = capsys.readouterr().err
    assert "要点文件" in err and "覆盖" in err and "起草" not in err
    assert bullets.read_bytes() == before and not (tmp_path / "要点.docx").exists()
    # The same through another spelling of the path.
    assert draft(bullets, tmp_path / "sub" / ".." / "要点.docx") == 2
    assert bullets.read_bytes() == before


def test_2_a_non_docx_output_is_refused(tmp_path, bullets_text, capsys):
    src = tmp_path / "same.txt"
    src.write_text(bullets_text, encoding="utf-8")
    for out in (src, tmp_path / "other.txt", tmp_path / "report.md", tmp_path / "report"):
        assert draft(src, out) == 2
        assert ".docx" in capsys.readouterr().err
        assert src.read_text(encoding="utf-8") == bullets_text
    assert not (tmp_path / "other.txt").exists() and not (tmp_path / "report.md").exists()


def test_2_a_markdown_file_zongjie_did_not_write_is_not_overwritten(bullets, tmp_path, capsys):
    out = tmp_path / "报告.docx"
    notes = tmp_path / "报告.md"
    notes.write_text("# 我自己的笔记\n\n不要覆盖。\n", encoding="utf-8")
    assert draft(bullets, out) == 2
    err = capsys.readouterr().err
    assert str(notes) in err and "--force" in err
    assert notes.read_text(encoding="utf-8") == "# 我自己的笔记\n\n不要覆盖。\n" and not out.exists()
    assert draft(bullets, out, "--force") == 0
    assert notes.read_text(encoding="utf-8").startswith("# 共青团某某区委员会")


def test_2_its_own_markdown_is_replaced_on_the_next_run(bullets, tmp_path):
    out = tmp_path / "报告.docx"
    assert draft(bullets, out) == 0
    first = out.with_suffix(".md").read_text(encoding="utf-8")
    assert first.startswith("# 共青团某某区委员会")
    assert draft(bullets, out, "--date", "2023年7月10日") == 0
    assert "2023年7月10日" in out.with_suffix(".md").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["below-a-file", "a-directory", "md-is-a-directory"])
def test_16_an_unwritable_output_is_reported_before_drafting(where, bullets, tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    out = {"below-a-file": blocker / "out.docx", "a-directory": tmp_path / "dir.docx",
           "md-is-a-directory": tmp_path / "r.docx"}[where]
    if where == "a-directory":
        out.mkdir()
    if where == "md-is-a-directory":
        (tmp_path / "r.md").mkdir()
    assert draft(bullets, out) == 2
    err = capsys.readouterr().err
    assert "起草" not in err, "the check comes before any drafting"
    assert "输出" in err and "Errno" not in err, err
    assert blocker.read_text() == "x"


def test_16_a_read_only_output_directory_is_reported_before_drafting(bullets, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()

    real_open = os.open

    def refuse(path, flags, *args, **kwargs):  # root ignores chmod; a refusing open() is the same to us
        if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert draft(bullets, folder / "r.docx") == 2
    err = capsys.readouterr().err
    assert "起草" not in err and "权限" in err
