"""Broken definitions: every problem names file, key path and line, and all are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from doudi_desk.definitions import DefinitionError, load_definitions, load_forms, load_workflow
from doudi_desk.domain.specs import FieldSpec, FormSpec, SectionSpec

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"
GUARDS = {"forms_complete", "vote_passed"}
FORMS = {
    "sample": FormSpec(
        id="sample",
        title="样例",
        sections=(SectionSpec(title="一", fields=(FieldSpec("note", "text", "说明"),)),),
    )
}


def workflow_errors(path: Path, guards: set[str] = GUARDS) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load_workflow(path, FORMS, guards)
    return info.value.errors


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_key", "workflows/unknown_key.yaml:9: states[0].colour: 未知的键 'colour'"),
        (
            "unknown_guard",
            "workflows/unknown_guard.yaml:19: transitions[0].conditions[1]: "
            "未知的条件 'vote_pass'（可用：forms_complete、vote_passed）",
        ),
        (
            "unknown_role",
            "workflows/unknown_role.yaml:18: transitions[0].roles[1]: 未知的角色 'village_head'",
        ),
        (
            "undeclared_dest",
            "workflows/undeclared_dest.yaml:21: transitions[1].dest: "
            "目标状态 'archived' 未在 states 中声明",
        ),
        (
            "unreachable_state",
            "workflows/unreachable_state.yaml:9: states[1].name: 状态 'orphan' 从初始状态 'start'"
            " 无法到达",
        ),
        ("syntax_error", "workflows/syntax_error.yaml:11: (YAML语法): 无法解析"),
    ],
)
def test_broken_workflow_names_file_key_and_line(name: str, expected: str) -> None:
    errors = workflow_errors(INVALID / "workflows" / f"{name}.yaml")
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected)


def test_unknown_key_lists_allowed_keys() -> None:
    [error] = workflow_errors(INVALID / "workflows" / "unknown_key.yaml")
    assert "可用：name、label、forms" in error


def test_two_errors_in_one_file_are_reported_together() -> None:
    errors = workflow_errors(INVALID / "workflows" / "two_errors.yaml")
    assert len(errors) == 2, errors
    assert errors[0].startswith(
        "workflows/two_errors.yaml:21: transitions[0].reason_requried: 未知的键 'reason_requried'"
    )
    assert errors[1].startswith(
        "workflows/two_errors.yaml:26: transitions[1].roles[0]: 未知的角色 'mayor'"
    )


def test_error_message_is_all_lines() -> None:
    with pytest.raises(DefinitionError) as info:
        load_workflow(INVALID / "workflows" / "two_errors.yaml", FORMS, GUARDS)
    assert str(info.value) == "\n".join(info.value.errors)
    assert isinstance(info.value, Exception)


def test_bad_field_type_and_choice_without_choices() -> None:
    with pytest.raises(DefinitionError) as info:
        load_forms(INVALID / "forms")
    errors = info.value.errors
    assert len(errors) == 2, errors
    assert errors[0].startswith(
        "forms/bad_type.yaml:10: sections[0].fields[1].type: 未知的字段类型 'phone_number'"
    )
    assert errors[1].startswith(
        "forms/bad_type.yaml:12: sections[0].fields[2]: 'choice' 类型的字段必须给出 choices"
    )


def test_errors_from_all_files_are_collected() -> None:
    with pytest.raises(DefinitionError) as info:
        load_definitions(INVALID / "combined", {"forms_complete"})
    errors = info.value.errors
    # The broken form is still known by id, so the workflow does not also call it unknown.
    assert [e.split(": ", 2)[:2] for e in errors] == [
        ["forms/sample.yaml:9", "sections[0].fields[0].requird"],
        ["workflows/combined.yaml:9", "states[0].forms[1]"],
        ["workflows/combined.yaml:20", "transitions[0].conditions[0]"],
    ]


# --- further rules, on small files written per test ---------------------------------------

HEAD = """\
id: wf
version: 1
title: 测试
programme: dibao
initial: start
"""
STATES = """\
states:
  - name: start
    label: 开始
  - name: done
    label: 完成
    final: true
    outcome: approved
"""
FINISH = """\
  - trigger: finish
    source: start
    dest: done
    label: 完成
    roles: [caseworker]
"""


def errors_for(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "workflows" / "wf.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        load_workflow(path, FORMS, GUARDS)
    except DefinitionError as exc:
        return exc.errors
    return []


def test_minimal_workflow_loads(tmp_path: Path) -> None:
    assert errors_for(tmp_path, HEAD + STATES + "transitions:\n" + FINISH) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + STATES + STATES + "transitions:\n" + FINISH,
         "wf.yaml:13: states: 键 'states' 重复（第 6 行已有）"),
        (HEAD + STATES + "  - name: start\n    label: 又一个\n    final: true\n    outcome: refused\n"
         + "transitions:\n" + FINISH,
         "wf.yaml:13: states[2].name: 状态 'start' 重复（第 7 行已有）"),
        (HEAD + STATES + "transitions:\n" + FINISH + FINISH,
         "wf.yaml:19: transitions[1].trigger: 状态 'start' 已有动作 'finish'（第 14 行）"),
        (HEAD + STATES + "  - name: stuck\n    label: 卡住\n" + "transitions:\n" + FINISH
         + FINISH.replace("finish", "jam").replace("dest: done", "dest: stuck"),
         "wf.yaml:13: states[2].name: 状态 'stuck' 不是终结状态（final），却没有任何后续动作"),
        (HEAD + STATES.replace("label: 开始", "label: 开始\n    forms: [nope]")
         + "transitions:\n" + FINISH,
         "wf.yaml:9: states[0].forms[0]: 未知的表单 'nope'（可用：sample）"),
        (HEAD + STATES + "transitions:\n" + FINISH
         + FINISH.replace("finish", "reopen").replace("source: start", "source: done"),
         "wf.yaml:20: transitions[1].source: 终结状态 'done' 不能再有后续动作"),
        (HEAD.replace("initial: start", "initial: begin") + STATES + "transitions:\n" + FINISH,
         "wf.yaml:5: initial: 初始状态 'begin' 未在 states 中声明"),
        (HEAD.replace("version: 1", "version: one") + STATES + "transitions:\n" + FINISH,
         "wf.yaml:2: version: 应为整数"),
        (HEAD.replace("title: 测试\n", "") + STATES + "transitions:\n" + FINISH,
         "wf.yaml:1: (顶层): 缺少必填的键 'title'"),
        (HEAD + STATES + "transitions:\n" + FINISH.replace("roles: [caseworker]", "roles: []"),
         "wf.yaml:18: transitions[0].roles: 至少要有一项"),
        (HEAD + STATES + "transitions:\n" + FINISH.replace("finish", "to_done"),
         "wf.yaml:14: transitions[0].trigger: 动作名 'to_done' 与流程引擎的保留名冲突"),
        (HEAD + "state_map: {old: gone}\n" + STATES + "transitions:\n" + FINISH,
         "wf.yaml:6: state_map.old: 新状态 'gone' 未在 states 中声明"),
        (HEAD + "limits: {clock_starts: nowhere}\n" + STATES + "transitions:\n" + FINISH,
         "wf.yaml:6: limits.clock_starts: 计时起点 'nowhere' 未在 states 中声明"),
        # state roles and outcomes (what a state means to the services)
        (HEAD + STATES.replace("label: 开始", "label: 开始\n    roles: [computes_proposal, proofreading]")
         + "transitions:\n" + FINISH,
         "wf.yaml:9: states[0].roles[1]: 未知的状态角色 'proofreading'（可用：household_editable"),
        (HEAD + STATES.replace("label: 开始", "label: 开始\n    outcome: approved") + "transitions:\n" + FINISH,
         "wf.yaml:9: states[0].outcome: 只有终结状态（final: true）可以有 outcome"),
        (HEAD + STATES.replace("    outcome: approved\n", "") + "transitions:\n" + FINISH,
         "wf.yaml:9: states[1]: 终结状态须写明 outcome（approved（确认（给予保障或救助））"),
        (HEAD + STATES.replace("outcome: approved", "outcome: terminated") + "transitions:\n" + FINISH,
         "wf.yaml:12: states[1].outcome: 未知的办结结果 'terminated'（申请审批流程可用：approved"),
        (HEAD + STATES.replace("outcome: approved", "outcome: refused") + "transitions:\n" + FINISH,
         "wf.yaml:6: states: 申请审批流程须有一个 outcome: approved（确认（给予保障或救助））的终结状态"),
        (HEAD.replace("initial: start", "kind: termination\ninitial: start") + STATES + "transitions:\n" + FINISH,
         "wf.yaml:13: states[1].outcome: 未知的办结结果 'approved'（停保（终止）流程可用：terminated"),
        ("- just\n- a list\n", "wf.yaml:1: (顶层): 应为映射"),
        ("", "wf.yaml:1: (文件): 文件为空"),
    ],
)
def test_workflow_rules(tmp_path: Path, text: str, expected: str) -> None:
    errors = errors_for(tmp_path, text)
    assert any(e.startswith(f"workflows/{expected}") for e in errors), errors


def form_errors(tmp_path: Path, fields: str) -> list[str]:
    directory = tmp_path / "forms"
    directory.mkdir(exist_ok=True)
    text = "id: f\ntitle: 表\nsections:\n  - title: 一\n    fields:\n" + fields
    (directory / "f.yaml").write_text(text, encoding="utf-8")
    try:
        load_forms(directory)
    except DefinitionError as exc:
        return exc.errors
    return []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("      - {name: a, type: text, label: 甲}\n      - {name: a, type: int, label: 乙}\n",
         "forms/f.yaml:7: sections[0].fields[1].name: 字段 'a' 重复"),
        ("      - {name: a, type: choice, label: 甲, choices: [{value: no, label: 否}]}\n",
         "forms/f.yaml:6: sections[0].fields[0].choices[0].value: 应为文字，现为 布尔值 false"),
        ("      - {name: a, type: text, label: 甲, min: 1}\n",
         "forms/f.yaml:6: sections[0].fields[0].min: 'text' 类型的字段不能设 min"),
        ("      - {name: a, type: int, label: 甲, min: 5, max: 1}\n",
         "forms/f.yaml:6: sections[0].fields[0].min: min（5）大于 max（1）"),
        ("      - {name: a, type: signature_block, label: 甲, required: true}\n",
         "forms/f.yaml:6: sections[0].fields[0].required: 签字栏"),
        ("      - {name: a, type: text, label: 甲, choices: [{value: x, label: y}]}\n",
         "forms/f.yaml:6: sections[0].fields[0].choices: 只有 choice 和 multichoice"),
        ("      - {name: Bad-Name, type: text, label: 甲}\n",
         "forms/f.yaml:6: sections[0].fields[0].name: 名称 'Bad-Name'"),
    ],
)
def test_form_rules(tmp_path: Path, fields: str, expected: str) -> None:
    errors = form_errors(tmp_path, fields)
    assert any(e.startswith(expected) for e in errors), errors


def test_form_id_must_match_file_name(tmp_path: Path) -> None:
    directory = tmp_path / "forms"
    directory.mkdir()
    text = "id: h\ntitle: 表\nsections:\n  - title: 一\n    fields:\n"
    text += "      - {name: a, type: text, label: 甲}\n"
    (directory / "g.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"forms/g.yaml:1: id: 表单 id 'h' 应与文件名 'g'"):
        load_forms(directory)


def test_missing_directories_are_reported(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load_definitions(tmp_path, GUARDS)
    assert len(info.value.errors) == 2
    assert "找不到定义目录" in str(info.value)


# --- documents without a print template (issue 10 item 14) ------------------------------------

SHIPPED_TEMPLATES = Path(__file__).resolve().parents[2] / "print_templates"


def test_a_document_without_a_template_is_an_error_with_file_key_and_line() -> None:
    with pytest.raises(DefinitionError) as info:
        load_workflow(INVALID / "workflows" / "missing_template.yaml", FORMS, GUARDS, templates=SHIPPED_TEMPLATES)
    assert info.value.errors == [
        "workflows/missing_template.yaml:9: states[0].documents[1]: 文书 'stop_notice' 没有打印模板"
        "（print_templates/stop_notice.xml.j2 不存在）"
    ]
    # Without a templates folder the documents are not checked (the other invalid files rely on it).
    assert load_workflow(INVALID / "workflows" / "missing_template.yaml", FORMS, GUARDS).states[0].documents == (
        "approval_form", "stop_notice")


def test_start_up_refuses_a_workflow_naming_a_document_without_a_template(tmp_path: Path) -> None:
    """open_context (the program's start-up) checks the definitions root's print_templates folder."""
    import shutil

    from doudi_desk.services.context import open_context

    root = Path(__file__).resolve().parents[2]
    for folder in ("workflows", "forms", "print_templates"):
        shutil.copytree(root / folder, tmp_path / folder)
    (tmp_path / "print_templates" / "termination_notice.xml.j2").unlink()
    with pytest.raises(DefinitionError) as info:
        open_context(f"sqlite:///{tmp_path / 'db.sqlite3'}", definitions_root=tmp_path, migrate=False)
    naming = sorted(f"workflows/{p.name}" for p in (root / "workflows").glob("*.yaml")
                    if "termination_notice" in p.read_text("utf-8"))
    assert "workflows/dibao_termination.yaml" in naming
    assert sorted(e.split(": ")[0].split(":")[0] for e in info.value.errors) == naming
    assert all("文书 'termination_notice' 没有打印模板" in e for e in info.value.errors)
