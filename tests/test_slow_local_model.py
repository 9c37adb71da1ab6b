"""The real embedded model (Qwen2.5-Coder-1.5B Q4_K_M on llama.cpp), end to end. Minutes, not seconds."""
import time

import pytest

from zongjie.brief import make_brief
from zongjie.draft import EXAMPLE_UNIT, Drafter, warm_up
from zongjie.facts import extract_facts
from zongjie.llm import connect
from zongjie.settings import Settings

pytestmark = pytest.mark.slow

BULLETS = """五四期间开展青年文化节主题团日活动30余场，覆盖4560名团员青年
团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次
上半年发展新团员35名，完成12个基层团支部换届
组织青年志愿者开展志愿服务活动15场
问题：部分基层团组织理论学习形式单一
下一步：举办青年干部培训班2期"""


def test_real_model_drafts_a_report_that_keeps_the_bullets_numbers():
    from retrieval.index import default_index

    brief = make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")
    # temperature 0: greedy decoding, so the run is repeatable on one machine
    settings = Settings(temperature=0.0, max_tokens=500)
    assert settings.compact, "the embedded model drafts in compact style by default"
    chat, server = connect(settings)
    try:
        warm_up(chat)  # as the app does after starting the server: the real server accepts max_tokens=1
        started = time.monotonic()
        drafter = Drafter(chat=chat, index=default_index(), compact=settings.compact)
        report = drafter.draft_report(brief)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    full = "\n".join(s.text for s in report.all_sections())
    print(f"\n[slow] drafted {len(full)} chars in {elapsed:.1f}s, calls={drafter.stats}\n{full[:600]}")
    assert all(s.text for s in report.drafting_units())
    missing = [f.raw for b in brief.bullets for f in extract_facts(b.text)
               if f.kind == "number" and f.raw not in full]
    assert not missing, f"numbers from the bullets missing in the draft: {missing}"
    invented = [i.text for s in report.all_sections() for i in s.issues
                if i.kind == "来源不明" and any(c.isdigit() for c in i.text)]
    assert not invented, f"numbers the bullets do not have: {invented}"
    assert EXAMPLE_UNIT not in full, "the worked examples' unit is replaced by the report's"
