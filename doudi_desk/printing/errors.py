"""Errors of the printing layer; each is a user-facing :class:`PrintRefused` with a Chinese message."""

from __future__ import annotations

from ..domain.errors import PrintRefused


class PrintError(PrintRefused):
    """A document cannot be produced (no usable font, a broken template, missing case data)."""


class MissingGlyphError(PrintError):
    """A character has no glyph in the font that would draw it; printing it would lose it."""

    def __init__(self, char: str, font_label: str, where: str):
        code = f"U+{ord(char):04X}"
        super().__init__(
            f"无法打印：字符「{char}」（{code}）在字体「{font_label}」中没有字形，打印出来会缺字"
            f"（位置：{where}）。请在「打印字体」设置中指定包含该字的 TrueType 字体文件，"
            f"或核对该处文字是否录入有误。",
            field=where,
        )
        self.char = char
        self.code = code
        self.font_label = font_label
        self.where = where


class PrivacyError(PrintError):
    """A document meant for posting would show personal data (procedures.md §1.8)."""


class TemplateError(PrintError):
    """A print template is missing, does not render, or is not valid print markup."""
