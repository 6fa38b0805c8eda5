"""Operations for the window: one small function per user action returning an op (ui/ops/op.py),
:class:`Changes` saying what a command changed, and :class:`ChangeListener` for the pages that
refresh themselves when the main window emits ``operation_did_execute(changes, initiator)``.

The functions live by subject: cases.py (applications, decisions, 复核), payroll.py (资金发放),
office.py (set-up, accounts, settings), campaigns.py (大排查). Each takes the shell (the main
window) first and returns an op that is not yet running.
"""

from . import campaigns  # ops.campaigns.create, .assign …: 大排查's names would be ambiguous here
from .cases import (
    advance,
    batch_decide,
    create_case,
    import_commit,
    import_start_actions,
    save_forms,
    start_change,
    start_review,
    start_termination,
    update_household,
)
from .changes import Changes
from .office import (
    add_user,
    change_password,
    create_office,
    load_demo,
    set_active,
    set_calendar_day,
    set_delegation,
    set_password,
    set_policy,
    set_urban_rural,
    unlock_user,
)
from .op import ChangeListener, CollectionOp, QueryOp
from .payroll import (
    bank_file,
    import_bank_result,
    open_or_build,
    rebuild,
    set_account,
    set_price_index,
    step,
)

__all__ = [
    "Changes", "ChangeListener", "CollectionOp", "QueryOp",
    "create_case", "start_review", "batch_decide", "import_start_actions", "import_commit", "advance", "save_forms",
    "start_change", "start_termination", "update_household",
    "set_price_index", "open_or_build", "step", "rebuild", "bank_file", "import_bank_result", "set_account",
    "create_office", "load_demo", "set_policy", "set_calendar_day", "set_delegation", "add_user",
    "set_password", "set_urban_rural", "unlock_user", "set_active", "change_password",
    "campaigns",
]
