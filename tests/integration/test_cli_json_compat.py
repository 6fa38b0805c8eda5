"""doudi-admin's ``--json`` output is a contract: scripts at the office read it. The services return
typed views (services/views.py); what the CLI prints must stay what it printed when they were dicts.

The expected files in tests/data/cli_json/ were written from the dict-returning code before the views
existed (``DOUDI_WRITE_GOLDEN=1`` rewrites them: only do that for a deliberate, announced change).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

from doudi_desk.cli import main
from tests.helpers.office import TODAY, fix_cli_clock

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "cli_json"
START = TODAY - dt.timedelta(days=60)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2})?$")


def d(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()




def write(tmp_path, name, obj) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False), "utf-8")
    return str(p)


def stable(obj):
    """The output with the wall-clock times of recording (the only values that differ per run) masked."""
    if isinstance(obj, dict):
        return {k: ("<recorded>" if k == "recorded_at" and isinstance(v, str) and STAMP.match(v) else stable(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [stable(v) for v in obj]
    return obj


HOUSEHOLD = {
    "village": "130999101001",
    "members": [{"name": "赵德明", "id_number": "130102198011300513", "relation": "head"},
                {"name": "赵晨", "id_number": "130102200509010716", "relation": "child",
                 "disability": {"type": "intellectual", "grade": 3}}],
    "income": [{"type": "wage", "amount": "9000", "member": 0}],
    "assets": {"financial": "1000", "homes": 1},
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every JSON shape the case commands print, from one office taken through a case, its 复核 and lists."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("cli_json")
    captured: dict[str, str] = {}


    import contextlib
    import io

    def call(*argv) -> str:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", url, *argv])
        assert code == 0, f"{argv}: {err.getvalue()}"
        return out.getvalue()

    try:
        fix_cli_clock(mp)
        url = f"sqlite:///{tmp / 'compat.sqlite3'}"
        for argv in (["init"],
                     ["area", "add", "130999", "测试县", "--level", "county"],
                     ["area", "add", "130999101", "河东镇", "--level", "township", "--parent", "130999"],
                     ["area", "add", "130999101001", "前进村", "--level", "village", "--parent", "130999101"],
                     ["user", "add", "clerk", "张敏", "--roles", "caseworker"],
                     ["user", "add", "reviewer", "王芳", "--roles", "township_reviewer"],
                     ["user", "add", "approver", "赵军", "--roles", "county_approver"],
                     ["policy", "set", "130999", "--from", "2026-01-01"]):
            call(*argv)
        captured["case_new"] = call("case", "new", "--household", write(tmp, "h.json", HOUSEHOLD),
                                    "--programme", "dibao", "--as", "clerk", "--date", d(0), "--json")
        number = json.loads(captured["case_new"])["number"]
        app = {"application": {"apply_date": d(0), "channel": "self", "reason": "残疾", "pledge_signed": True,
                               "authorization_signed": True}}
        inv = {"verification": {"requested_on": d(2), "result": "consistent"},
               "home_visit": {"visit_date": d(2), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                              "family_present": "户主", "conclusion": "meets"},
               "neighbour_visit": {"visit_date": d(2), "interviewees": [{"name": "邻居"}], "statements": "属实"}}
        steps = [("accept", "clerk", app, d(1)), ("start_investigation", "clerk", None, d(2)),
                 ("complete_investigation", "clerk", inv, d(3)),
                 ("post_notice", "reviewer", {"preliminary_opinion": {"opinion": "approve", "category": "new",
                                                                      "comment": "拟同意"}}, d(4)),
                 ("submit_to_county", "reviewer", {"posting": {"start_date": d(4), "place": "公开栏"}}, d(11))]
        for i, (trigger, actor, data, when) in enumerate(steps):
            argv = ["case", "advance", number, trigger, "--as", actor, "--date", when, "--json"]
            if data:
                argv += ["--data", write(tmp, f"d{i}.json", data)]
            captured[f"advance_{trigger}"] = call(*argv)
        captured["show_pending_for_approver"] = call("case", "show", number, "--as", "approver", "--json")
        captured["approve"] = call("case", "advance", number, "approve", "--as", "approver", "--date", d(12),
                                   "--json")
        captured["review_start"] = call("review", "start", number, "--as", "clerk", "--date", d(20), "--json")
        captured["show_parent"] = call("case", "show", number, "--as", "clerk", "--json")
        captured["show_text"] = call("case", "show", number)
        captured["case_list"] = call("case", "list", "--json")
        captured["benefits"] = call("benefits", "--json")
        captured["review_due"] = call("review", "due", "--json")
    finally:
        mp.undo()
    return captured


NAMES = ["case_new", "advance_accept", "advance_start_investigation", "advance_complete_investigation",
         "advance_post_notice", "advance_submit_to_county", "show_pending_for_approver", "approve",
         "review_start", "show_parent", "show_text", "case_list", "benefits", "review_due"]


@pytest.mark.parametrize("name", NAMES)
def test_cli_output_is_what_it_was(outputs, name):
    text = outputs[name]
    suffix = ".txt" if name.endswith("_text") else ".json"
    path = GOLDEN / f"{name}{suffix}"
    if suffix == ".json":
        now = json.dumps(stable(json.loads(text)), ensure_ascii=False, indent=2) + "\n"
    else:
        now = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?", "<recorded>", text)
    if os.environ.get("DOUDI_WRITE_GOLDEN") == "1":
        path.write_text(now, "utf-8")
    assert path.exists(), f"no expected output {path.name}"
    assert now == path.read_text("utf-8")
