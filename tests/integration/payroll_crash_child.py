"""Run by test_payroll_crash.py in a subprocess: one payroll step, lingering inside its transaction.

Usage: python payroll_crash_child.py URL PAYROLL_ID ACTION [RESULT_FILE]

Prints ``inside`` when the step has written its changes but not yet its audit event and has not
committed — and waits there, so a SIGKILL sent on that line lands mid-transaction — then ``done``
after the commit.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ACTORS = {"build": "clerk", "submit": "clerk", "review": "reviewer", "approve": "approver", "export": "clerk",
          "import_result": "clerk", "close": "reviewer"}


def main() -> None:
    url, payroll_id, action = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    from doudi_desk.services.bank_io import BankFileService
    from doudi_desk.services.context import open_context
    from doudi_desk.services.payments import PaymentService
    from doudi_desk.storage.repo import EventRepository

    real = EventRepository.append_office

    def slow(self, actor, what, *args, **kwargs):
        print("inside", flush=True)
        time.sleep(0.5)
        return real(self, actor, what, *args, **kwargs)

    EventRepository.append_office = slow
    ctx = open_context(url)
    ctx.today = lambda: dt.date(2026, 11, 23)
    pay, bank = PaymentService(ctx), BankFileService(ctx)
    who = ACTORS[action]
    if action == "build":
        p = pay.show(payroll_id, who)
        pay.build(p["area"], p["group"], p["month"], who)
    elif action == "export":
        bank.export(payroll_id, who, "gbk_txt")
    elif action == "import_result":
        bank.import_result(payroll_id, who, "gbk_txt", Path(sys.argv[4]).read_bytes(), "回盘.txt")
    else:
        pay.step(payroll_id, action, who)
    print("done", flush=True)
    time.sleep(30)


if __name__ == "__main__":
    main()
