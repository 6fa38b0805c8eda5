"""Bank files of an approved payroll (payments.md §3): the 代发 file out, the result file in.

The file's count and total are the approved payroll's, checked against its digest before anything
is written; making it is an export (ID numbers, accounts) in the audit trail. A result file is
matched line by line; if anything does not match (a 序号 or account not sent, another amount, a
wrong count or total, a line missing, a status word not known) the whole file is refused with the
list of what does not match, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..definitions.loader import default_root
from ..domain.errors import DomainError, InputError, Refused
from ..domain.paid_figures import village_sums
from ..domain.payroll import GROUP_BY_CODE, item_label
from ..domain.privacy import PERSONAL_FIELDS
from ..exchange import (
    BankFileError,
    Layout,
    LayoutError,
    file_name,
    load_layouts,
    parse_amount,
    read_result,
    write,
)
from .audit import record_export
from .context import AppContext
from .payment_views import payroll_label
from .payments import STATES, PaymentService


class ResultRefused(Refused):
    """A bank result file that does not match the payroll: ``problems`` lists every mismatch."""

    def __init__(self, problems: list[str]):
        shown = "；".join(problems[:30]) + (f"；另有{len(problems) - 30}处" if len(problems) > 30 else "")
        super().__init__(f"回盘文件与发放名册不符，整个文件未导入（{len(problems)}处）：{shown}", problems)
        self.problems = problems


def shipped_formats() -> Path:
    return default_root() / "bank_formats"


class BankFileService:
    def __init__(self, ctx: AppContext, payments: PaymentService | None = None):
        self.ctx = ctx
        self.payments = payments or PaymentService(ctx)

    def _dirs(self, uow) -> list[Path]:
        extra = uow.settings.get("bank_formats_dir") or ""
        return [shipped_formats()] + ([Path(extra)] if extra else [])

    def layouts(self) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            found = self._load(uow)
        return [{"id": x.id, "title": x.title, "file_type": x.file_type, "encoding": x.encoding, "amount": x.amount}
                for x in found.values()]

    def _load(self, uow) -> dict[str, Layout]:
        try:
            return load_layouts(self._dirs(uow))
        except LayoutError as exc:
            raise DomainError(exc.message) from None

    def _layout(self, uow, layout_id: str) -> Layout:
        layouts = self._load(uow)
        if layout_id not in layouts:
            raise InputError(f"没有银行格式「{layout_id}」（可选：{'、'.join(layouts)}）", "format")
        return layouts[layout_id]

    def _summary(self, uow, payroll: Mapping[str, Any], count: int, total: Decimal) -> dict[str, Any]:
        area = uow.areas.get(payroll["area_code"])
        group = GROUP_BY_CODE[payroll["group_code"]]
        return {"count": count, "total": total, "month": payroll["month"],
                "month_compact": payroll["month"].replace("-", ""), "area_name": area.name,
                "area_code": payroll["area_code"], "group_short": group.short, "payroll": payroll["id"],
                "date": self.ctx.today().strftime("%Y%m%d")}

    @staticmethod
    def _row(line: Mapping[str, Any]) -> dict[str, Any]:
        memo = f"{line['month']}{item_label(line['item'])}" + ("补发" if line["kind"] == "back_pay" else "")
        return {"seq": line["seq"], "payee_name": line["payee_name"], "id_number": line["payee_id_number"],
                "bank_account": line["bank_account"], "bank_name": line["bank_name"],
                "amount": Decimal(str(line["amount"])), "memo": memo, "month": line["month"],
                "village": line["village_code"]}

    # --- the 代发 file -----------------------------------------------------------------------------
    def export(self, payroll_id: int, actor: str, layout_id: str, *, expected_version: int | None = None
               ) -> dict[str, Any]:
        """The bank file of an approved payroll: ``{file_name, data, count, total}``."""
        with self.ctx.db.unit_of_work() as uow:
            user, payroll = self.payments.load(uow, payroll_id, actor, expected_version)
            reason = self.payments.refusal(uow, user, payroll, "export")
            if reason:
                raise DomainError(reason)
            layout = self._layout(uow, layout_id)
            check = self.payments.verify(payroll["id"])
            if not check["ok"]:
                raise DomainError(f"{check['message']}，不能生成银行文件")
            lines = [self._row(x) for x in uow.payments.stream_lines(payroll["id"], states=("pending",))]
            count, total = len(lines), sum((x["amount"] for x in lines), Decimal(0))
            if total != Decimal(str(payroll["total"])) or count != payroll["line_count"] - payroll["held_count"]:
                raise DomainError(f"待发{count}笔{total}元与审批的发放名册（{payroll['line_count'] - payroll['held_count']}笔"
                                  f"{payroll['total']}元）不符，不能生成银行文件")
            summary = self._summary(uow, payroll, count, total)
            try:
                data = write(layout, summary, lines)
            except BankFileError as exc:
                raise DomainError(f"无法按「{layout.title}」生成银行文件：{exc.message}") from None
            name = file_name(layout, summary)
            if not uow.payments.advance(payroll["id"], payroll["version"], payroll["state"], "exported",
                                        exported_by=user.username):
                self.payments.lost(uow, payroll)
            digest = hashlib.sha256(data).hexdigest()
            uow.payments.add_bank_file(payroll_id=payroll["id"], direction="export", layout=layout.id, file_name=name,
                                       sha256=digest, line_count=count, total=total, actor=user.username,
                                       recorded_at=self.ctx.now(), summary={"layout_title": layout.title})
            label = payroll_label(uow, payroll)
            record_export(uow, self.ctx, user.username, f"{label}银行代发文件 {name}",
                          fields=[PERSONAL_FIELDS["id_number"], PERSONAL_FIELDS["bank_account"]],
                          area=payroll["area_code"], rows=count)
            self.payments.event(uow, user, payroll, "export", payroll["state"], "exported",
                                 comment=f"生成银行代发文件 {name}（{layout.title}）：{count}笔，{total:.2f}元",
                                 file=name, sha256=digest, count=count, total=f"{total:.2f}", layout=layout.id)
            return {"file_name": name, "data": data, "count": count, "total": f"{total:.2f}", "sha256": digest}

    # --- the result file -----------------------------------------------------------------------------
    def import_result(self, payroll_id: int, actor: str, layout_id: str, data: bytes, name: str = "", *,
                      expected_version: int | None = None) -> dict[str, Any]:
        with self.ctx.db.unit_of_work() as uow:
            user, payroll = self.payments.load(uow, payroll_id, actor, expected_version)
            reason = self.payments.refusal(uow, user, payroll, "import_result")
            if reason:
                raise DomainError(reason)
            layout = self._layout(uow, layout_id)
            try:
                parsed = read_result(layout, data)
            except BankFileError as exc:
                raise ResultRefused(exc.problems) from None
            sent = list(uow.payments.stream_lines(payroll["id"], states=("pending",)))
            results, problems = self._match(layout, parsed, sent, payroll)
            if problems:
                raise ResultRefused(problems)
            uow.payments.set_results(payroll["id"], results)
            if not uow.payments.advance(payroll["id"], payroll["version"], "exported", "results",
                                        results_by=user.username):
                self.payments.lost(uow, payroll)
            by_id = {x["id"]: x for x in sent}
            failed = [(i, r) for i, s, r in results if s == "failed"]
            failed_total = sum((Decimal(str(by_id[i]["amount"])) for i, _ in failed), Decimal(0))
            paid_total = sum((Decimal(str(x["amount"])) for x in sent), Decimal(0)) - failed_total
            digest = hashlib.sha256(data).hexdigest()
            summary = {"paid": len(results) - len(failed), "failed": len(failed), "paid_total": f"{paid_total:.2f}",
                       "failed_total": f"{failed_total:.2f}"}
            by_village = village_sums(sent, (i for i, s, _r in results if s == "paid"), payroll["month"])
            uow.payments.add_bank_file(payroll_id=payroll["id"], direction="result", layout=layout.id,
                                       file_name=name or "回盘文件", sha256=digest, line_count=len(results),
                                       total=paid_total + failed_total, actor=user.username,
                                       recorded_at=self.ctx.now(), summary=summary | {"by_village": by_village})
            self.payments.event(uow, user, payroll, "import_result", "exported", "results",
                                 comment=f"导入银行回盘 {name}：成功{summary['paid']}笔{summary['paid_total']}元，"
                                         f"失败{summary['failed']}笔{summary['failed_total']}元",
                                 file=name, sha256=digest, **summary)
            return summary | {"state": "results", "state_label": STATES["results"]}

    @staticmethod
    def _match(layout: Layout, parsed, sent: list[dict[str, Any]], payroll: Mapping[str, Any]
               ) -> tuple[list[tuple[int, str, str]], list[str]]:
        problems: list[str] = []
        by_seq = {x["seq"]: x for x in sent}
        by_key: dict[tuple[str, Decimal], list[dict[str, Any]]] = {}
        for x in sent:
            by_key.setdefault((x["bank_account"], Decimal(str(x["amount"]))), []).append(x)
        matched: dict[int, tuple[str, str]] = {}
        total = Decimal(0)
        for row in parsed.rows:
            where = f"第{row['line']}行"
            account = "".join(str(row.get("bank_account", "")).split())
            if "." in account or "e" in account.lower():
                problems.append(f"{where}：账号「{account}」被存成了数字（位数已丢失），请让银行以文本提供")
                continue
            try:
                amount = parse_amount(layout, row.get("amount"))
            except Exception:  # noqa: BLE001 - any unreadable amount is one mismatch
                problems.append(f"{where}：金额「{row.get('amount')}」无法识别")
                continue
            total += amount
            status = str(row.get("status", "")).strip()
            if status in layout.success:
                outcome = "paid"
            elif status in layout.failure:
                outcome = "failed"
            else:
                problems.append(f"{where}：处理结果「{status}」无法识别（成功：{'、'.join(layout.success)}；"
                                f"失败：{'、'.join(layout.failure)}）")
                continue
            if layout.has("seq"):
                try:
                    seq = int(str(row.get("seq", "")).strip())
                except ValueError:
                    problems.append(f"{where}：序号「{row.get('seq')}」无法识别")
                    continue
                line = by_seq.get(seq)
                if line is None:
                    problems.append(f"{where}：序号{seq}（账号{account}）不在本期代发文件中")
                    continue
                if line["bank_account"] != account:
                    problems.append(f"{where}：序号{seq}的账号{account}与发放名册的{line['bank_account']}不符")
                    continue
                if Decimal(str(line["amount"])) != amount:
                    problems.append(f"{where}：序号{seq}（{line['payee_name']}）的金额{amount:.2f}元与发放名册的"
                                    f"{Decimal(str(line['amount'])):.2f}元不符")
                    continue
            else:
                candidates = by_key.get((account, amount)) or []
                line = next((c for c in candidates if c["id"] not in matched), None)
                if line is None:
                    known = any(k[0] == account for k in by_key)
                    problems.append(f"{where}：账号{account}" + (f"的金额{amount:.2f}元与发放名册不符" if known
                                                                  else "不在本期代发文件中"))
                    continue
            if line["id"] in matched:
                problems.append(f"{where}：序号{line['seq']}（{line['payee_name']}）在回盘文件中出现了两次")
                continue
            matched[line["id"]] = (outcome, str(row.get("reason", "")).strip() if outcome == "failed" else "")
        for x in sent:
            if x["id"] not in matched and not any(p.startswith("第") and f"序号{x['seq']}" in p for p in problems):
                problems.append(f"发放名册序号{x['seq']}（{x['payee_name']}，{Decimal(str(x['amount'])):.2f}元）"
                                "在回盘文件中没有")
        expected_total = sum((Decimal(str(x["amount"])) for x in sent), Decimal(0))
        for where, values in (("文件头", parsed.header), ("文件尾", parsed.trailer)):
            if values.get("count") not in (None, "") and str(values["count"]).strip() != str(len(sent)):
                problems.append(f"{where}笔数{values['count']}与发放名册的{len(sent)}笔不符")
            if values.get("total") not in (None, ""):
                try:
                    stated = parse_amount(layout, values["total"])
                except Exception:  # noqa: BLE001
                    problems.append(f"{where}合计「{values['total']}」无法识别")
                else:
                    if stated != expected_total:
                        problems.append(f"{where}合计{stated:.2f}元与发放名册的{expected_total:.2f}元不符")
        if not problems and total != expected_total:
            problems.append(f"回盘文件金额合计{total:.2f}元与发放名册的{expected_total:.2f}元不符")
        results = [(line_id, outcome, reason) for line_id, (outcome, reason) in matched.items()]
        return results, problems

    # --- for drills and tests: what a bank would send back --------------------------------------------
    def sample_result(self, payroll_id: int, layout_id: str, failures: Mapping[int, str] | None = None,
                      today: dt.date | None = None) -> bytes:
        """A result file for the payroll's pending lines, every one 成功 except ``failures`` (序号 → reason)."""
        failures = failures or {}
        with self.ctx.db.unit_of_work() as uow:
            payroll = uow.payments.payroll(int(payroll_id))
            layout = self._layout(uow, layout_id)
            lines = [self._row(x) for x in uow.payments.stream_lines(payroll["id"], states=("pending",))]
            ok, bad = layout.success[0], layout.failure[0]
            for x in lines:
                x["status"] = bad if x["seq"] in failures else ok
                x["reason"] = failures.get(x["seq"], "")
            total = sum((x["amount"] for x in lines), Decimal(0))
            return write(layout, self._summary(uow, payroll, len(lines), total), lines, results=True)
