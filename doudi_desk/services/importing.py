"""Import an office's caseload from a roster: preview first, then one transaction, audited.

:meth:`ImportService.preview` reads the file, matches its villages to the office's areas and its
families to what is already in force, and writes nothing. :meth:`ImportService.commit` does the
same inside one transaction and creates, for each new family, the household and a benefit in
force recorded as a decision of its own kind (历史导入): category, covered persons, monthly amount
and start month as the file gives them (never recomputed), the payment account on the household.
Income and assets are not in a roster: the benefit is flagged 待补录家庭经济状况 and its 复核 is
due within the policy's interval. Families already there are left alone; changed ones and ones
no longer on the roster are offered a 变更 or 停保 (:meth:`ImportService.start_actions`), never
overwritten. The same file twice changes nothing and says so.

Who: the administrator (every area) and a township's caseworker or reviewer (their own villages;
rows of other villages are errors naming the village).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.calc import review_interval_months
from ..domain.errors import DomainError, InputError
from ..domain.model import AuditEvent, Case, User
from ..domain.programmes import PROGRAMMES, REGISTRY
from ..gcpause import gc_paused
from ..importing.error_list import error_rows
from ..importing.issues import Issue
from ..importing.profiles import Profile, default_folder, load_profiles
from ..importing.reader import digest_of, read
from ..importing.records import HouseholdRecord
from ..importing.roster import ParsedFile, parse_workbook
from . import lookup
from .case_writer import KIND_CODES
from .cases import CaseService, _amount_text
from .context import AppContext
from .import_areas import AreaResolver
from .import_compare import STATUS_LABELS, compare, in_force
from .lifecycle import add_months, month_of

log = logging.getLogger(__name__)

IMPORT_ROLES = frozenset({"admin", "caseworker", "township_reviewer"})
PROFILES_DIR_KEY = "import_profiles_dir"  # setting: the office's own profiles folder
PENDING = {"economic_data": "待补录家庭经济状况", "covered": "保障对象待确认"}
CHUNK = 2000  # households written between two looks at "cancel"


class ImportCancelled(DomainError):
    """The user cancelled; the transaction was rolled back and nothing was written."""


class _Progress:
    """Progress to a worker job (``job.report``), checks for ``job.cancelled`` at safe points."""

    def __init__(self, job: Any = None):
        self.job = job

    def __call__(self, done: int, total: int, text: str) -> None:
        if self.job is not None:
            self.job.report(done, total, text)

    def check(self) -> None:
        if self.job is not None and getattr(self.job, "cancelled", False):
            raise ImportCancelled("已取消导入，没有写入任何内容")


@dataclass
class _Row:
    record: HouseholdRecord
    status: str = "error"
    village: Any = None  # the matched Area
    case: dict[str, Any] | None = None
    changes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # found against the office's records (areas, people)

    @property
    def all_issues(self) -> list[Issue]:
        return [*self.record.issues, *self.issues]


@dataclass
class _Plan:
    parsed: ParsedFile
    rows: list[_Row]
    gone: list[dict[str, Any]]
    batches: list[dict[str, Any]]

    def issues(self) -> list[Issue]:
        out = self.parsed.issues + [i for r in self.rows for i in r.issues]
        return sorted(out, key=lambda i: (i.sheet, i.row, i.column))

    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.rows)
        return {"households": len(self.rows), "members": sum(len(r.record.members) for r in self.rows),
                "new": c["new"], "matches": c["matches"], "changed": c["changed"], "error": c["error"],
                "gone": len(self.gone)}


class ImportService:
    """Preview, commit and follow-up actions of a roster import. Holds no session."""

    def __init__(self, ctx: AppContext, cases: CaseService | None = None):
        self.ctx = ctx
        self.cases = cases or CaseService(ctx)
        # The last file read (a confirm right after its preview does not read it again): the key
        # holds the file's SHA-256, so a file changed in between is read afresh.
        self._last: tuple[tuple[Any, ...], ParsedFile] | None = None

    # --- profiles ---
    def profiles(self) -> dict[str, Profile]:
        """The shipped profiles and the office's own (setting ``import_profiles_dir``), theirs winning."""
        with self.ctx.db.unit_of_work() as uow:
            folder = uow.settings.get(PROFILES_DIR_KEY)
        return load_profiles(default_folder(), Path(folder) if folder else None)

    def profile_choices(self) -> list[dict[str, str]]:
        return [{"id": p.id, "title": p.title, "description": p.description} for p in self.profiles().values()]

    # --- helpers ---
    def _user(self, uow, actor: str) -> User:
        user = lookup.actor(uow, actor)
        if not set(user.roles) & IMPORT_ROLES:
            raise DomainError(f"用户 {user.full_name} 无权导入，须由系统管理员或乡镇经办人、审核人导入")
        return user

    def _parse(self, path: str | Path, profile: str | None, progress: _Progress) -> ParsedFile:
        progress(0, 100, "正在读取文件…")
        try:  # the digest first: a confirm right after its preview needs no second read of the cells
            digest = digest_of(Path(path).read_bytes())
        except OSError:
            digest = None  # read() below says what is wrong with the file
        key = (str(Path(path).resolve()), digest, profile, self.ctx.today())
        if digest is not None and self._last is not None and self._last[0] == key:
            parsed = self._last[1]
        else:
            self._last = None
            workbook = read(path)
            parsed = parse_workbook(workbook, self.profiles(), today=self.ctx.today(), wanted=profile)
            self._last = ((str(Path(path).resolve()), workbook.digest, profile, self.ctx.today()), parsed)
        progress(40, 100, f"已读取 {len(parsed.households)} 户，正在核对…")
        progress.check()
        return parsed

    def _plan(self, uow, user: User, parsed: ParsedFile, progress: _Progress) -> _Plan:
        today = self.ctx.today()
        resolver = AreaResolver(uow, user)
        rows = [_Row(r) for r in parsed.households]
        for row in rows:
            rec = row.record
            if not rec.ok:
                continue
            found = resolver.resolve(rec.township, rec.village)
            if found.village is None:
                row.issues.append(rec.issue("error", found.error, found.field))
            row.village = found.village
        ids = [n for r in rows if r.village is not None for n in r.record.id_numbers()]
        people: dict[str, list[dict[str, Any]]] = {}
        for c in uow.imports.cases_of_people(ids):
            people.setdefault(c["id_number"], []).append(c)
        parents = {c["parent_case_id"] or c["case_id"] for cs in people.values() for c in cs}
        benefits = {b["id"]: b for b in uow.imports.benefit_cases(case_ids=sorted(parents))}
        progress(60, 100, "正在与已有记录比对…")
        for row in rows:
            rec = row.record
            if row.village is None:
                continue
            result = compare(rec, row.village.code, people, benefits, today)
            for text in result.errors:
                row.issues.append(rec.issue("error", text, "id_number", rec.head.row if rec.head else None))
            row.status = "error" if result.errors else result.status
            row.case, row.changes = result.case, result.changes
        progress.check()
        matched = {r.case["id"] for r in rows if r.case}
        in_file = {m.id_number for r in rows for m in r.record.members if m.id_number}
        # A roster is a township's (or the county's) list: every village of the townships it covers
        # is looked at, so a village that dropped out of the list entirely is noticed too.
        towns = {r.village.parent_code for r in rows if r.village is not None}
        villages = sorted(v.code for v in resolver.villages if v.parent_code in towns)
        programmes = sorted({r.record.programme for r in rows if r.record.programme})
        gone = []
        for b in (uow.imports.benefit_cases(villages=villages, programmes=programmes, exclude=matched)
                  if villages else []):
            if not in_force(b, today):
                continue
            if any(m["id_number"] in in_file for m in b["household"]["members"]):
                continue  # its family is in the file, on a row with errors
            if not lookup.in_scope(uow, user, b["village_code"]):
                continue
            gone.append(b)
        progress(80, 100, "核对完成")
        return _Plan(parsed, rows, gone, uow.imports.batches(digest=parsed.workbook.digest))

    def _report(self, uow, plan: _Plan) -> dict[str, Any]:
        names = {a.code: a.name for a in uow.areas.all()}
        parsed = plan.parsed
        counts = plan.counts()
        rows = []
        for r in plan.rows:
            rec = r.record
            head = rec.head
            rows.append({
                "status": r.status, "status_label": STATUS_LABELS[r.status], "sheet": rec.sheet,
                "row": rec.first_row, "rows": list(rec.rows), "head": head.name if head else "",
                "head_id_number": head.id_number if head else "", "township": rec.township, "village": rec.village,
                "village_code": r.village.code if r.village else None,
                "programme": rec.programme, "programme_label": PROGRAMMES.get(rec.programme or "", ""),
                "members": len(rec.members), "covered_count": rec.covered_count,
                "monthly_amount": str(rec.monthly_amount) if rec.monthly_amount is not None else "",
                "start_month": rec.start_month or "", "category": rec.category,
                "errors": [i.text() for i in r.all_issues if i.severity == "error"],
                "messages": [i.text() for i in r.all_issues if i.severity != "error"],
                "changes": list(r.changes), "case": r.case["number"] if r.case else None,
                "case_id": r.case["id"] if r.case else None,
            })
        gone = [{"case": b["number"], "case_id": b["id"], "head": _head_name(b), "village": names.get(b["village_code"], ""),
                 "programme_label": PROGRAMMES.get(b["programme"], b["programme"]),
                 "monthly_amount": str((b["benefit"] or {}).get("monthly_amount") or ""),
                 "open_case": b["open_case"]} for b in plan.gone]
        issues = [i.as_dict() for i in plan.issues()]
        return {
            "file": parsed.workbook.path.name, "digest": parsed.workbook.digest, "size": parsed.workbook.size,
            "profile": {"id": parsed.profile.id, "title": parsed.profile.title, "guessed": parsed.guessed},
            "explanation": parsed.explanation, "notes": list(parsed.notes), "counts": counts,
            "households": rows, "gone": gone, "issues": issues,
            "error_count": sum(1 for i in issues if i["severity"] == "error"),
            "fixed_count": sum(1 for i in issues if i["severity"] == "fixed"),
            "already_imported": [{"batch": b["id"], "actor": b["actor"],
                                  "imported_at": b["imported_at"].isoformat(sep=" "), "counts": b["counts"]}
                                 for b in plan.batches],
            "summary": _summary(counts, plan.batches),
        }

    # --- preview ---
    def preview(self, path: str | Path, actor: str, *, profile: str | None = None, job: Any = None) -> dict[str, Any]:
        """What an import would do, row by row; nothing is written."""
        with gc_paused():
            return self._preview(path, actor, profile, job)

    def _preview(self, path: str | Path, actor: str, profile: str | None, job: Any) -> dict[str, Any]:
        progress = _Progress(job)
        with self.ctx.db.unit_of_work() as uow:
            self._user(uow, actor)
        parsed = self._parse(path, profile, progress)
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            plan = self._plan(uow, user, parsed, progress)
            report = self._report(uow, plan)
        progress(100, 100, "预览完成")
        return report

    # --- commit ---
    def commit(self, path: str | Path, actor: str, *, profile: str | None = None, skip_errors: bool = False,
               expected_digest: str | None = None, job: Any = None) -> dict[str, Any]:
        """Create the new families in one transaction; refuse everything when rows have errors unless
        ``skip_errors``. Returns the preview's report with ``created`` (case numbers) and ``message``."""
        with gc_paused():
            return self._commit(path, actor, profile, skip_errors, expected_digest, job)

    def _commit(self, path: str | Path, actor: str, profile: str | None, skip_errors: bool,
                expected_digest: str | None, job: Any) -> dict[str, Any]:
        progress = _Progress(job)
        with self.ctx.db.unit_of_work() as uow:
            self._user(uow, actor)
        parsed = self._parse(path, profile, progress)
        if expected_digest and parsed.workbook.digest != expected_digest:
            raise InputError("文件在预览之后被修改过，请重新预览后再导入", "FILE")
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            plan = self._plan(uow, user, parsed, progress)
            report = self._report(uow, plan)
            counts = report["counts"]
            if counts["error"] and not skip_errors:
                first = [e for h in report["households"] for e in h["errors"]][:5]
                raise InputError(
                    f"文件中有 {counts['error']} 户有错误，整个文件未导入，没有写入任何内容。"
                    "请改正后重新导入，或选择「跳过有错误的户」。" + ("首先是：" + "；".join(first) if first else ""),
                    "FILE")
            new = [r for r in plan.rows if r.status == "new"]
            if not new:
                report["created"] = []
                report["batch"] = None
                report["message"] = _nothing_message(counts, plan.batches)
                progress(100, 100, "没有需要导入的新家庭")
                return report
            created = self._write(uow, user, plan, new, progress)
            counts = {**counts, "created": len(created)}
            batch = uow.imports.add_batch(parsed.workbook.digest, parsed.workbook.path.name, parsed.profile.id,
                                          user.username, self.ctx.now(), counts)
            uow.events.append_office(
                user.username, "import", self.ctx.now(), subject=parsed.workbook.path.name[:64],
                comment=(f"导入花名册「{parsed.workbook.path.name}」（格式：{parsed.profile.title}）：新增 {len(created)} 户"
                         + (f"，跳过有错误的 {counts['error']} 户" if counts["error"] else "")
                         + f"；文件 SHA-256 {parsed.workbook.digest}"),
                data={"file": parsed.workbook.path.name, "digest": parsed.workbook.digest, "batch": batch,
                      "profile": parsed.profile.id, "counts": counts, "cases": created[:200],
                      "skipped_rows": [r.record.first_row for r in plan.rows if r.status == "error"][:500]})
            report["counts"] = counts
            report["created"] = created
            report["batch"] = batch
            report["message"] = (f"已导入 {len(created)} 户（第 {batch} 批）"
                                 + (f"；{counts['matches']} 户已有且相同，未改动" if counts["matches"] else "")
                                 + (f"；{counts['changed']} 户有变化，未覆盖，可登记变更" if counts["changed"] else "")
                                 + (f"；{counts['gone']} 户不在名单中，可提出停保" if counts["gone"] else "")
                                 + (f"；跳过有错误的 {counts['error']} 户" if counts["error"] else ""))
        self._last = None  # done with this file: free the memory
        if len(created) >= 1000:  # a county's roster changes the tables' statistics: refresh them
            self.ctx.db.optimize(analyze=True)
        progress(100, 100, report["message"])
        return report

    def _write(self, uow, user: User, plan: _Plan, new: Sequence[_Row], progress: _Progress) -> list[str]:
        today, now = self.ctx.today(), self.ctx.now()
        parsed = plan.parsed
        created: list[str] = []
        serials: dict[str, int] = {}
        for start in range(0, len(new), CHUNK):
            progress.check()
            chunk = new[start:start + CHUNK]
            households = [r.record.to_household(r.village.code) for r in chunk]
            uow.imports.add_households(households, now)
            cases = []
            for row, household in zip(chunk, households, strict=True):
                prefix = f"{today.year}-{REGISTRY[row.record.programme].case_prefix}{KIND_CODES['import']}-"
                if prefix not in serials:
                    serials[prefix] = uow.imports.next_serial(prefix)
                number = f"{prefix}{serials[prefix]:06d}"
                serials[prefix] += 1
                cases.append(self._case(row, household, number, user, today, now, parsed))
            ids = uow.imports.add_cases([_case_values(c) for c in cases])
            events = []
            for case, case_id, household, row in zip(cases, ids, households, chunk, strict=True):
                case.id = case_id
                rec = row.record
                events.append(AuditEvent(
                    case_id=case_id, seq=1, actor=user.username, trigger="import", from_state=None,
                    to_state=case.state, recorded_at=now, effective_date=today,
                    comment=f"历史数据导入：{parsed.workbook.path.name} 工作表「{rec.sheet}」第{rec.first_row}行",
                    changes=_created(case),
                    # where it came from; the household itself is the case's (its rows are never edited)
                    data={"file": parsed.workbook.path.name, "sheet": rec.sheet, "row": rec.first_row,
                          "rows": list(rec.rows), "digest": parsed.workbook.digest, "profile": parsed.profile.id,
                          "household_id": household.id, "members": len(household.members)}))
                created.append(case.number)
            uow.events.append_first_events(events)
            progress(80 + int(20 * (start + len(chunk)) / len(new)), 100,
                     f"已写入 {start + len(chunk)} / {len(new)} 户")
        progress.check()
        return created

    def _case(self, row: _Row, household, number: str, user: User, today: dt.date, now: dt.datetime,
              parsed: ParsedFile) -> Case:
        rec = row.record
        engine = self.ctx.engine_for_programme(rec.programme, "import")
        covered = rec.covered
        interval = review_interval_months(rec.programme, household, covered, today)
        amount = _amount_text(rec.monthly_amount)
        pending = ["economic_data"] + ([] if covered is not None else ["covered"])
        # "month": the month of the import; what was paid before it was paid by the previous system
        source = {"file": parsed.workbook.path.name, "sheet": rec.sheet, "row": rec.first_row,
                  "digest": parsed.workbook.digest, "profile": parsed.profile.id, "month": month_of(today)}
        decision = {
            "result": "approved", "imported": True, "monthly_amount": amount, "start_month": rec.start_month,
            "covered": covered or [], "covered_count": rec.covered_count, "category": rec.category,
            "review_interval_months": interval, "decided_by": user.username, "decided_on": today.isoformat(),
            "comment": f"按花名册导入（{parsed.workbook.path.name} 第{rec.first_row}行），金额和保障对象以花名册为准",
            "source": source,
        }
        benefit = {
            "status": "active", "monthly_amount": amount, "covered": covered or [],
            "covered_count": rec.covered_count, "category": rec.category, "since_month": rec.start_month,
            "review_interval_months": interval, "wage_income": None, "phase_out_until": None, "stopped_from": None,
            "pending": pending, "pending_labels": [PENDING[p] for p in pending], "imported": source,
            "history": [{"month": rec.start_month, "amount": amount, "result": "imported", "case": number,
                         "decided_on": today.isoformat()}],
        }
        return Case(
            id=None, number=number, programme=rec.programme, workflow_id=engine.spec.id,
            workflow_version=engine.spec.version, state=engine.spec.states_ending("approved")[0],
            household_id=household.id,
            village_code=row.village.code, created_by=user.username, created_at=now, applied_on=today,
            state_entered_on=today, forms={}, decision=decision, benefit=benefit, last_effective_date=today,
            closed=True, kind="import",
            next_review_on=dt.date.fromisoformat(add_months(month_of(today), interval) + "-01"),
        )

    # --- after a later month's roster ---
    def start_actions(self, actor: str, actions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Open the 变更 (``change``) or 停保 (``stop``) a comparison offered, one case per family, each
        in its own transaction; a refusal (no right, a case already open) is reported, not raised."""
        from .lifecycle import LifecycleService

        life = LifecycleService(self.cases)
        today = self.ctx.today().isoformat()
        results = []
        for a in actions:
            kind, ref, detail = a.get("action"), a.get("case"), str(a.get("detail") or "").strip()
            try:
                if kind == "change":
                    view = life.start_change(ref, actor, {"change_type": "other", "change_date": today,
                                                          "reported_by": "data_match",
                                                          "detail": detail or "花名册比对发现变化"},
                                             comment=f"花名册比对：{detail}")
                elif kind == "stop":
                    view = life.start_termination(ref, actor, "other", detail or "最新花名册中已无此户")
                else:
                    raise InputError(f"action: 只能是 change（变更）或 stop（停保），现为「{kind}」", "action")
            except DomainError as exc:
                results.append({"case": ref, "action": kind, "ok": False, "message": exc.message})
                continue
            results.append({"case": ref, "action": kind, "ok": True, "opened": view.number, "opened_id": view.id})
        done = sum(1 for r in results if r["ok"])
        return {"results": results, "opened": done, "refused": len(results) - done}

    def offered_actions(self, report: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The 变更 and 停保 a report offers: one per changed family, one per family no longer listed."""
        month = month_of(self.ctx.today())
        out = [{"action": "change", "case": h["case"], "head": h["head"],
                "detail": f"{month} 花名册「{report['file']}」第{h['row']}行：" + "；".join(h["changes"])}
               for h in report["households"] if h["status"] == "changed"]
        out += [{"action": "stop", "case": g["case"], "head": g["head"],
                 "detail": f"{month} 花名册「{report['file']}」中已无此户（户主 {g['head']}，{g['village']}）"}
                for g in report["gone"]]
        return out

    # --- the error list ---
    def export_errors(self, path: str | Path, actor: str, out: str | Path, *, profile: str | None = None,
                      job: Any = None) -> dict[str, Any]:
        """The households with errors, every row beside its original columns with what is wrong, as
        xlsx: the office corrects that file and imports it again (it has the original header)."""
        from .exporting import Column, ExportService, Table

        progress = _Progress(job)
        with self.ctx.db.unit_of_work() as uow:
            self._user(uow, actor)
        parsed = self._parse(path, profile, progress)
        with self.ctx.db.unit_of_work() as uow:
            plan = self._plan(uow, self._user(uow, actor), parsed, progress)
        failed = [r.record for r in plan.rows if r.status == "error"]
        headers, codes, rows = error_rows(parsed, failed, plan.issues())
        # the programme in the title, so a file whose programme only its title said keeps it when re-imported
        programmes = "、".join(PROGRAMMES[p] for p in dict.fromkeys(r.programme for r in failed if r.programme))
        columns = [Column(str(i), h, "code" if i in codes else "text", "id_number" if i in codes else None)
                   for i, h in enumerate(headers)]
        table = Table(columns, rows, [f"{sum(1 for r in plan.rows if r.status == 'error')} 户有错误，"
                                      "改正后可直接导入此文件"], title=f"导入错误清单：{parsed.workbook.path.name}" + (f"（{programmes}）" if programmes else ""),
                      own_file=True)
        return ExportService(self.ctx).write(actor, out, "导入错误清单", table)


def _created(case: Case) -> dict[str, Any]:
    """The audit event's changes of an imported case: what it was created with (JSON-ready values,
    built directly: the generic snapshot diff costs a JSON round trip per field)."""
    d, b = case.decision or {}, case.benefit or {}
    after = {"state": case.state, "closed": case.closed, "next_review_on": case.next_review_on.isoformat(),
             "benefit.status": b["status"], "benefit.monthly_amount": b["monthly_amount"],
             "decision.result": d["result"], "decision.monthly_amount": d["monthly_amount"],
             "decision.start_month": d["start_month"], "decision.covered": d["covered"],
             "decision.covered_count": d["covered_count"], "decision.category": d["category"],
             "decision.review_interval_months": d["review_interval_months"]}
    return {key: {"before": None, "after": value} for key, value in after.items()}


def _head_name(b: Mapping[str, Any]) -> str:
    members = b["household"]["members"]
    head = next((m for m in members if m["relation"] == "head"), members[0] if members else None)
    return head["name"] if head else ""


def _case_values(case: Case) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(case, f.name) for f in fields(Case) if f.name not in ("id", "version")}


def _summary(counts: Mapping[str, int], batches: Sequence[Mapping[str, Any]]) -> str:
    parts = [f"共 {counts['households']} 户 {counts['members']} 人：新增 {counts['new']} 户",
             f"已有且相同 {counts['matches']} 户", f"有变化 {counts['changed']} 户", f"有错误 {counts['error']} 户"]
    text = "，".join(parts)
    if counts["gone"]:
        text += f"；名单所涉乡镇有 {counts['gone']} 户在保家庭不在此名单中"
    if batches:
        b = batches[0]
        text += f"。此文件已于 {b['imported_at']:%Y-%m-%d %H:%M} 由 {b['actor']} 导入过（第 {b['id']} 批）"
    return text


def _nothing_message(counts: Mapping[str, int], batches: Sequence[Mapping[str, Any]]) -> str:
    text = "没有需要导入的新家庭，本次没有写入任何内容"
    if counts["matches"]:
        text += f"：{counts['matches']} 户已有且相同"
    if counts["changed"]:
        text += f"，{counts['changed']} 户有变化（未覆盖，可登记变更）"
    if counts["gone"]:
        text += f"，{counts['gone']} 户不在名单中（可提出停保）"
    if batches:
        text += f"。此文件已于 {batches[0]['imported_at']:%Y-%m-%d %H:%M} 导入过"
    return text
