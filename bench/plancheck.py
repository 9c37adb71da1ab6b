"""上期计划对照 on constructed pairs: plan items of a last report, this period's bullets written as a
cadre would (paraphrases, abbreviations, figures met or not), and items really not done.

    .venv/bin/python bench/plancheck.py

Prints, for 已落实 and for "seen at all" (已落实 or 部分落实 against 未见落实), precision and recall against the
labels below, the exact-label accuracy, and the items judged wrongly.
"""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from zongjie.brief import parse_bullets  # noqa: E402
from zongjie.plancheck import PlanItem, Status, check_plans  # noqa: E402

D, P, N = Status.DONE, Status.PARTLY, Status.NOT_SEEN
# (plan item as last period's report stated it, gold status)
CASES = [
    ("深化青年马克思主义者培养工程。举办第三期县级青马班，培养学员50名。", D),
    ("抓好团员发展工作。全年发展新团员80名。", P),
    ("深化志愿服务。组织青年志愿者开展“学雷锋”志愿服务活动20场。", D),
    ("加强团干部队伍建设。举办团干部培训班2期。", P),
    ("推进智慧团建系统数据核查，确保数据准确。", N),
    ("探索建立青年人才回引机制，建立返乡青年人才库。", N),
    ("持续开展“青年大学习”网上主题团课，参学率保持在90%以上。", D),
    ("做好推优入党工作，推荐优秀团员入党20名。", D),
    ("加强少先队阵地建设，新建少先队活动室5个。", D),
    ("开展大学生返家乡社会实践活动。", D),
    ("加强网络宣传阵地建设，团县委微信公众号全年发布推文200篇。", P),
    ("落实意识形态工作责任制，每季度开展一次意识形态形势研判。", D),
    ("实施希望工程圆梦行动，资助困难学生100名。", D),
    ("推进基层团组织换届，完成30个团支部按期换届。", P),
    ("举办青年创业大赛，扶持青年创业项目10个。", N),
    ("开展青少年禁毒宣传教育活动。", N),
    ("加强青少年心理健康服务，开设心理咨询热线。", N),
    ("组织开展“我为群众办实事”实践活动。", D),
    ("深化“青年之家”建设，新建青年之家3个。", D),
    ("开展青年婚恋交友联谊活动2场。", N),
]
BULLETS = """举办第三期青马工程培训班，培养学员50名
发展新团员45名
组织“学雷锋”志愿服务活动22场，参与志愿者800人次
团干部培训班举办1期
青年大学习参学率达92%
推荐12名优秀团员作为党的发展对象，推优入党20名
新建少先队活动室6个
组织68名返乡大学生参加“返家乡”社会实践
团县委公众号上半年发布推文120篇
召开意识形态形势研判会4次，落实意识形态责任制
希望工程圆梦行动资助困难学生120名
完成12个团支部换届
开展“我为群众办实事”实践活动15场，解决群众急难愁盼问题30件
新建青年之家3个，累计开展活动40场
问题：青年就业创业服务覆盖面不够广
下半年计划举办青年创业大赛"""


def main() -> int:
    bullets = parse_bullets(BULLETS)
    items = [PlanItem(text.split("。")[0].split("，")[0], text) for text, _ in CASES]
    matches = check_plans(items, bullets)
    gold = [status for _, status in CASES]
    got = [m.status for m in matches]

    def pr(positive: set[Status]) -> tuple[float, float]:
        tp = sum(g in positive and s in positive for g, s in zip(gold, got, strict=True))
        fp = sum(g not in positive and s in positive for g, s in zip(gold, got, strict=True))
        fn = sum(g in positive and s not in positive for g, s in zip(gold, got, strict=True))
        return tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0

    print(f"上期计划对照 bench: {len(CASES)} plan items ({gold.count(D)} 已落实, {gold.count(P)} 部分落实, "
          f"{gold.count(N)} 未见落实), {len(bullets)} bullets")
    for name, positive in (("已落实", {D}), ("落实 at all (已/部分)", {D, P})):
        precision, recall = pr(positive)
        print(f"  {name:20s} precision {precision:.2f}  recall {recall:.2f}")
    print(f"  exact label accuracy {sum(g == s for g, s in zip(gold, got, strict=True)) / len(gold):.2f}")
    for (text, g), m in zip(CASES, matches, strict=True):
        if g != m.status:
            print(f"  wrong: {text[:24]}… gold {g}, got {m.status} ({m.score}) ← {m.bullet.text if m.bullet else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
