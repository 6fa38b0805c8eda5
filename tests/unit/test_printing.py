"""The printing layer on its own: plain data in, PDF bytes out (no database)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from printing_helpers import ID18, MOBILE, flat, fonts_not_embedded, pages_text, save_png

from doudi_desk.printing import (
    MissingGlyphError,
    Part,
    PostedList,
    PostedOffice,
    PostedRow,
    PrintConfig,
    PrintError,
    PrivacyError,
    TemplateError,
    render,
)
from doudi_desk.printing.fonts import resolve_fonts

TEMPLATES = str(Path(__file__).resolve().parents[2] / "print_templates")
CONFIG = PrintConfig(template_dirs=(TEMPLATES,))
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁"
GIVEN = "建国秀兰桂英志强丽娟德明玉梅海燕春生淑珍红梅文博子涵浩然雨欣金凤长顺福贵明辉"
OFFICE = PostedOffice(name="桃源镇人民政府", phone="0311-8661 2345", address="桃源镇人民路1号", seal_text="桃源镇人民政府")


def unique_names(n: int) -> list[str]:
    pairs = [GIVEN[i:i + 2] for i in range(0, len(GIVEN), 2)]
    names = [s + a + b[0] for s in SURNAMES for a in pairs for b in pairs]
    assert len(set(names[:n])) == n
    return names[:n]


def posting(rows, **extra) -> PostedList:
    values = dict(title="东岗村最低生活保障初审公示", village="东岗村", township="桃源镇", office=OFFICE,
                  issued_on=dt.date(2026, 11, 20), start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 26),
                  rows=tuple(rows))
    values.update(extra)
    return PostedList(**values)


def test_thousand_row_posting_list_repeats_headers_and_never_splits_a_row():
    names = unique_names(1000)
    categories = ["新增", "续保", "调整", "停保"]
    rows = [PostedRow(name=n, members=1 + i % 5, covered=1 + i % 5, amount=str(300 + i), category=categories[i % 4])
            for i, n in enumerate(names)]
    pdf = render(Part("posting_list", posting(rows)), CONFIG)
    save_png(pdf, "posting_list_1000")
    pages = pages_text(pdf)
    assert len(pages) > 20
    # one row = its six cells one after another; all of them on the same page
    row_cells = re.compile(r"(?m)^\s*(\d+)\s+(\S{4})\s+(\d)\s+(\d)\s+(\d+)\s+(新增|续保|调整|停保)\s*$")
    seen: list[int] = []
    table_pages = 0
    for number, text in enumerate(pages, 1):
        matches = list(row_cells.finditer(text))
        if matches:  # every page with rows starts with the header
            table_pages += 1
            assert "序号" in text and "户主姓名" in text and "拟保障金额" in text, f"page {number} has no header"
            assert text.index("户主姓名") < matches[0].start()
        for m in matches:
            i = int(m.group(1)) - 1
            assert (m.group(2), int(m.group(3)), int(m.group(5)), m.group(6)) == (
                names[i], 1 + i % 5, 300 + i, categories[i % 4])
            seen.append(i + 1)
    assert seen == list(range(1, 1001))
    assert table_pages >= len(pages) - 1
    assert "— 1 —" in pages[0] and f"— {len(pages)} —" in pages[-1]
    assert not fonts_not_embedded(pdf)


def test_missing_glyph_is_a_clear_error_naming_the_character():
    rows = [PostedRow(name="王建国", members=2, covered=2, amount="500"),
            PostedRow(name="\U00020BB7大成", members=3, covered=3, amount="800")]
    with pytest.raises(MissingGlyphError) as err:
        render(Part("posting_list", posting(rows)), CONFIG)
    message = err.value.message
    assert "\U00020BB7" in message and "U+20BB7" in message
    assert "第2行" in message and "户主姓名" in message
    assert err.value.char == "\U00020BB7"


def test_missing_glyph_in_a_form_table():
    with pytest.raises(MissingGlyphError, match=re.escape("U+20BB7")):
        render(Part("roster", _roster_data(head="\U00020BB7祥")), CONFIG)


def _roster_data(head="王建国"):
    return {"area": {"code": "1", "name": "东岗村"}, "programme_label": "最低生活保障",
            "amount_heading": "保障金额（元/月）", "amount_label": "保障金额",
            "office": {"name": "桃源镇人民政府"}, "issued_on": dt.date(2026, 11, 23),
            "households": [{"village": "东岗村", "head": head, "size": 1, "covered": 1, "amount": "500",
                            "start_month": "2026-12", "phone": "13912345678", "bank_name": "县农村信用社", "bank_account": "6230580100112233445",
                            "members": [{"name": head, "relation": "户主", "sex": "男", "birth_date": "1970-01-01",
                                         "id_number": "130102197001010017"}]}],
            "totals": {"households": 1, "members": 1, "covered": 1, "amount": "500"}, "prepared_by": "张敏"}


def test_roster_is_internal_landscape_with_id_numbers():
    pdf = render(Part("roster", _roster_data()), CONFIG)
    text = flat(pages_text(pdf)[0])
    assert "130102197001010017" in text and "6230580100112233445" in text and "内部资料" in text
    import io

    from pypdf import PdfReader
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape: the table is wider than portrait


def test_posted_rows_only_accept_name_size_amount_category():
    with pytest.raises(PrivacyError, match="id_number"):
        render(Part("posting_list", {**posting([]).context(),
                                     "rows": [{"name": "王建国", "members": 2, "covered": 2, "amount": "500",
                                               "id_number": "130102197001010017"}]}), CONFIG)
    with pytest.raises(PrivacyError, match="phone"):
        render(Part("posting_list", {**posting([]).context(), "phone": "13912345678"}), CONFIG)
    with pytest.raises(PrivacyError, match="残疾"):
        PostedRow(name="王建国（残疾）", members=2, covered=2, amount="500")
    with pytest.raises(PrivacyError, match="数字"):
        PostedRow(name="王建国13912345678", members=2, covered=2, amount="500")
    with pytest.raises(PrivacyError, match="金额"):
        PostedRow(name="王建国", members=2, covered=2, amount="工资3000")
    with pytest.raises(PrivacyError, match="类别"):
        PostedRow(name="王建国", members=2, covered=2, amount="500", category="重病")


def _override(tmp_path: Path, text: str) -> PrintConfig:
    (tmp_path / "posting_list.xml.j2").write_text(text, encoding="utf-8")
    return PrintConfig(template_dirs=(str(tmp_path), TEMPLATES))


def test_an_edited_posted_template_cannot_print_private_data(tmp_path):
    rows = [PostedRow(name="王建国", members=2, covered=2, amount="500", category="新增")]
    shipped = (Path(TEMPLATES) / "posting_list.xml.j2").read_text(encoding="utf-8")
    # a field the posted data does not have is an error, not a blank
    config = _override(tmp_path, shipped.replace("<td>{{ row.name }}</td>", "<td>{{ row.name }}{{ row.id_number }}</td>"))
    with pytest.raises(TemplateError, match="id_number"):
        render(Part("posting_list", posting(rows)), config)
    # numbers typed into the template are found in what would be printed
    for leak, label in (("13912345678", "手机号码"), ("130102197001010017", "身份证号码"),
                        ("6222 0212 3456 7890 123", "银行卡号")):
        config = _override(tmp_path, shipped.replace("</title>", f"</title><p>{leak}</p>"))
        with pytest.raises(PrivacyError, match=label):
            render(Part("posting_list", posting(rows)), config)
    # a household's own values are refused even where no pattern would catch them
    config = _override(tmp_path, shipped.replace("</title>", "</title><p>东岗村3组12号</p>"))
    with pytest.raises(PrivacyError, match="个人信息"):
        render(Part("posting_list", posting(rows, private=frozenset({"东岗村3组12号"}))), config)


def test_the_office_phone_is_the_one_number_a_posted_list_may_show():
    office = PostedOffice(name="桃源镇人民政府", phone="13912345678")
    pdf = render(Part("posting_list", posting([PostedRow(name="王建国", members=2, covered=2, amount="500")],
                                               office=office)), CONFIG)
    text = flat("".join(pages_text(pdf)))
    assert "13912345678" in text
    assert not ID18.search(text)


def test_posted_list_text_has_no_id_or_mobile_numbers():
    rows = [PostedRow(name=n, members=3, covered=3, amount="1200", category="新增") for n in unique_names(30)]
    pdf = render(Part("posting_list", posting(rows)), CONFIG)
    text = "".join(pages_text(pdf))
    assert not ID18.search(flat(text)) and not MOBILE.search(flat(text))


def test_landscape_is_chosen_only_when_a_list_is_wide():
    import io

    from pypdf import PdfReader
    pdf = render(Part("posting_list", posting([PostedRow(name="王建国", members=2, covered=2, amount="500")])), CONFIG)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) < float(box.height)


def test_configured_font_path_wins_and_a_bad_one_is_named():
    if not Path(WQY).is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    fonts = resolve_fonts({"fang": WQY + "#0"})
    assert fonts.faces["fang"].path == WQY and not any(n.startswith("仿宋") for n in fonts.notes)
    with pytest.raises(PrintError, match="不存在"):
        resolve_fonts({"*": "/nowhere/simfang.ttf"})
    with pytest.raises(PrintError, match="TrueType"):
        resolve_fonts({"*": __file__})


def test_windows_fonts_are_looked_up_in_the_windows_fonts_folder(tmp_path, monkeypatch):
    fonts_dir = tmp_path / "Fonts"
    fonts_dir.mkdir()
    if not Path(WQY).is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    for name in ("simsun.ttc", "simhei.ttf", "simfang.ttf", "simkai.ttf"):
        (fonts_dir / name).write_bytes(Path(WQY).read_bytes()) if name == "simsun.ttc" else \
            (fonts_dir / name).symlink_to(WQY)
    monkeypatch.setenv("WINDIR", str(tmp_path))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    fonts = resolve_fonts(platform="win32")
    assert Path(fonts.faces["song"].path).name == "simsun.ttc"
    assert Path(fonts.faces["fang"].path).name == "simfang.ttf"
    assert Path(fonts.faces["kai"].path).name == "simkai.ttf"
    assert Path(fonts.faces["title"].path).name == "simhei.ttf"  # 小标宋 absent: 黑体, with a note
    assert any("小标宋" in n for n in fonts.notes)


def test_a_broken_template_names_the_file_and_line(tmp_path):
    config = _override(tmp_path, "<document>\n<title>{{ doc.title }</title>\n</document>\n")
    with pytest.raises(TemplateError, match="posting_list.xml.j2.*第2行"):
        render(Part("posting_list", posting([])), config)
    config = _override(tmp_path, "<document>\n<blink>x</blink>\n</document>\n")
    with pytest.raises(TemplateError, match="blink"):
        render(Part("posting_list", posting([])), config)


# --- issue 10 item 16: names that reveal health or disability, numbers written in Chinese ----------

@pytest.mark.parametrize("name, found", [
    ("褚三（尿毒症透析）", "尿毒症"), ("何二（肢体二级）", "肢体"), ("陈五（住院）", "住院"), ("林六（智障）", "智障"),
])
def test_a_posted_name_with_a_health_or_disability_term_is_refused_naming_the_person(name, found):
    rows = [PostedRow(name="王建国", members=2, covered=2, amount="500"), PostedRow(name=name, members=1, covered=1,
                                                                                 amount="300")]
    with pytest.raises(PrivacyError) as err:
        render(Part("posting_list", posting(rows)), CONFIG)
    assert f"第2户户主「{name}」" in err.value.message and f"「{found}」" in err.value.message


def test_a_run_of_seven_chinese_numerals_is_refused():
    with pytest.raises(PrivacyError, match="卫四一三九一二三四五六七八"):
        PostedRow(name="卫四一三九一二三四五六七八", members=1, covered=1, amount="300")
    PostedRow(name="王一二三", members=1, covered=1, amount="300")  # a short run is a name
    config = _override_text("</title>", "</title><p>联系人手机：一三九一二三四五六七八</p>")
    with pytest.raises(PrivacyError, match="用汉字书写的号码"):
        render(Part("posting_list", posting([PostedRow(name="王建国", members=2, covered=2, amount="500")])), config)


def _override_text(old: str, new: str) -> PrintConfig:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    shipped = (Path(TEMPLATES) / "posting_list.xml.j2").read_text(encoding="utf-8")
    (folder / "posting_list.xml.j2").write_text(shipped.replace(old, new), encoding="utf-8")
    return PrintConfig(template_dirs=(str(folder), TEMPLATES))


def test_an_office_extends_the_term_list_with_a_file_of_its_own(tmp_path):
    rows = [PostedRow(name="赵四（低保户）", members=1, covered=1, amount="300")]
    render(Part("posting_list", posting(rows)), CONFIG)  # not a shipped term
    (tmp_path / "posted_terms.txt").write_text("# 本乡镇补充\n低保户\n", encoding="utf-8")
    config = PrintConfig(template_dirs=(str(tmp_path), TEMPLATES))
    with pytest.raises(PrivacyError, match="低保户"):
        render(Part("posting_list", posting(rows)), config)
    with pytest.raises(PrivacyError, match="尿毒症"):  # the shipped list still applies
        render(Part("posting_list", posting([PostedRow(name="褚三（尿毒症）", members=1, covered=1, amount="3")])),
               config)


def test_a_proposed_refusal_has_no_amount_and_prints_as_such():
    with pytest.raises(PrivacyError, match="拟不予保障"):
        PostedRow(name="王建国", members=2, covered=2, amount="500", refused=True)
    rows = [PostedRow(name="王建国", members=2, covered=0, amount="", category="新增", refused=True),
            PostedRow(name="李秀兰", members=3, covered=3, amount="900", category="新增")]
    text = flat("".join(pages_text(render(Part("posting_list", posting(rows)), CONFIG))))
    assert "1王建国2——拟不予保障" in text and "2李秀兰33900新增" in text
