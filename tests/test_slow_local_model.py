"""The real embedded model (Qwen2.5-Coder-1.5B Q4_K_M on llama.cpp's llama-server), end to end, through
the composition root as the page and the CLI use it: several sections drafted at once on the server's
slots. Minutes, not seconds."""
import re
import time

import pytest

from zongjie.brief import make_brief
from zongjie.facts import extract_facts
from zongjie.runtime import EmbeddedServer, Runtime
from zongjie.settings import Settings
from zongjie.writers.compact import EXAMPLE_UNIT

pytestmark = pytest.mark.slow

BULLETS = """五四期间开展青年文化节主题团日活动30余场，覆盖4560名团员青年
团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次
上半年发展新团员35名，完成12个基层团支部换届
组织青年志愿者开展志愿服务活动15场
问题：部分基层团组织理论学习形式单一
下一步：举办青年干部培训班2期"""


def test_real_model_drafts_sections_in_parallel_and_keeps_the_bullets_numbers(monkeypatch):
    from retrieval.index import default_index

    monkeypatch.setenv("ZONGJIE_LOCAL_PARALLEL", "2")  # 2 cores default to 1 slot; parallel must still work

    brief = make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")
    # temperature 0: greedy decoding, so the run is repeatable on one machine
    rt = Runtime(Settings(temperature=0.0, max_tokens=500), fake=False, server=EmbeddedServer())
    assert rt.compact, "the embedded model drafts in compact style by default"
    try:
        drafter = rt.drafter(default_index())  # starts the server and warms its prompt prefix
        server = rt.server._server
        assert rt.concurrency == server.parallel >= 2, "sections run side by side on the server's slots"
        log_start = server.log_path.stat().st_size
        started = time.monotonic()
        report = drafter.draft_report(brief, concurrency=rt.concurrency)
        elapsed = time.monotonic() - started
        with server.log_path.open("rb") as fh:
            fh.seek(log_start)
            log = fh.read().decode("utf-8", "replace")
    finally:
        rt.close()
    full = "\n".join(s.text for s in report.all_sections())
    print(f"\n[slow] drafted {len(full)} chars in {elapsed:.1f}s, calls={drafter.stats}\n{full[:800]}")
    slots = set(re.findall(r"slot launch_slot_: id +(\d+)", log))
    assert len(slots) >= 2, f"calls ran on one slot only: {slots}"
    assert all(s.text for s in report.drafting_units())
    missing = [f.raw for b in brief.bullets for f in extract_facts(b.text)
               if f.kind == "number" and f.raw not in full]
    assert not missing, f"numbers from the bullets missing in the draft: {missing}"
    invented = [i.text for s in report.all_sections() for i in s.issues
                if i.kind == "来源不明" and any(c.isdigit() for c in i.text)]
    assert not invented, f"numbers the bullets do not have: {invented}"
    assert EXAMPLE_UNIT not in full, "the worked examples' unit is replaced by the report's"
    assert "【" not in full and "工作要点" not in full, "no prompt scaffolding in the text"
