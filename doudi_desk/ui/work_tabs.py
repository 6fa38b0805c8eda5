"""The work area's tabs, built when first shown.

After log-in only the case list (and a reviewer's queue) is needed at once; 动态管理, 资金发放, 设置
and the report tabs each cost tens of milliseconds of widgets and imports on the GUI thread, and
together made the window stall for a second after log-in at county scale. Each such tab starts as an
empty placeholder and its page is built (and its module imported) the first time the tab is shown
or the page is asked for (``window.page(key)``), in the same place of the tab bar.

Also the few role and kind names the window needs before any page exists, so that knowing them does
not import the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget, QWidget

from ..domain.documents import title as document_title

PAY_ROLES = {"caseworker", "township_reviewer", "county_approver"}  # 资金发放 (ui/payroll_page.py)
# The lists of 打印名单 (ui/printing_ui/batch_dialog.py).
LIST_KINDS = {"posting_list": document_title("posting_list"), "publication_list": document_title("publication_list"),
              "roster": f"{document_title('roster')}（内部资料）"}


class Placeholder(QWidget):
    """Stands in a tab until its page is built."""

    permanent = True  # no close button, never closed

    def __init__(self, key: str):
        super().__init__()
        self.key = key
        self.setObjectName(f"placeholder_{key}")


class LazyTabs(QObject):
    """Tabs of ``tabs`` whose pages are built on first show (or on first :meth:`page`)."""

    def __init__(self, tabs: QTabWidget, parent: QObject | None = None):
        super().__init__(parent)
        self.tabs = tabs
        self._builders: dict[str, tuple[str, Callable[[], QWidget]]] = {}
        self._placeholders: dict[str, Placeholder] = {}
        self.pages: dict[str, QWidget] = {}
        tabs.currentChanged.connect(self._shown)

    def add(self, key: str, label: str, build: Callable[[], QWidget]) -> None:
        """A tab labelled ``label`` whose page ``build()`` makes when it is first needed."""
        placeholder = Placeholder(key)
        self._builders[key] = (label, build)
        self._placeholders[key] = placeholder
        self.tabs.addTab(placeholder, label)

    def has(self, key: str) -> bool:
        return key in self._builders

    def page(self, key: str) -> QWidget | None:
        """The page of tab ``key`` (built now if it was not yet); None if there is no such tab."""
        if key in self.pages:
            return self.pages[key]
        if key not in self._builders:
            return None
        label, build = self._builders[key]
        page = build()
        page.permanent = True  # type: ignore[attr-defined]
        self.pages[key] = page
        placeholder = self._placeholders.pop(key)
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, label)
        self.tabs.tabBar().setTabButton(index, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()
        return page

    def built(self) -> Iterator[QWidget]:
        return iter(list(self.pages.values()))

    def clear(self) -> None:
        self._builders.clear()
        self._placeholders.clear()
        self.pages.clear()

    def _shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, Placeholder) and widget.key in self._placeholders:
            self.page(widget.key)


class PageMap(Mapping):
    """``window.report_pages[key]``: the page, built on first use."""

    def __init__(self, lazy: LazyTabs, keys: tuple[str, ...]):
        self._lazy, self._keys = lazy, keys

    def __getitem__(self, key: str) -> QWidget:
        page = self._lazy.page(key) if key in self._keys else None
        if page is None:
            raise KeyError(key)
        return page

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._keys if self._lazy.has(k))

    def __len__(self) -> int:
        return sum(1 for _k in self)
