"""The one error hierarchy (domain/errors.py): every specific error is one of its categories, and
no message carries a command-line prefix (``--village: ``) — the CLI adds that when it prints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from doudi_desk.definitions.loader import DefinitionError
from doudi_desk.domain.errors import (
    Conflict,
    DomainError,
    InputError,
    KnownError,
    NotFound,
    PrintRefused,
    Refused,
    RepeatClaim,
    StorageFault,
)
from doudi_desk.exchange.bankfile import BankFileError
from doudi_desk.exchange.layouts import LayoutError
from doudi_desk.importing.cells import CellError
from doudi_desk.importing.issues import FileRefused
from doudi_desk.importing.profiles import ProfileError
from doudi_desk.printing.errors import MissingGlyphError, PrintError, PrivacyError, TemplateError
from doudi_desk.services.accounts import LoginError
from doudi_desk.services.bank_io import ResultRefused
from doudi_desk.services.importing import ImportCancelled
from doudi_desk.services.payments import PayrollConflict
from doudi_desk.storage.backup import BackupError
from doudi_desk.storage.db import StorageError
from doudi_desk.storage.repo import (
    AuditChainError,
    NotFoundError,
    OpenChildError,
    OutOfOrderError,
    StaleVersionError,
)
from doudi_desk.workflow.engine import RefusedError

PACKAGE = Path(__file__).resolve().parents[2] / "doudi_desk"


@pytest.mark.parametrize(("error", "category"), [
    (StaleVersionError(3, 2), Conflict),
    (PayrollConflict("发放名册已被他人修改，请刷新后重试"), Conflict),
    (NotFoundError("没有案件 7"), NotFound),
    (StorageError("locked", "数据库正被其他程序占用"), StorageFault),
    (BackupError("备份文件已损坏"), StorageFault),
    (AuditChainError("审计链的链头缺失"), StorageFault),
    (RefusedError("不能办理"), Refused),
    (OpenChildError("已有未办结的复核"), Refused),
    (LoginError("用户名或密码不正确"), Refused),
    (ResultRefused(["第1行：账号不符"]), Refused),
    (RepeatClaim("同一事由本年度已救助", ["TJ-1"]), Refused),
    (PrintError("没有可用的字体"), PrintRefused),
    (MissingGlyphError("𠀀", "宋体", "姓名"), PrintRefused),
    (PrivacyError("公示名单不能有身份证号码"), PrintRefused),
    (TemplateError("模板有误"), PrintRefused),
    (OutOfOrderError("办理日期早于上一步"), InputError),
    (LayoutError(["a.yaml: 缺少 id"]), InputError),
    (BankFileError(["第1行：金额不是数字"]), InputError),
    (CellError("不是日期"), InputError),
    (ProfileError(["mine.yaml: 缺少 id"]), InputError),
    (FileRefused("文件有密码", "file"), InputError),
    (ImportCancelled("已取消导入"), KnownError),
    (DefinitionError(["a.yaml: 缺少 id"]), KnownError),
])
def test_each_specific_error_is_its_category(error, category):
    assert isinstance(error, category) and isinstance(error, KnownError)
    assert error.message and str(error) == error.message


def test_the_categories_carry_what_the_window_picks_by():
    stale = StaleVersionError(5, 4)
    assert (stale.current, stale.expected) == (5, 4) and "当前版本 5" in stale.message
    fault = StorageError("full", "磁盘空间已满")
    assert fault.kind == "full" and fault.message == "磁盘空间已满"
    refused = RefusedError("不能办理「批准」：a；b", ["a", "b"])
    assert refused.reasons == ["a", "b"] and RefusedError("不行").reasons == ["不行"]
    claim = RepeatClaim("同一事由本年度已救助", ["TJ-1", "TJ-2"])
    assert claim.field == "repeat_reason" and claim.earlier == ["TJ-1", "TJ-2"]
    assert DomainError is KnownError  # the old name of the root, kept for its 300 uses
    assert not issubclass(KnownError, (ValueError, RuntimeError))  # a bug is never mistaken for one


def test_sentence_is_the_message_without_its_own_data_path():
    assert InputError("household.members[0].name: 姓名：缺少此项", "household.members[0].name").sentence() == \
        "姓名：缺少此项"
    assert InputError("没有村（社区）「X」", "village").sentence() == "没有村（社区）「X」"
    assert InputError("a: b", "other").sentence() == "a: b"  # only its own field's path is left out


# What a raise site's message may not begin with: a command-line option or a positional's metavar.
_CLI_PREFIX = re.compile(r"^(--[\w-]|[A-Z][A-Z_]+: )")


def _message_start(call: ast.Call) -> str | None:
    if not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr) and first.values and isinstance(first.values[0], ast.Constant):
        return str(first.values[0].value)
    return None


def _prefixed_raises(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] == "cli":
            continue  # the CLI's own messages (doudi_desk/cli/) name its own arguments
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                start = _message_start(node.exc)
                if start is not None and _CLI_PREFIX.match(start):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {start[:40]}")
    return found


def test_no_raised_message_starts_with_a_command_line_prefix():
    assert _prefixed_raises(PACKAGE) == []


def test_the_scan_finds_a_prefixed_message(tmp_path):
    package = tmp_path / "pkg"
    (package / "services").mkdir(parents=True)
    (package / "services" / "x.py").write_text(
        'def f(v):\n    raise InputError(f"--village: 没有村「{v}」", "village")\n'
        'def g():\n    raise InputError("KIND: 没有这种文书", "kind")\n'
        'def h():\n    raise InputError("没有这种文书", "kind")\n', encoding="utf-8")
    (package / "cli").mkdir()
    (package / "cli" / "x.py").write_text('raise InputError("--out: 请指定输出文件", "out")\n', encoding="utf-8")
    assert [x.split(": ", 1)[0] for x in _prefixed_raises(package)] == ["pkg/services/x.py:2", "pkg/services/x.py:4"]
