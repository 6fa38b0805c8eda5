"""``doudi-desk --self-test`` is the installer's last step and the Linux bundle's CI check, so it
must notice a program that is incomplete: here the print templates are missing (as if the
PyInstaller spec had forgotten them) and the self-test fails loudly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _self_test(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-m", "doudi_desk.app", "--self-test"], capture_output=True, text=True,
                          timeout=240, env=env)


def test_self_test_fails_when_print_templates_are_missing(tmp_path):
    # (The complete program passing: tests/gui/test_case_page_gui.py::test_self_test_command_exits_zero,
    # and the bundle's own run in .ci/run, which also checks that it printed and previewed.)
    incomplete = tmp_path / "程序"
    for name in ("workflows", "forms"):  # print_templates/ left out
        shutil.copytree(REPO / name, incomplete / name)
    broken = _self_test({"DOUDI_DEFINITIONS_DIR": str(incomplete)})
    assert broken.returncode == 1, broken.stdout + broken.stderr
    # The start-up check of the definitions finds it first: the workflows name documents whose
    # templates are not there, so the program does not even open (and says so at once).
    assert "自检失败" in broken.stdout and "print_templates" in broken.stdout, broken.stdout
    assert "超时" not in broken.stdout
