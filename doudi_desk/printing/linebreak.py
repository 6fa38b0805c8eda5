"""Chinese line breaking (禁则) for ReportLab paragraphs.

ReportLab's CJK wrapping cuts "like a knife" and hangs at most one closing mark in the margin, so a
line could still begin with "；" after "）", end with "（", or split "17,280" into "17,2/80". Here a
line break is moved back (推出) until

- the next line does not start with closing punctuation (。，、；：！？）」』】》 …),
- the line does not end with opening punctuation (（「『【《 …) or a tick box (□ ■),
- and, where a few characters back allow it, a run of digits or Latin letters stays whole;

only when no such point is near (a line of nothing but punctuation) are up to two closing marks
hung in the margin instead. :func:`install` puts this in the two places ReportLab splits CJK text
(``textsplit.dumbSplit`` for one-font paragraphs, ``paragraph.cjkFragSplit`` for mixed fonts); it
is idempotent and only printing imports ReportLab.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import textsplit
from reportlab.platypus import paragraph
from reportlab.rl_config import _FUZZ

CANNOT_START = frozenset(textsplit.ALL_CANNOT_START) | frozenset("，。、；：！？）」』】〕》〉”’…·％‰℃")
CANNOT_END = frozenset("（「『【〔《〈“‘([{□■")  # a tick box stays with its label
_WORD = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,%")
_WORD_REACH = 8  # characters a break may move back to keep a number whole
_PUNCT_REACH = 4  # characters a break may move back for 禁则


def _allowed(chars: Sequence[str], j: int, words: bool) -> bool:
    """Whether a line may end before ``chars[j]``."""
    if j >= len(chars):
        return True
    if chars[j] in CANNOT_START or chars[j - 1] in CANNOT_END:
        return False
    return not (words and chars[j - 1] in _WORD and chars[j] in _WORD)


def break_at(chars: Sequence[str], start: int, proposed: int) -> int:
    """Where the line starting at ``start`` ends: at ``proposed`` (the first character that does not
    fit) or a little before it, never at ``start`` (every line takes at least one character)."""
    if proposed <= start:
        proposed = start + 1
    for words, reach in ((True, _WORD_REACH), (False, _PUNCT_REACH)):
        j = proposed
        while j > start + 1 and j > proposed - reach and not _allowed(chars, j, words):
            j -= 1
        if _allowed(chars, j, words):
            return _past_spaces(chars, j)
    j = proposed  # nothing near: hang closing marks in the margin rather than start a line with one
    while j < len(chars) and j < proposed + 2 and chars[j] in CANNOT_START:
        j += 1
    return _past_spaces(chars, j)


def _past_spaces(chars: Sequence[str], j: int) -> int:
    """A space at a break stays at the end of the line (invisible) instead of opening the next."""
    while j < len(chars) and chars[j] == " ":
        j += 1
    return j


def dumb_split(word: str, widths: Sequence[float], maxWidths) -> list[list]:  # noqa: N803 (ReportLab's name)
    """``textsplit.dumbSplit`` with 禁则: [[extra space, text], …] for each line."""
    if not isinstance(maxWidths, list | tuple):
        maxWidths = [maxWidths]  # noqa: N806
    lines: list[list] = []
    start = 0
    used = 0.0
    i = 0
    n = len(word)
    while i < n:
        limit = maxWidths[min(len(lines), len(maxWidths) - 1)]
        used += widths[i]
        i += 1
        if used > limit + _FUZZ and used > 0:
            end = break_at(word, start, i - 1)
            width = sum(widths[start:end])
            lines.append([limit - width, word[start:end].strip()])
            start = i = end
            used = 0.0
    if start < n:
        limit = maxWidths[min(len(lines), len(maxWidths) - 1)]
        lines.append([limit - sum(widths[start:]), word[start:]])
    return lines


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):  # noqa: N803 (ReportLab's names)
    """``paragraph.cjkFragSplit`` with 禁则, for paragraphs that mix fonts (<b>, <kai>, <br/> …)."""
    units = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            units.extend(paragraph.cjkU(t, f, encoding) for t in text)
        else:
            units.append(paragraph.cjkU(text, f, encoding))
    lines = []
    start = 0
    used = 0.0
    i = 0
    n = len(units)
    limit = maxWidths[0]
    while i < n:
        u = units[i]
        i += 1
        w = u.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = limit
            w = w.normalizedValue(limit)
        used += w
        line_break = hasattr(u.frag, "lineBreak")
        if line_break or (used > limit + _FUZZ and used > 0):
            end = i if line_break else break_at(units, start, i - 1)
            width = sum(_width(x, limit) for x in units[start:end])
            lines.append(paragraph.makeCJKParaLine(units[start:end], limit, width, limit - width, line_break,
                                                   calcBounds))
            limit = maxWidths[min(len(lines), len(maxWidths) - 1)]
            start = i = end
            used = 0.0
    if start < n:
        width = sum(_width(x, limit) for x in units[start:])
        lines.append(paragraph.makeCJKParaLine(units[start:], limit, width, limit - width, False, calcBounds))
    return paragraph.ParaLines(kind=1, lines=lines)


def _width(u, limit: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = limit
        return w.normalizedValue(limit)
    return w


def install() -> None:
    textsplit.dumbSplit = dumb_split
    paragraph.cjkFragSplit = cjk_frag_split
