"""Chinese typography of printed documents (issue 10 item 15), on the printing layer alone.

- 禁则: no line starts with 。，；：）」 or ends with （「, in one-font and in mixed-font paragraphs;
- a table heading breaks only at <br/> or before a closing "（…）", never inside a word;
- a 落款 never stands alone at the top of a page, and every page after the first names the document
  and the household.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from printing_helpers import flat, pages_text, save_png
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from doudi_desk.printing import Part, PrintConfig, render
from doudi_desk.printing.fonts import resolve_fonts
from doudi_desk.printing.markup import Builder, parse

TEMPLATES = str(Path(__file__).resolve().parents[2] / "print_templates")
CONFIG = PrintConfig(template_dirs=(TEMPLATES,))
FONTS = resolve_fonts({})
TEXTS = [
    "5. 财产核查符合：金融资产2,000元，限额1人×24个月×720元=17,280元；非残疾人代步机动车0辆（不允许）；"
    "住房1套（限1套）；商业用房无。",
    "村（居）委会意见（盖章）：我们已经核实了，情况属实。另外「这是引号」，（这是括号）。",
    "家庭净收入=16,000元−1,600元−0元=14,400元；人均月收入=14,400元÷12个月÷1人=1,200元。",
]


def _lines(markup: str, width: float) -> list[str]:
    style = ParagraphStyle("t", fontName=FONTS.name("fang"), fontSize=9, leading=12, wordWrap="CJK")
    p = Paragraph(markup, style)
    p.wrap(width, 10_000)
    out = []
    for line in p.blPara.lines:
        if isinstance(line, tuple):  # one font: (extra space, words)
            out.append("".join(line[1]))
        else:  # several fonts: fragments
            out.append("".join(getattr(w, "text", "") for w in line.words))
    return out


@pytest.mark.parametrize("mixed", [False, True], ids=["one_font", "mixed_fonts"])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(mixed):
    import doudi_desk.printing.markup  # noqa: F401 (installs the line breaking)

    bad = []
    for text in TEXTS:
        markup = text if not mixed else f'<font name="{FONTS.name("hei")}">{text[:4]}</font>{text[4:]}'
        for width in range(40, 440, 3):
            lines = _lines(markup, width)
            assert "".join(lines).replace(" ", "") == text.replace(" ", ""), (width, lines)  # nothing lost
            for i, line in enumerate(lines):
                if (i and line[:1] in "。，；：）」") or (i < len(lines) - 1 and line[-1:] in "（「"):
                    bad.append((width, line))
    assert not bad, bad[:5]


def test_a_number_is_kept_whole_where_a_few_characters_back_allow():
    from doudi_desk.printing.linebreak import break_at

    chars = list("限额1人×24个月×720元=17,280元")
    end = break_at(chars, 0, chars.index("2", 15) + 1)  # the line would end inside 17,280
    assert "".join(chars[:end]).endswith("=") and "".join(chars[end:]).startswith("17,280")


def test_heading_words():
    from doudi_desk.printing.markup import heading_words

    assert heading_words("拟保障金额（元/月）") == ["拟保障金额", "（元/月）"]
    assert heading_words("村（居）委会意见") == ["村（居）委会意见"]
    assert heading_words("评议对象\n（户主）") == ["评议对象", "（户主）"]


def _build(xml: str):
    builder = Builder(FONTS, "test")
    return builder, builder.build(parse(xml, "test"))


def test_headings_never_break_inside_a_word():
    xml = """<document style="form"><table widths="0.6,1,4,1.2,1.2,1.2,1.2,1.2" header="1" size="五号">
    <tr><th>姓名</th><th>与户主关系</th><th>公民身份号码</th><th>健康状况</th><th>残疾类别等级</th><th>劳动能力</th>
    <th>拟保障金额（元/月）</th><th>家庭成员签字（手印）</th></tr>
    <tr><td>王建国</td><td>户主</td><td>130102197203150316</td><td>健康</td><td>无</td><td>有</td><td>500</td><td></td></tr>
    </table></document>"""
    _builder, built = _build(xml)
    table = built.flowables[0]
    table.wrap(440, 800)
    words = {"与户主关系", "残疾类别等级", "健康状况", "劳动能力", "拟保障金额", "（元/月）", "家庭成员签字", "（手印）"}
    for c, cell in enumerate(table._cellvalues[0]):
        cell = cell[0] if isinstance(cell, list | tuple) else cell
        cell.wrap(table._colWidths[c] - 6, 800)
        lines = ["".join(line[1]) if isinstance(line, tuple) else "".join(w.text for w in line.words)
                 for line in cell.blPara.lines]
        for line in lines:  # each line is whole words
            rest = line
            for w in sorted(words | {"姓名", "公民身份号码"}, key=len, reverse=True):
                rest = rest.replace(w, "")
            assert rest == "", (c, lines)
    # the body keeps the ID number and the name whole
    id_cell = table._cellvalues[1][2]
    id_cell = id_cell[0] if isinstance(id_cell, list | tuple) else id_cell
    assert id_cell.wrap(table._colWidths[2] - 6, 800)[1] < 20


def _notice(paragraphs: int) -> str:
    body = "".join(f"<p>第{i + 1}段。本段文字用于把正文推到页面底部，检查落款是否会单独出现在下一页的顶部。</p>"
                   for i in range(paragraphs))
    return (f'<document style="notice" running="2026-DB-000001　户主：王建国"><title>测试通知书</title>'
            f'<addressee>王建国：</addressee>{body}<signoff name="桃源镇人民政府" date="2026年11月3日" seal_text="桃源镇人民政府"/>'
            f"<note>（本通知书由桃源镇人民政府转交）</note></document>")


def test_a_signoff_never_stands_alone_and_continuation_pages_are_named(tmp_path):
    """For every length of notice, the page with the 落款 also has text of the body, and every page
    after the first names the document and the household."""
    for n in range(8, 22):
        (tmp_path / "acceptance_notice.xml.j2").write_text(_notice(n), encoding="utf-8")
        config = PrintConfig(template_dirs=(str(tmp_path), TEMPLATES))
        pdf = render(Part("acceptance_notice", {}), config)
        pages = [flat(p) for p in pages_text(pdf)]
        last = next(p for p in pages if "2026年11月3日" in p)
        assert "段" in last, (n, last)
        assert "转交" in last
        for page in pages[1:]:
            assert "测试通知书（续）2026-DB-000001户主：王建国" in page, (n, page[:40])
        if len(pages) > 1 and n == 12:
            save_png(pdf, "typography/notice_continued", all_pages=True, dpi=70)


def test_dates_on_forms_are_written_in_chinese():
    from doudi_desk.printing.render import cn_date, cn_month

    assert cn_date(dt.date(2026, 11, 3)) == "2026年11月3日" and cn_date("2026-01-09") == "2026年1月9日"
    assert cn_month("2026-12") == "2026年12月"


def test_a_cell_fits_its_column_exactly_when_its_measured_width_does():
    """Builder.fits settles short texts by their length times the font's widest glyph without
    measuring them: whatever the text (Chinese, digits, the widest glyphs), it answers as measuring
    would, at the measured width and a hair either side of it."""
    from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

    font = FONTS.name("fang")
    widths = getFont(font).face.charWidths
    widest = "".join(chr(c) for c, _w in sorted(widths.items(), key=lambda item: -item[1])[:3])
    builder = Builder(FONTS, "test")
    for text in ("", "1", "2000", "王建国", "拟保障金额（元/月）", widest, widest * 4, "1961.50", TEXTS[0][:30]):
        for size in (10.5, 14):
            exact = stringWidth(text, font, size)
            for room in (exact - 0.01, exact, exact + 0.01, len(text) * size * 1.2, 30.0):
                assert builder.fits(text, font, size, room) == (exact <= room), (text, size, room, exact)
