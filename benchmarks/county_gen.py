"""A county-scale database with the program's own schema, made fast (used by benchmarks/county.py).

How: the program's :class:`Database` and its Alembic migrations make the schema; the office (areas,
users with passwords, the policy set, delegations) is set up through the real AdminService, so the
first links of the audit chain are the program's own. The cases come from *templates*: the demo
township (services/demo.py, every case driven through the real CaseService) is built once, and each
of its cases — row, household, audit history — is copied many times with new people (valid
GB 11643 ID numbers with the template's birth dates and sexes, pinyin initials by
storage/initials.py), new villages, case numbers, users and accounts, then inserted in bulk with
raw sqlite3 executemany. Audit events are linked into the hash chain exactly as storage/chain.py
hashes them (the canonical payload text is assembled from pre-canonicalised template JSON; a sample
of events is checked against :func:`event_digest`, and the benchmark's test runs ``audit verify``).

Layout at full size: 18 townships × 20 villages; users of every role (3 caseworkers and a
reviewer per township, 4 townships with delegated decisions, 2 county approvers, an administrator);
``households`` families, about 1.5 cases per family (approved 低保 families mostly have a 复核,
变更 or 停保 case too), ~5 % of families waiting for the county's decision, one village with a
公示 batch of 2 % of the families, and log-in events so the trail has ~20 events per family.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from doudi_desk.domain import ids
from doudi_desk.services.admin import AdminService, default_policy
from doudi_desk.services.context import open_context
from doudi_desk.services.demo import build_demo
from doudi_desk.storage.chain import CHAIN_VERSION, event_digest
from doudi_desk.storage.db import MIGRATIONS_DIR
from doudi_desk.storage.initials import name_initials
from doudi_desk.storage.search_keys import phone_key, reversed_key

GENERATOR_VERSION = 7  # bump when the generated data changes, so caches are rebuilt
PASSWORD = "county-bench-2026"
REGION = "139902"  # the generated county's code (and the region of its people's ID numbers)
TEMPLATE_REGION = "139901"  # the demo's
COUNTY_NAME = "白河县"
TOWNSHIP_NAMES = ["城关镇", "白河镇", "柳林镇", "石门乡", "清水乡", "高庄镇", "前进乡", "东风镇", "红星乡",
                  "马坊镇", "南关乡", "北岭乡", "西沟镇", "杨庄乡", "李家堡乡", "黄土坡镇", "龙泉乡", "三河镇"]
VILLAGE_WORDS = ["东", "西", "南", "北", "前", "后", "上", "下", "大", "小", "新", "老", "中", "高", "王", "李",
                 "张", "刘", "马", "杨"]
VILLAGE_ENDS = ["庄村", "营村", "屯村", "堡村", "沟村", "河村", "湾村", "岭村", "坡村", "店村"]
SURNAMES = ("王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴")
GIVEN_CHARS = ("建国秀兰桂英志强丽娟德明玉梅海燕庆春生淑珍红文博子涵浩然雨欣金凤长顺福贵辉小军晓立新永思远"
               "伟芳娜敏静磊洋勇艳杰涛超霞平刚华飞鹏宇琳婷雪慧颖佳俊峰亮斌波宁鑫")
DELEGATED_EVERY = 5  # townships 5, 10, 15 and the last one decide themselves


def schema_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    script = ScriptDirectory.from_config(config)
    heads = script.get_heads()
    # The head and a digest of the whole chain: migrations relinked when branches merge keep their
    # numbers, and a cache made on another chain must never pass for this one.
    chain = ";".join(sorted(f"{r.revision}<{r.down_revision}" for r in script.walk_revisions()))
    return "+".join(sorted(heads)) + "-" + hashlib.sha1(chain.encode()).hexdigest()[:8]


def cache_folder() -> Path:
    """Where generated databases are kept: ``$DOUDI_BENCH_CACHE`` or the user cache folder."""
    import os

    import platformdirs

    if os.environ.get("DOUDI_BENCH_CACHE"):
        return Path(os.environ["DOUDI_BENCH_CACHE"])
    return Path(platformdirs.user_cache_dir("doudi_desk", appauthor=False)) / "county-bench"


# ----------------------------------------------------------------------------------- templates


@dataclass
class Template:
    """One demo case with its household and audit history, ready to copy."""

    case: dict[str, Any]
    household: dict[str, Any]
    members: list[dict[str, Any]]
    income: list[dict[str, Any]]
    rigid: list[dict[str, Any]]
    events: list[dict[str, Any]]  # with "changes_canon"/"data_canon": the chain's canonical JSON
    delegated: bool
    children: list[Template] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.case["programme"], self.case["kind"], self.case["state"]


def _canon(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def template_database(folder: Path) -> Path:
    """The demo township with every programme, built once per schema revision."""
    path = folder / f"template-{schema_revision()}-g{GENERATOR_VERSION}.sqlite3"
    if not path.exists():
        part = path.with_name(f"{path.name}.{os.getpid()}.part.sqlite3")  # two runs never share one
        ctx = open_context(f"sqlite:///{part}")
        build_demo(ctx, households=200, with_other_programmes=True)
        ctx.db.dispose()
        con = sqlite3.connect(part)
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        part.replace(path)
    return path


def load_templates(path: Path) -> list[Template]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        cases = {r["id"]: dict(r) for r in con.execute("SELECT * FROM cases ORDER BY id")}
        households = {r["id"]: dict(r) for r in con.execute("SELECT * FROM households")}
        members: dict[int, list] = defaultdict(list)
        for r in con.execute("SELECT * FROM members ORDER BY household_id, position"):
            members[r["household_id"]].append(dict(r))
        income: dict[int, list] = defaultdict(list)
        for r in con.execute("SELECT * FROM income_items ORDER BY household_id, position"):
            income[r["household_id"]].append(dict(r))
        rigid: dict[int, list] = defaultdict(list)
        for r in con.execute("SELECT * FROM rigid_expenses ORDER BY household_id, position"):
            rigid[r["household_id"]].append(dict(r))
        events: dict[int, list] = defaultdict(list)
        for r in con.execute("SELECT * FROM audit_events WHERE case_id IS NOT NULL ORDER BY case_id, seq"):
            e = dict(r)
            e["changes_canon"] = _canon(e["changes"])
            e["data_canon"] = _canon(e["data"])
            events[r["case_id"]].append(e)
    finally:
        con.close()
    out: dict[int, Template] = {}
    for cid, c in cases.items():
        h = c["household_id"]
        out[cid] = Template(case=c, household=households[h], members=members[h], income=income[h], rigid=rigid[h],
                            events=events[cid], delegated=bool(c["county_delegated"]))
    roots = []
    for t in out.values():
        parent = t.case["parent_case_id"]
        if parent is not None:
            out[parent].children.append(t)
        else:
            roots.append(t)
    return roots


# --------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Layout:
    townships: int
    villages_per_township: int

    @staticmethod
    def for_size(households: int) -> Layout:
        if households >= 5000:
            return Layout(18, 20)
        return Layout(3, 4)


def _plan_weights(households: int) -> list[tuple[tuple[str, str, str], bool, float]]:
    """(template key, with its children, share of families)."""
    return [
        (("dibao", "application", "approved"), True, 0.48),   # 在保, with a 复核/变更/停保 case
        (("dibao", "application", "approved"), False, 0.04),
        (("dibao", "application", "refused"), False, 0.05),
        (("dibao", "application", "withdrawn"), False, 0.03),
        (("dibao", "application", "not_accepted"), False, 0.03),
        (("dibao", "application", "county_review"), False, 0.05),  # waiting for the county
        (("dibao", "application", "township_decision"), False, 0.01),
        (("dibao", "application", "posting"), False, 0.015),
        (("dibao", "application", "preliminary_review"), False, 0.02),
        (("dibao", "application", "investigating"), False, 0.02),
        (("dibao", "application", "accepted"), False, 0.01),
        (("dibao", "application", "applied"), False, 0.01),
        (("dibao", "application", "correcting"), False, 0.005),
        (("dibao", "application", "objection"), False, 0.003),
        (("dibao", "application", "democratic_review"), False, 0.002),
        (("tekun", "application", "approved"), False, 0.08),
        (("tekun", "application", "county_review"), False, 0.003),
        (("tekun", "application", "preliminary_review"), False, 0.005),
        (("temporary", "application", "approved"), False, 0.12),
        (("temporary", "application", "county_approval"), False, 0.002),
        (("temporary", "application", "township_approval"), False, 0.003),
        (("temporary", "application", "investigating"), False, 0.005),
    ]


class People:
    """New people for template members: same birth date and sex, new name and ID number."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self._initials: dict[str, str] = {}

    def id_like(self, template_id: str) -> str:
        born = ids.birth_date(template_id)
        male = int(template_id[16]) % 2 == 1
        for _ in range(200):
            # People of the county and its neighbours (ID region codes 139901–139999): a template
            # person is copied thousands of times with the same birth date, so one region is too few.
            region = REGION if self.rng.random() < 0.3 else f"1399{self.rng.randrange(1, 100):02d}"
            seq = self.rng.randrange(0, 1000)
            if (seq % 2 == 1) != male:
                seq = (seq + 1) % 1000
            number = ids.make_id(region, born, seq)
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError(f"no free ID number for birth date {born}")

    def name(self, surname: str | None = None) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.8 else "")
        return (surname or rng.choice(SURNAMES)) + given

    def initials(self, name: str) -> str:
        got = self._initials.get(name)
        if got is None:
            got = self._initials[name] = name_initials(name)
        return got


# ----------------------------------------------------------------------------------- generator


class _Chain:
    """Links events into the chain exactly as EventRepository._append_row does (storage/chain.py)."""

    def __init__(self, seq: int, head: str):
        self.seq, self.head = seq, head
        self.checked = 0

    def link(self, e: dict[str, Any], changes_canon: str, data_canon: str, check: bool) -> None:
        self.seq += 1
        e["chain_seq"] = self.seq
        e["prev_hash"] = self.head
        dumps = json.dumps
        text = ('{"actor":' + dumps(e["actor"], ensure_ascii=False)
                + ',"case_id":' + ("null" if e["case_id"] is None else str(e["case_id"]))
                + ',"chain_seq":' + str(self.seq)
                + ',"changes":' + changes_canon
                + ',"comment":' + dumps(e["comment"], ensure_ascii=False)
                + ',"data":' + data_canon
                + ',"effective_date":"' + e["effective_date"] + '"'
                + ',"from_state":' + dumps(e["from_state"], ensure_ascii=False)
                + ',"prev":"' + self.head + '"'
                + ',"recorded_at":"' + e["recorded_at_text"] + '"'
                + ',"seq":' + str(e["seq"])
                + ',"to_state":' + dumps(e["to_state"], ensure_ascii=False)
                + ',"trigger":' + dumps(e["trigger"], ensure_ascii=False)
                + ',"v":' + str(CHAIN_VERSION) + "}")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if check:  # the fast text must be exactly chain.py's: compare on a sample
            values = {k: e[k] for k in ("case_id", "seq", "actor", "trigger", "from_state", "to_state", "comment")}
            values.update(chain_seq=self.seq, recorded_at=dt.datetime.fromisoformat(e["recorded_at_text"]),
                          effective_date=dt.date.fromisoformat(e["effective_date"]),
                          changes=json.loads(e["changes"]), data=json.loads(e["data"]))
            reference = event_digest(self.head, values)
            if reference != digest:
                raise AssertionError(f"generated chain text differs from chain.py at {self.seq}: {text[:300]}")
            self.checked += 1
        e["hash"] = digest
        self.head = digest


COLUMNS = {
    "households": ("id", "village_code", "address", "phone", "phone_reversed", "bank_name", "bank_account",
                   "no_able_supporter", "assets", "temporary", "created_at"),
    "members": ("id", "household_id", "position", "name", "name_initials", "id_number", "id_reversed", "relation",
                "excluded",
                "disability_type", "disability_grade", "serious_illness", "applicant", "adl_unable", "work_capacity",
                "student", "staff_relative"),
    "income_items": ("household_id", "position", "member_position", "type", "amount", "note"),
    "rigid_expenses": ("household_id", "position", "member_position", "kind", "amount", "note"),
    "cases": ("id", "number", "number_reversed", "programme", "workflow_id", "workflow_version", "state",
              "household_id", "village_code",
              "created_by", "created_at", "applied_on", "accepted_on", "state_entered_on", "state_deadline",
              "total_deadline", "county_delegated", "staff_relative", "forms", "proposal", "decision",
              "last_effective_date", "closed", "kind", "parent_case_id", "benefit", "next_review_on", "version"),
    "audit_events": ("id", "case_id", "seq", "actor", "trigger", "from_state", "to_state", "recorded_at",
                     "effective_date", "comment", "changes", "data", "chain_seq", "prev_hash", "hash"),
}
_CASE_TEXT = ("forms", "proposal", "decision", "benefit")


class CountyGenerator:
    def __init__(self, households: int, seed: int = 14):
        self.n = households
        self.rng = random.Random(seed)
        self.people = People(self.rng)
        self.layout = Layout.for_size(households)
        self.next_id = defaultdict(lambda: 1)
        self.serial: dict[str, int] = defaultdict(int)
        self.stats: dict[str, Any] = defaultdict(int)

    # --- office through the real services ---
    def _office(self, ctx) -> None:
        admin = AdminService(ctx)
        lay = self.layout
        admin.add_area(REGION, COUNTY_NAME, "county")
        admin.add_user("admin", "刘建华", ["admin"], REGION)
        admin.set_password("admin", PASSWORD, temporary=False)
        self.townships: list[dict[str, Any]] = []
        rng = random.Random(7)
        taken: set[str] = set()
        for t in range(1, lay.townships + 1):
            code = f"{REGION}{100 + t:03d}"
            admin.add_area(code, TOWNSHIP_NAMES[(t - 1) % len(TOWNSHIP_NAMES)], "township", REGION, actor="admin")
            villages = []
            for v in range(1, lay.villages_per_township + 1):
                while True:
                    name = rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_ENDS)
                    if name not in taken:
                        taken.add(name)
                        break
                vcode = f"{code}{v:03d}"
                admin.add_area(vcode, name, "village", code, actor="admin")
                villages.append(vcode)
            delegated = t % DELEGATED_EVERY == 0 or t == lay.townships
            users = {"cw1": f"cw{t:02d}a", "cw2": f"cw{t:02d}b", "cw3": f"cw{t:02d}c", "rv": f"rv{t:02d}"}
            names = {k: self.people.name() for k in users}
            for key, username in users.items():
                roles = ["caseworker", "township_reviewer"] if (key == "rv" and delegated) else \
                    (["township_reviewer"] if key == "rv" else ["caseworker"])
                admin.add_user(username, names[key], roles, code, actor="admin")
            if delegated:
                admin.set_delegation(code, True, actor="admin")
            self.townships.append({"code": code, "villages": villages, "delegated": delegated, "users": users,
                                   "names": names})
        self.county_users = {"ap1": "county1", "ap2": "county2"}
        for username, name in (("county1", "赵军"), ("county2", "钱进")):
            admin.add_user(username, name, ["county_approver"], REGION, actor="admin")
        admin.set_policy(REGION, dt.date(ctx.today().year - 1, 1, 1), default_policy(), actor="admin",
                         note="本县现行标准")
        # Every account gets the same password (one Argon2id hash; hashing 80 would take 25 s).
        with ctx.db.unit_of_work() as uow:
            digest = uow.users.credentials("admin")["password_hash"]
            for user in uow.users.all():
                if user.username != "admin":
                    uow.users.set_password_hash(user.username, digest, changed_at=ctx.now(), must_change=False)
                    uow.events.append_office("admin", "password_set", ctx.now(), subject=user.username,
                                             comment="设置密码")
        self.usernames = [u for t in self.townships for u in t["users"].values()] + ["county1", "county2", "admin"]

    # --- substitutions ---
    def _user_map(self, township: dict[str, Any], delegated_template: bool) -> dict[str, str]:
        u, n = township["users"], township["names"]
        if delegated_template:
            pairs = {"zhouli": ("cw1", "周丽"), "sunwei": ("cw2", "孙伟"), "chenjing": ("rv", "陈静"),
                     "zhangmin": ("cw3", "张敏"), "liqiang": ("cw2", "李强")}
        else:
            pairs = {"zhangmin": ("cw1", "张敏"), "liqiang": ("cw2", "李强"), "wangfang": ("rv", "王芳"),
                     "zhouli": ("cw3", "周丽"), "sunwei": ("cw3", "孙伟"), "chenjing": ("rv", "陈静")}
        out = {}
        for old, (key, old_name) in pairs.items():
            out[f'"{old}"'] = f'"{u[key]}"'
            out[old_name] = n[key]
        out['"zhaojun"'] = '"county1"'
        out["赵军"] = "赵军"
        return out

    def run(self, path: Path, template: Path, log=print) -> dict[str, Any]:
        started = time.perf_counter()
        ctx = open_context(f"sqlite:///{path}")
        self._office(ctx)
        with ctx.db.unit_of_work() as uow:
            head = uow.events.head()
        ctx.db.dispose()
        self.chain = _Chain(*head)
        roots = load_templates(template)
        by_key: dict[tuple, list[Template]] = defaultdict(list)
        for t in roots:
            by_key[t.key].append(t)
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-400000")
        con.execute("BEGIN")
        self.rows: dict[str, list] = defaultdict(list)
        self.next_id["audit_events"] = con.execute("SELECT MAX(id) FROM audit_events").fetchone()[0] + 1
        weights = _plan_weights(self.n)
        choices = [(key, kids) for key, kids, _ in weights]
        cum = [w for _, _, w in weights]
        villages = [(t, v) for t in self.townships for v in t["villages"]]
        big_village = (self.townships[0], self.townships[0]["villages"][0])  # 公示 batch of 2 % of families
        big_batch = max(1, self.n // 50)
        posting_template = sorted(
            (t for t in by_key[("dibao", "application", "posting")] if not t.delegated),
            key=lambda t: t.case["id"])[0]
        logins_per_family = 0.0
        done_events = 0
        for i in range(self.n):
            if i < big_batch:
                township, village = big_village
                tpl, with_children = posting_template, False
            else:
                key, with_children = self.rng.choices(choices, cum_weights=None, weights=cum)[0]
                township, village = self.rng.choice(villages)
                pool = [t for t in by_key[key] if t.delegated == township["delegated"] or key[0] != "dibao"]
                if with_children:
                    pool = [t for t in pool if t.children] or pool
                else:
                    pool = [t for t in pool if not t.children] or pool
                if not pool:
                    pool = by_key[key]
                tpl = self.rng.choice(pool)
            self._family(tpl, township, village, with_children)
            # Log-ins and other office work between families: the trail reaches ~20 events a family.
            done_events = self.stats["case_events"]
            logins_per_family = max(0.0, (20.0 * (i + 1) - done_events - self.stats["office_events"]))
            for _ in range(int(logins_per_family)):
                self._login(township)
            if sum(len(v) for v in self.rows.values()) > 200_000:
                self._flush(con)
            if log and (i + 1) % max(1, self.n // 10) == 0:
                log(f"  {i + 1:,} families, {self.chain.seq:,} events, {time.perf_counter() - started:.0f} s")
        self._flush(con)
        con.execute("UPDATE audit_chain SET last_seq = ?, last_hash = ? WHERE id = 1", (self.chain.seq, self.chain.head))
        con.commit()
        con.execute("PRAGMA journal_mode=WAL")
        con.close()
        self.stats["seconds"] = round(time.perf_counter() - started, 1)
        self.stats["events"] = self.chain.seq
        self.stats["chain_checked"] = self.chain.checked
        return dict(self.stats)

    def _family(self, tpl: Template, township: dict[str, Any], village: str, with_children: bool) -> None:
        subs = self._user_map(township, tpl.delegated)
        subs[f'"{tpl.case["village_code"]}"'] = f'"{village}"'
        subs['"area": "139901"'] = f'"area": "{REGION}"'
        subs['"area":"139901"'] = f'"area":"{REGION}"'
        surname = self.rng.choice(SURNAMES)
        bundle = [tpl, *(tpl.children if with_children else [])]
        # One family: the template's people become new people (children cases copy the household).
        for t in bundle:
            for m in t.members:
                old = m["id_number"]
                if old in subs:
                    continue
                new_id = self.people.id_like(old)
                same_surname = m["relation"] in ("head", "child", "grandchild") or m["position"] == 0
                new_name = self.people.name(surname if same_surname else None)
                subs[old] = new_id
                subs[m["name"]] = new_name
        phone = f"13{self.rng.randrange(100000000, 999999999)}"
        account = f"6230 58{self.rng.randrange(10, 99)} {phone[2:6]} {phone[6:]}{self.rng.randrange(10, 99)}"
        for t in bundle:
            if t.household["phone"]:
                subs[t.household["phone"]] = phone
            if t.household["bank_account"]:
                subs[t.household["bank_account"]] = account
        ids_map: dict[int, int] = {}
        for t in bundle:
            prefix = t.case["number"].rsplit("-", 1)[0]
            self.serial[prefix] += 1
            subs[t.case["number"]] = f"{prefix}-{self.serial[prefix]:06d}"
        pattern = re.compile("|".join(re.escape(k) for k in sorted(subs, key=len, reverse=True)))

        def sub(text: Any) -> Any:
            return text if text is None else pattern.sub(lambda m: subs[m.group(0)], text)

        for t in bundle:
            hid = self._household(t, village, sub)
            cid = self._take("cases")
            ids_map[t.case["id"]] = cid
            c = dict(t.case)
            c.update(id=cid, number=subs[t.case["number"]], household_id=hid, village_code=village,
                     number_reversed=reversed_key(subs[t.case["number"]]),
                     created_by=sub(f'"{c["created_by"]}"').strip('"'),
                     parent_case_id=ids_map.get(c["parent_case_id"]) if c["parent_case_id"] else None)
            for k in _CASE_TEXT:
                c[k] = sub(c[k])
            self.rows["cases"].append(tuple(c[k] for k in COLUMNS["cases"]))
            self.stats["cases"] += 1
            self.stats[f"state:{c['programme']}:{c['state']}"] += 1
            for e in t.events:
                self._event(e, cid, sub)

    def _household(self, t: Template, village: str, sub) -> int:
        hid = self._take("households")
        h = dict(t.household)
        h.update(id=hid, village_code=village, phone=sub(h["phone"]), bank_account=sub(h["bank_account"]))
        h["phone_reversed"] = phone_key(h["phone"])
        if not h["bank_account"]:  # the demo's 特困 and 临时救助 households have no account: every one is paid
            h["bank_name"] = f"{COUNTY_NAME}农村信用社"
            h["bank_account"] = f"6230 58{self.rng.randrange(10, 99)} {self.rng.randrange(10**7, 10**8)} {hid % 10000:04d}"
        self.rows["households"].append(tuple(h[k] for k in COLUMNS["households"]))
        for m in t.members:
            m2 = dict(m)
            m2.update(id=self._take("members"), household_id=hid, name=sub(m["name"]), id_number=sub(m["id_number"]))
            m2["name_initials"] = self.people.initials(m2["name"])
            m2["id_reversed"] = reversed_key(m2["id_number"])
            self.rows["members"].append(tuple(m2[k] for k in COLUMNS["members"]))
            self.stats["members"] += 1
        for table, items in (("income_items", t.income), ("rigid_expenses", t.rigid)):
            for item in items:
                self.rows[table].append(tuple(hid if k == "household_id" else item[k] for k in COLUMNS[table]))
        self.stats["households"] += 1
        return hid

    def _event(self, template: dict[str, Any], case_id: int, sub) -> None:
        e = dict(template)
        day = e["effective_date"]
        minute = 8 * 60 + 30 + e["seq"] * 7 + self.rng.randrange(0, 5)
        e["recorded_at_text"] = f"{day} {minute // 60:02d}:{minute % 60:02d}:{self.rng.randrange(60):02d}"
        e.update(id=self._take("audit_events"), case_id=case_id, actor=sub(f'"{e["actor"]}"').strip('"'),
                 comment=sub(e["comment"]), changes=sub(e["changes"]), data=sub(e["data"]),
                 recorded_at=e["recorded_at_text"] + ".000000")
        self.chain.link(e, sub(template["changes_canon"]), sub(template["data_canon"]),
                        check=self.chain.seq % 997 == 0)
        self.rows["audit_events"].append(tuple(e[k] for k in COLUMNS["audit_events"]))
        self.stats["case_events"] += 1

    def _login(self, township: dict[str, Any]) -> None:
        username = self.rng.choice(list(township["users"].values()) + ["county1"])
        day = dt.date.today() - dt.timedelta(days=self.rng.randrange(1, 900))
        text = f"{day.isoformat()} {self.rng.randrange(8, 18):02d}:{self.rng.randrange(60):02d}:{self.rng.randrange(60):02d}"
        e = {"id": self._take("audit_events"), "case_id": None, "seq": 0, "actor": username, "trigger": "login",
             "from_state": None, "to_state": username, "recorded_at": text + ".000000", "recorded_at_text": text,
             "effective_date": day.isoformat(), "comment": "", "changes": "{}", "data": "{}"}
        self.chain.link(e, "{}", "{}", check=self.chain.seq % 997 == 0)
        self.rows["audit_events"].append(tuple(e[k] for k in COLUMNS["audit_events"]))
        self.stats["office_events"] += 1

    def _take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _flush(self, con: sqlite3.Connection) -> None:
        for table in ("households", "members", "income_items", "rigid_expenses", "cases", "audit_events"):
            rows = self.rows.pop(table, [])
            if rows:
                cols = COLUMNS[table]
                con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)


def generate(households: int, dest: Path, *, log=print) -> dict[str, Any]:
    """Write a county database of ``households`` families to ``dest`` (replaced); returns figures."""
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    template = template_database(folder)
    part = dest.with_name(f"{dest.name}.{os.getpid()}.part")  # two runs never share one
    stats = CountyGenerator(households).run(part, template, log=log)
    con = sqlite3.connect(part)  # no ANALYZE: statistics are the program's business, as in the field
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    part.replace(dest)
    return stats


def cached_database(households: int, *, log=print) -> Path:
    """The generated county of this size and schema revision, made on first use and kept."""
    log = log or (lambda *_args: None)
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"county-{households}-{schema_revision()}-g{GENERATOR_VERSION}.sqlite3"
    older = sorted(folder.glob(f"county-{households}-*-g{GENERATOR_VERSION}.sqlite3"), key=lambda p: p.stat().st_mtime)
    if not path.exists() and older:
        # The same data at an older schema revision: the program's own migrations bring it up (minutes, not
        # the generator's half hour), as they would bring up an office's database.
        log(f"upgrading {older[-1].name} to schema {schema_revision()} …")
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        shutil.copyfile(older[-1], part)
        from doudi_desk.storage.db import Database

        db = Database(f"sqlite:///{part}")
        db.migrate()
        db.dispose()
        con = sqlite3.connect(part)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        for suffix in ("-wal", "-shm"):
            Path(str(part) + suffix).unlink(missing_ok=True)
        part.replace(path)
        shutil.copyfile(older[-1].with_suffix(".json"), path.with_suffix(".json"))
    if not path.exists():
        log(f"generating a county of {households:,} households into {path} …")
        stats = generate(households, path, log=log)
        path.with_suffix(".json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"generated in {stats['seconds']} s: {stats['cases']:,} cases, {stats['events']:,} events")
    return path


def working_copy(households: int, dest: Path, *, log=print) -> Path:
    """A fresh copy of the cached county (the benchmark changes the database it measures)."""
    log = log or (lambda *_args: None)
    source = cached_database(households, log=log)
    for suffix in ("", "-wal", "-shm"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, dest)
    return dest
