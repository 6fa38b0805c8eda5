"""关于: the program's version and the database's schema revision; after an upgrade on opening,
the dialog and the status bar say where the backup made before it went."""

from __future__ import annotations

from PySide6.QtCore import Qt
from upgrade_helpers import OLD, old_database

from tests.helpers.window import screenshot


def test_about_shows_version_and_revision_after_an_upgrade(qtbot, tmp_path):
    import doudi_desk
    from doudi_desk.services.context import open_context
    from doudi_desk.storage.db import Database
    from doudi_desk.ui.about import AboutDialog
    from doudi_desk.ui.main_window import MainWindow

    url = old_database(tmp_path / "doudi_desk.sqlite3")
    backups = tmp_path / "backups"
    window = MainWindow(context_factory=lambda: open_context(url, backup_folder=backups))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.backend is not None, timeout=15000)
    qtbot.waitUntil(lambda: window.executor.pending == 0, timeout=15000)
    backup = window.backend.upgrade.backup
    assert backup.parent == backups and backup.is_file()
    assert f"升级前的备份：{backup}" in window.statusBar().currentMessage()

    assert window.about_button.isVisible()  # before anyone logged in
    qtbot.mouseClick(window.about_button, Qt.MouseButton.LeftButton)
    [dialog] = [w for w in window.findChildren(AboutDialog) if w.isVisible()]
    qtbot.waitUntil(lambda: bool(dialog.info), timeout=10000)
    head = Database.head_revision()
    assert dialog.values["version"].text() == doudi_desk.__version__
    assert dialog.values["revision"].text() == head != OLD
    assert dialog.values["database"].text().startswith(str(tmp_path / "doudi_desk.sqlite3"))
    assert f"从 {OLD} 升级到 {head}" in dialog.note.text() and str(backup) in dialog.note.text()
    assert "Qt 6." in dialog.values["runtime"].text()
    screenshot(dialog, "about_dialog")
    dialog.close()
    window.close()
    window.backend.close()
