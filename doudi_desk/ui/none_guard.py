"""None is kept alive for good, against a reference PySide6 drops on every void call.

PySide6 6.12.0 on Python 3.11 returns None from a wrapped C++ function returning void (QLabel.setText,
QWidget.update, QCoreApplication.processEvents …) without the new reference the caller is owed, so
each such call lowers None's reference count by one. A running window makes thousands of them; once
they outnumber the references the program holds, Python aborts ("Fatal Python error: none_dealloc:
deallocating None"), losing the clerk's window mid-work. Measured here: about 5,000 calls of
QLabel.setText after start abort a bare QApplication. Python 3.12 made None immortal (PEP 683), so
there the lost references do no harm; on 3.11 the same is done by hand: None is given 2**40
references more, which no day (nor year) of calls can use up. A C extension owing a reference to
None is the known shape of this bug [CPython issue 93762; PyMuPDF "Prevent Death of None"].
"""

from __future__ import annotations

import ctypes
import sys

SPARE_REFERENCES = 1 << 40


def keep_none_alive() -> bool:
    """Give None its spare references once (CPython before 3.12 only); True when it has them."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return True  # immortal already
    if sys.getrefcount(None) < SPARE_REFERENCES:
        ctypes.c_ssize_t.from_address(id(None)).value += SPARE_REFERENCES  # ob_refcnt, the first field
    return sys.getrefcount(None) >= SPARE_REFERENCES
