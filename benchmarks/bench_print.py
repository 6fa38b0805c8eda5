"""How long a 初审公示 list of 1,000 and 10,000 households takes to print (figures, not a test).

    .venv/bin/python benchmarks/bench_print.py [ROWS ...]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from pathlib import Path

from doudi_desk.printing import Part, PostedList, PostedOffice, PostedRow, PrintConfig, render

TEMPLATES = str(Path(__file__).resolve().parents[1] / "print_templates")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁"
GIVEN = "建国秀兰桂英志强丽娟德明玉梅海燕春生淑珍红梅文博子涵浩然雨欣金凤长顺福贵明辉"


def rows(n: int) -> tuple[PostedRow, ...]:
    out = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
        out.append(PostedRow(name=name, members=1 + i % 5, covered=1 + i % 5, amount=str(300 + i % 2500),
                             category=("新增", "续保", "调整", "停保")[i % 4]))
    return tuple(out)


def main(sizes: list[int]) -> None:
    config = PrintConfig(template_dirs=(TEMPLATES,))
    office = PostedOffice(name="桃源镇人民政府", phone="0311-8661 2345", address="桃源镇人民路1号")
    render(Part("posting_list", PostedList(title="预热", village="东岗村", township="桃源镇", office=office,
                                           issued_on=dt.date(2026, 11, 20), rows=rows(10))), config)
    for n in sizes:
        data = PostedList(title="东岗村最低生活保障初审公示", village="东岗村", township="桃源镇", office=office,
                          issued_on=dt.date(2026, 11, 20), start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 26),
                          rows=rows(n))
        started = time.perf_counter()
        pdf = render(Part("posting_list", data), config)
        took = time.perf_counter() - started
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"初审公示名单 {n:>6} 户：{took:6.2f} 秒，{pages} 页（{pages / took:.0f} 页/秒），{len(pdf) // 1024} KB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
