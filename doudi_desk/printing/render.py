"""Render documents: Jinja2 template → print markup → ReportLab flowables → PDF bytes.

The printing layer takes plain data (mappings, or :class:`~.posted.PostedList` for posted lists)
and returns PDF bytes; it never reads the database. ``services/printing.py`` gathers the data.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from reportlab.platypus import NextPageTemplate, PageBreak

from ..domain.documents import DOCUMENTS
from ..gcpause import gc_paused
from .errors import PrintError, TemplateError
from .fonts import FontSet, resolve_fonts
from .layout import DocTemplate, SectionStart
from .markup import Builder, Built, parse
from .posted import PostedList, as_posted_list, check_printed, check_rows, load_terms

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A printable document kind: its template and whether it is posted publicly."""

    id: str
    title: str
    template: str
    scope: str  # case | village | area | payroll
    posted: bool = False


# Every document a workflow can name (workflows/*.yaml ``documents``); the definitions check at
# start-up refuses a workflow naming one without a template. The kinds, their titles and order are
# domain/documents.py's; each template is print_templates/<id>.xml.j2 (the case file: its cover).
TEMPLATES = {"case_file": "case_file_cover.xml.j2"}
KINDS: dict[str, Kind] = {
    d.kind: Kind(d.kind, d.title, TEMPLATES.get(d.kind, f"{d.kind}.xml.j2"), d.scope, d.posted)
    for d in DOCUMENTS.values()
}


@dataclass(frozen=True)
class PrintConfig:
    """Where templates come from (first folder wins) and any font files the office configured."""

    template_dirs: tuple[str, ...]
    fonts: Mapping[str, str] = field(default_factory=dict)

    def key(self) -> tuple:
        return self.template_dirs, tuple(sorted(self.fonts.items()))


@dataclass(frozen=True)
class Part:
    """One document of a PDF: its kind and its data."""

    kind: str
    data: Any
    label: str = ""


# --- Jinja2 ---
def _as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def cn_date(value: Any) -> str:
    """2026-11-23 → 2026年11月23日 (GB/T 9704: Arabic numerals, no zero padding)."""
    d = _as_date(value)
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def cn_month(value: Any) -> str:
    """2026-11 → 2026年11月."""
    if not value:
        return ""
    year, month = str(value)[:7].split("-")
    return f"{int(year)}年{int(month)}月"


def yuan(value: Any) -> str:
    """A money amount: whole yuan without decimals, otherwise two decimals."""
    if value in (None, ""):
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.2f}"


def box(flag: Any) -> str:
    return "■" if flag else "□"


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([d for d in dirs if Path(d).is_dir()]),
        autoescape=True,  # the output is XML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(cn_date=cn_date, cn_month=cn_month, yuan=yuan, box=box)
    return env


@functools.lru_cache(maxsize=8)
def _fonts(key: tuple) -> FontSet:
    return resolve_fonts(dict(key))


def fonts_for(config: PrintConfig) -> FontSet:
    return _fonts(tuple(sorted(config.fonts.items())))


def _render_markup(config: PrintConfig, template: str, context: Mapping[str, Any]) -> str:
    env = _environment(config.template_dirs)
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"找不到打印模板 {template}（查找位置：{'；'.join(config.template_dirs)}）") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"打印模板 {exc.filename or template} 第{exc.lineno}行有语法错误：{exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"打印模板 {template} 使用了没有的数据项：{exc.message}") from None


def build_part(part: Part, config: PrintConfig, fonts: FontSet) -> Built:
    """One document as flowables; posted kinds go through the privacy rules of posted.py."""
    kind = KINDS.get(part.kind)
    if kind is None:
        raise PrintError(f"没有这种打印文书：{part.kind}（可选：{'、'.join(KINDS)}）")
    if kind.posted:
        posted: PostedList = as_posted_list(part.data)
        check_rows(posted.rows, load_terms(config.template_dirs), what=kind.title)
        context = {"doc": posted.context()}
    else:
        if not isinstance(part.data, Mapping):
            raise PrintError(f"{kind.title}的数据格式无效")
        context = dict(part.data)
    xml_text = _render_markup(config, kind.template, context)
    built = Builder(fonts, kind.template).build(parse(xml_text, kind.template))
    if kind.posted:
        check_printed(built.texts, allowed=[posted.office.phone], private=posted.private,
                      what=f"张贴的{kind.title}")
    return built


@gc_paused()
def render(parts: Sequence[Part] | Part, config: PrintConfig, *, restart_numbers: bool = True,
           title: str = "", author: str = "") -> bytes:
    """Render one or several documents into one PDF.

    With several parts each starts on a new page; ``restart_numbers`` numbers each from "— 1 —"
    (separate lists printed together), otherwise pages are numbered through (a case file).
    """
    if isinstance(parts, Part):
        parts = [parts]
    if not parts:
        raise PrintError("没有要打印的文书")
    fonts = fonts_for(config)
    built = [build_part(p, config, fonts) for p in parts]
    pdf, _ = _assemble(built, [p.label or KINDS[p.kind].title for p in parts], fonts, restart_numbers,
                       title or built[0].title, author)
    return pdf


def _assemble(built: list[Built], labels: list[str], fonts: FontSet, restart: bool, title: str,
              author: str) -> tuple[bytes, list[tuple[str, int]]]:
    story: list[Any] = []
    for i, (b, label) in enumerate(zip(built, labels, strict=True)):
        if i:
            story += [NextPageTemplate(b.orientation), PageBreak()]
        story.append(SectionStart(restart=restart or i == 0, header=b.header, label=label, running=b.running))
        story.extend(b.flowables)
    buffer = io.BytesIO()
    doc = DocTemplate(buffer, fonts=fonts, title=title, author=author)
    if built[0].orientation == "landscape":
        doc.pageTemplates.reverse()  # the first page template is the first page's
    doc.build(story)
    return buffer.getvalue(), list(doc.dd_sections)


@gc_paused()
def render_case_file(cover: Mapping[str, Any], parts: Sequence[Part], config: PrintConfig, *,
                     author: str = "") -> bytes:
    """A case's documents in procedure order behind a cover with their page numbers, numbered through."""
    fonts = fonts_for(config)
    labels = [p.label or KINDS[p.kind].title for p in parts]
    contents = [{"label": label, "page": ""} for label in labels]

    def story() -> list[Built]:
        # Flowables keep state once laid out (a split table, a kept block), so each pass builds its own.
        return [build_part(Part("case_file", {**cover, "contents": contents}), config, fonts),
                *(build_part(p, config, fonts) for p in parts)]

    # First pass finds where each document starts; the cover keeps its size, so the second agrees.
    _, sections = _assemble(story(), ["封面", *labels], fonts, False, "", author)
    for entry, (_, page) in zip(contents, sections[1:], strict=True):
        entry["page"] = page
    built = story()
    pdf, sections2 = _assemble(built, ["封面", *labels], fonts, False, built[0].title, author)
    if [p for _, p in sections2[1:]] != [c["page"] for c in contents]:
        log.warning("case file contents page numbers changed between passes")
    return pdf
