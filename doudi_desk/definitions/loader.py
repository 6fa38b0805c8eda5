"""Load workflow and form definitions from YAML into the frozen specs of ``domain.specs``.

Every mapping key and list item keeps its line number, so each problem is reported as
``file:line: key.path: 中文说明``. Problems are collected across all files and raised together in
one :class:`DefinitionError`; the loader never stops at the first one.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..domain.errors import DomainError
from ..domain.programmes import PROGRAMMES
from ..domain.specs import (
    FIELD_TYPES,
    KIND_MAIN_OUTCOME,
    KIND_OUTCOMES,
    OUTCOMES,
    ROLES,
    STATE_ROLES,
    WORKFLOW_KINDS,
    Choice,
    FieldSpec,
    FormSpec,
    SectionSpec,
    StateSpec,
    TransitionSpec,
    WorkflowSpec,
)
from ..paths import ENV_PROGRAM_DIR, program_root

ENV_DIR = ENV_PROGRAM_DIR
TEMPLATES_DIR = "print_templates"  # beside workflows/ and forms/
TEMPLATE_SUFFIX = ".xml.j2"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Names the ``transitions`` library puts on the model itself or uses for its helpers; a trigger
# named like one of them would silently shadow it.
_RESERVED_TRIGGERS = frozenset({"state", "trigger", "machine", "model"})
_RESERVED_PREFIXES = ("to_", "may_", "is_")
# Types whose `min`/`max` mean something: value bounds for numbers, item counts for lists.
_BOUNDED_TYPES = frozenset({"int", "money", "multichoice", "person_list", "members_table"})
_CHOICE_TYPES = frozenset({"choice", "multichoice"})

_WORKFLOW_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "programme": True,
    "kind": False,
    "initial": True,
    "limits": False,
    "state_map": False,
    "states": True,
    "transitions": True,
}
_LIMIT_KEYS = dict.fromkeys(("total_wd", "extended_wd", "delegated_wd", "clock_starts"), False)
_STATE_KEYS = {
    "name": True,
    "label": True,
    "forms": False,
    "time_limit_wd": False,
    "time_limit_days": False,
    "documents": False,
    "final": False,
    "description": False,
    "roles": False,
    "outcome": False,
}
_TRANSITION_KEYS = {
    "trigger": True,
    "source": True,
    "dest": True,
    "label": True,
    "roles": True,
    "conditions": False,
    "forms": False,
    "reason_required": False,
}
_FORM_KEYS = {"id": True, "title": True, "sections": True}
_SECTION_KEYS = {"title": True, "fields": True}
_FIELD_KEYS = {
    "name": True,
    "type": True,
    "label": True,
    "required": False,
    "min": False,
    "max": False,
    "choices": False,
    "help": False,
}
_CHOICE_KEYS = {"value": True, "label": True}


class DefinitionError(DomainError):
    """One or more broken definition files; ``errors`` holds one formatted line per problem.

    A known error (an office's edited YAML file, a missing template), shown with every problem,
    never a crash."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = list(errors)

    def __str__(self) -> str:
        return "\n".join(self.errors)


@dataclass(frozen=True)
class Definitions:
    """All shipped definitions: workflows keyed by id, forms keyed by id."""

    workflows: dict[str, WorkflowSpec] = field(default_factory=dict)
    forms: dict[str, FormSpec] = field(default_factory=dict)


def default_root() -> Path:
    """Folder holding ``workflows/`` and ``forms/``: $DOUDI_DEFINITIONS_DIR, else the repo top, or
    the bundle folder of an installed program (one place for all: :func:`doudi_desk.paths.program_root`)."""
    return program_root()


def load_forms(directory: Path) -> dict[str, FormSpec]:
    """Load every ``*.yaml`` form in a directory; raise DefinitionError listing all problems."""
    errors: list[str] = []
    forms, _ = _load_forms(Path(directory), errors)
    if errors:
        raise DefinitionError(errors)
    return forms


def load_workflow(
    path: Path, forms: Mapping[str, FormSpec], guard_names: Collection[str],
    templates: Path | None = None,
) -> WorkflowSpec:
    """Load one workflow file, checking forms and guards by name (and, with ``templates``, that
    every document it names has a print template there); raise DefinitionError."""
    errors: list[str] = []
    spec = _load_workflow(Path(path), set(forms), set(guard_names), errors, templates)
    if errors or spec is None:
        raise DefinitionError(errors or [f"{_display(Path(path))}:1: (顶层): 无法读取流程定义"])
    return spec


def load_definitions(root: Path, guard_names: Collection[str], templates: Path | None = None) -> Definitions:
    """Load ``root/forms/*.yaml`` and ``root/workflows/*.yaml``; report every problem at once.

    With ``templates`` (the print_templates folder), a document a workflow names
    (``states[].documents``) without a template ``<document>.xml.j2`` there is an error too: the
    program would otherwise offer a document it cannot print.
    """
    root = Path(root)
    errors: list[str] = []
    forms, form_ids = _load_forms(root / "forms", errors)
    guards = set(guard_names)
    workflows: dict[str, WorkflowSpec] = {}
    first_file: dict[str, str] = {}
    for path in _yaml_files(root / "workflows", errors):
        spec = _load_workflow(path, form_ids, guards, errors, templates)
        if spec is None:
            continue
        if spec.id in workflows:
            errors.append(
                f"{spec.source}:1: id: 流程 '{spec.id}' 重复（已在 {first_file[spec.id]} 中定义）"
            )
            continue
        workflows[spec.id] = spec
        first_file[spec.id] = spec.source
    if errors:
        raise DefinitionError(errors)
    return Definitions(workflows=workflows, forms=forms)


# --- YAML with line numbers -------------------------------------------------------------------


class _Map(dict[str, Any]):
    """A YAML mapping; ``line`` is where it starts, ``lines`` the line of every key."""

    line: int
    lines: dict[str, int]


class _Seq(list[Any]):
    """A YAML sequence; ``line`` is where it starts, ``lines`` the line of every item."""

    line: int
    lines: list[int]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader used only to compose nodes; ``_to_python`` builds values that keep lines. LibYAML's
    (PyYAML's wheels carry it) composes the shipped definitions in a sixth of the pure-Python time:
    every start of the program and of ``doudi-admin`` parses them."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _to_python(node: yaml.Node, loader: _LineLoader, report: Callable[[int, str, str], None],
               path: str, open_nodes: frozenset[int] = frozenset()) -> Any:
    """Build plain values from a node tree; mappings and lists remember their lines."""
    if id(node) in open_nodes:
        # An alias inside its own anchor (`&a [*a]`) would recurse forever.
        report(_line(node), path, "不能引用自身（递归的锚点/别名）")
        return None
    open_nodes = open_nodes | {id(node)}
    if isinstance(node, yaml.MappingNode):
        result = _Map()
        result.line = _line(node)
        result.lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                report(_line(key_node), path or "(顶层)", "键必须是简单文字")
                continue
            # The raw text is used, so `yes:` or `1:` stay the text the author wrote.
            key = str(key_node.value)
            child = _join(path, key)
            if key in result:
                report(_line(key_node), child, f"键 '{key}' 重复（第 {result.lines[key]} 行已有）")
                continue
            result.lines[key] = _line(key_node)
            result[key] = _to_python(value_node, loader, report, child, open_nodes)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = _Seq()
        seq.line = _line(node)
        seq.lines = []
        for index, item in enumerate(node.value):
            seq.lines.append(_line(item))
            seq.append(_to_python(item, loader, report, f"{path}[{index}]", open_nodes))
        return seq
    return loader.construct_object(node, deep=True)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _display(path: Path) -> str:
    """Short file name for messages, e.g. ``workflows/dibao.yaml``."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


class _File:
    """Problems found in one file, kept with their lines so they print in file order."""

    def __init__(self, path: Path):
        self.path = path
        self.display = _display(path)
        self.problems: list[tuple[int, str]] = []

    def error(self, line: int, path: str, message: str) -> None:
        self.problems.append((line, f"{self.display}:{line}: {path or '(顶层)'}: {message}"))

    def flush(self, errors: list[str]) -> bool:
        """Append sorted problems to ``errors``; True if there were none."""
        errors.extend(text for _, text in sorted(self.problems, key=lambda p: p[0]))
        return not self.problems

    def parse(self) -> Any:
        """Parse the file; None (with a problem recorded) if unreadable or not YAML."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(1, "(文件)", f"无法读取文件（需 UTF-8 编码）：{exc}")
            return None
        loader = _LineLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                self.error(1, "(文件)", "文件为空")
                return None
            return _to_python(node, loader, self.error, "")
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            self.error(line, "(YAML语法)", f"无法解析：{exc.problem or exc}")
            return None
        except yaml.YAMLError as exc:
            self.error(1, "(YAML语法)", f"无法解析：{exc}")
            return None
        finally:
            loader.dispose()

    # --- typed access ---------------------------------------------------------------------

    def check_keys(self, m: _Map, path: str, allowed: Mapping[str, bool]) -> None:
        """Unknown keys and missing required keys are both errors."""
        names = "、".join(allowed)
        for key in m:
            if key not in allowed:
                self.error(m.lines[key], _join(path, key), f"未知的键 '{key}'（可用：{names}）")
        for key, required in allowed.items():
            if required and key not in m:
                self.error(m.line, path, f"缺少必填的键 '{key}'")

    def mapping(self, value: Any, line: int, path: str) -> _Map | None:
        if isinstance(value, _Map):
            return value
        self.error(line, path, f"应为映射（键: 值），现为 {_describe(value)}")
        return None

    def sequence(self, value: Any, line: int, path: str) -> _Seq | None:
        if isinstance(value, _Seq):
            return value
        self.error(line, path, f"应为列表，现为 {_describe(value)}")
        return None

    def text(self, m: _Map, key: str, path: str, *, default: str | None = None) -> str | None:
        """A non-empty string; a missing key gives ``default`` (missing required keys are
        reported by :meth:`check_keys`)."""
        if key not in m or (m[key] is None and default is not None):
            return default
        value = m[key]
        if not isinstance(value, str) or not value.strip():
            self.error(m.lines[key], _join(path, key), _text_problem(value))
            return None
        return value.strip()

    def name(self, m: _Map, key: str, path: str) -> str | None:
        value = self.text(m, key, path)
        if value is not None and not _NAME.match(value):
            self.error(m.lines[key], _join(path, key),
                       f"名称 '{value}' 只能用小写英文字母、数字和下划线，并以字母开头")
            return None
        return value

    def integer(self, m: _Map, key: str, path: str, *, low: int = 1) -> int | None:
        """An optional whole number >= low; null and absence both give None."""
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(m.lines[key], _join(path, key), f"应为整数，现为 {_describe(value)}")
            return None
        if value < low:
            self.error(m.lines[key], _join(path, key), f"不能小于 {low}（现为 {value}）")
            return None
        return value

    def number(self, m: _Map, key: str, path: str) -> float | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(m.lines[key], _join(path, key), f"应为数字，现为 {_describe(value)}")
            return None
        return value

    def flag(self, m: _Map, key: str, path: str) -> bool:
        value = m.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(m.lines[key], _join(path, key),
                       f"应为 true 或 false，现为 {_describe(value)}")
            return False
        return value

    def names(self, m: _Map, key: str, path: str, *, allow_single: bool = False,
              non_empty: bool = False) -> list[tuple[str, int, str]]:
        """A list of names as (name, line, path) triples; bad items are reported and dropped."""
        if key not in m:
            return []
        value = m[key]
        here = _join(path, key)
        if value is None or (isinstance(value, _Seq) and not value):
            if non_empty:
                self.error(m.lines[key], here, "至少要有一项")
            return []
        if allow_single and isinstance(value, str):
            value_list: list[Any] = [value]
            lines = [m.lines[key]]
            paths = [here]
        else:
            seq = self.sequence(value, m.lines[key], here)
            if seq is None:
                return []
            value_list, lines = list(seq), seq.lines
            paths = [f"{here}[{i}]" for i in range(len(seq))]
        result = []
        seen: set[str] = set()
        for item, line, item_path in zip(value_list, lines, paths, strict=True):
            if not isinstance(item, str) or not item.strip():
                self.error(line, item_path, _text_problem(item))
                continue
            item = item.strip()
            if not _NAME.match(item):
                self.error(line, item_path,
                           f"名称 '{item}' 只能用小写英文字母、数字和下划线，并以字母开头")
                continue
            if item in seen:
                self.error(line, item_path, f"'{item}' 重复列出")
                continue
            seen.add(item)
            result.append((item, line, item_path))
        return result

    def items(self, m: _Map, key: str, path: str) -> Iterable[tuple[_Map, str]]:
        """Mappings inside a list under ``key``, each with its key path."""
        if key not in m:
            return
        seq = self.sequence(m[key], m.lines[key], _join(path, key))
        if seq is None:
            return
        if not seq:
            self.error(m.lines[key], _join(path, key), "列表不能为空")
        for index, (item, line) in enumerate(zip(seq, seq.lines, strict=True)):
            item_path = f"{_join(path, key)}[{index}]"
            item_map = self.mapping(item, line, item_path)
            if item_map is not None:
                yield item_map, item_path


def _describe(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {str(value).lower()}（若是文字请加引号）"
    if isinstance(value, _Map):
        return "映射"
    if isinstance(value, _Seq):
        return "列表"
    if isinstance(value, str):
        return f"文字 '{value}'"
    if isinstance(value, int | float):
        return f"数字 {value}"
    return f"{type(value).__name__} {value!r}"


def _text_problem(value: Any) -> str:
    if isinstance(value, str):
        return "不能为空"
    return f"应为文字，现为 {_describe(value)}"


def _yaml_files(directory: Path, errors: list[str]) -> list[Path]:
    if not directory.is_dir():
        errors.append(f"{_display(directory)}:0: (目录): 找不到定义目录 {directory}")
        return []
    return sorted(directory.glob("*.yaml"))


def _listing(names: Iterable[str]) -> str:
    return "、".join(sorted(names)) or "无"


# --- forms ------------------------------------------------------------------------------------


def _load_forms(directory: Path, errors: list[str]) -> tuple[dict[str, FormSpec], set[str]]:
    """Forms that loaded cleanly, plus every id seen (so workflows can name a broken form
    without a second, misleading "unknown form" error)."""
    forms: dict[str, FormSpec] = {}
    seen: dict[str, str] = {}
    for path in _yaml_files(directory, errors):
        file = _File(path)
        form_id, spec = _read_form(file)
        if form_id is not None:
            if form_id in seen:
                file.error(1, "id", f"表单 '{form_id}' 重复（已在 {seen[form_id]} 中定义）")
                spec = None
            else:
                seen[form_id] = file.display
        if file.flush(errors) and spec is not None:
            forms[spec.id] = spec
    return forms, set(seen)


def _read_form(file: _File) -> tuple[str | None, FormSpec | None]:
    data = file.parse()
    if data is None:
        return None, None
    top = file.mapping(data, 1, "")
    if top is None:
        return None, None
    file.check_keys(top, "", _FORM_KEYS)
    form_id = file.name(top, "id", "")
    if form_id is not None and form_id != file.path.stem:
        file.error(top.lines["id"], "id", f"表单 id '{form_id}' 应与文件名 '{file.path.stem}' 一致")
    title = file.text(top, "title", "")
    sections: list[SectionSpec] = []
    field_lines: dict[str, int] = {}
    for section, s_path in file.items(top, "sections", ""):
        file.check_keys(section, s_path, _SECTION_KEYS)
        s_title = file.text(section, "title", s_path)
        fields = []
        for item, f_path in file.items(section, "fields", s_path):
            spec = _read_field(file, item, f_path)
            if spec is None:
                continue
            if spec.name in field_lines:
                file.error(item.lines["name"], _join(f_path, "name"),
                           f"字段 '{spec.name}' 重复（第 {field_lines[spec.name]} 行已有）")
                continue
            field_lines[spec.name] = item.lines["name"]
            fields.append(spec)
        if s_title is not None:
            sections.append(SectionSpec(title=s_title, fields=tuple(fields)))
    if form_id is None or title is None:
        return form_id, None
    return form_id, FormSpec(id=form_id, title=title, sections=tuple(sections), source=file.display)


def _read_field(file: _File, m: _Map, path: str) -> FieldSpec | None:
    """Check one field; None if its name, label or type is unusable."""
    file.check_keys(m, path, _FIELD_KEYS)
    name = file.name(m, "name", path)
    label = file.text(m, "label", path)
    type_ = file.text(m, "type", path)
    if type_ is not None and type_ not in FIELD_TYPES:
        file.error(m.lines["type"], _join(path, "type"),
                   f"未知的字段类型 '{type_}'（可用：{'、'.join(FIELD_TYPES)}）")
        type_ = None
    required = file.flag(m, "required", path)
    low = file.number(m, "min", path)
    high = file.number(m, "max", path)
    help_text = file.text(m, "help", path, default="") or ""
    choices = _read_choices(file, m, path)
    if type_ is None:
        return None
    if type_ in _CHOICE_TYPES and not choices and "choices" not in m:
        file.error(m.line, path, f"'{type_}' 类型的字段必须给出 choices")
    if type_ not in _CHOICE_TYPES and "choices" in m:
        file.error(m.lines["choices"], _join(path, "choices"),
                   f"只有 choice 和 multichoice 字段可以有 choices（此字段为 '{type_}'）")
    for key in ("min", "max"):
        if key in m and m[key] is not None and type_ not in _BOUNDED_TYPES:
            file.error(m.lines[key], _join(path, key),
                       f"'{type_}' 类型的字段不能设 {key}（只有 {_listing(_BOUNDED_TYPES)} 可以）")
    if low is not None and high is not None and low > high:
        file.error(m.lines["min"], _join(path, "min"), f"min（{low}）大于 max（{high}）")
    if type_ != "int" and type_ in _BOUNDED_TYPES and low is not None and low < 0:
        file.error(m.lines["min"], _join(path, "min"), f"min 不能为负数（现为 {low}）")
    if type_ == "signature_block" and required:
        file.error(m.lines["required"], _join(path, "required"), "签字栏只在纸面上签，不能设为必填")
    # A field with other problems is still returned so duplicate names are found; any problem
    # discards the whole form anyway.
    if name is None or label is None:
        return None
    return FieldSpec(name=name, type=type_, label=label, required=required, min=low, max=high,
                     choices=choices, help=help_text)


def _read_choices(file: _File, m: _Map, path: str) -> tuple[Choice, ...]:
    if "choices" not in m:
        return ()
    here = _join(path, "choices")
    seq = file.sequence(m["choices"], m.lines["choices"], here)
    if seq is None:
        return ()
    if not seq:
        file.error(m.lines["choices"], here, "choices 不能为空")
    result: list[Choice] = []
    seen: set[str] = set()
    for index, (item, line) in enumerate(zip(seq, seq.lines, strict=True)):
        c_path = f"{here}[{index}]"
        c = file.mapping(item, line, c_path)
        if c is None:
            continue
        file.check_keys(c, c_path, _CHOICE_KEYS)
        value = file.text(c, "value", c_path)
        label = file.text(c, "label", c_path)
        if value is None or label is None:
            continue
        if value in seen:
            file.error(c.lines["value"], _join(c_path, "value"), f"选项值 '{value}' 重复")
            continue
        seen.add(value)
        result.append(Choice(value=value, label=label))
    return tuple(result)


# --- workflows --------------------------------------------------------------------------------


def _load_workflow(path: Path, form_ids: set[str], guards: set[str],
                   errors: list[str], templates: Path | None = None) -> WorkflowSpec | None:
    file = _File(path)
    spec = _read_workflow(file, form_ids, guards, templates)
    ok = file.flush(errors)
    return spec if ok else None


def _read_workflow(file: _File, form_ids: set[str], guards: set[str],
                   templates: Path | None = None) -> WorkflowSpec | None:
    """Check one workflow file; the spec it returns is only used if the file had no problems."""
    data = file.parse()
    if data is None:
        return None
    top = file.mapping(data, 1, "")
    if top is None:
        return None
    file.check_keys(top, "", _WORKFLOW_KEYS)
    wf_id = file.name(top, "id", "")
    if wf_id is not None and wf_id != file.path.stem:
        file.error(top.lines["id"], "id", f"流程 id '{wf_id}' 应与文件名 '{file.path.stem}' 一致")
    version = file.integer(top, "version", "")
    title = file.text(top, "title", "")
    programme = file.text(top, "programme", "")
    if programme is not None and programme not in PROGRAMMES:
        file.error(top.lines["programme"], "programme",
                   f"未知的救助项目 '{programme}'（可用：{_listing(PROGRAMMES)}）")
    initial = file.name(top, "initial", "")
    kind = top.get("kind", "application")
    if kind not in WORKFLOW_KINDS:
        file.error(top.lines.get("kind", top.line), "kind", f"未知的流程类别 '{kind}'（可用：{_listing(WORKFLOW_KINDS)}）")

    states: dict[str, StateSpec] = {}
    state_at: dict[str, tuple[int, str]] = {}
    for item, s_path in file.items(top, "states", ""):
        state = _read_state(file, item, s_path, form_ids, templates, kind)
        if state is None:
            continue
        if state.name in states:
            file.error(item.lines["name"], _join(s_path, "name"),
                       f"状态 '{state.name}' 重复（第 {state_at[state.name][0]} 行已有）")
            continue
        states[state.name] = state
        state_at[state.name] = (item.lines["name"], _join(s_path, "name"))
    # Without a readable state list every reference would be "undeclared"; that is said once.
    have_states = isinstance(top.get("states"), _Seq)

    def declared(name: str, line: int, where: str, what: str) -> bool:
        if name not in states and have_states:
            file.error(line, where,
                       f"{what} '{name}' 未在 states 中声明（已声明：{_listing(states)}）")
        return name in states

    if initial is not None and declared(initial, top.lines["initial"], "initial", "初始状态"):
        if states[initial].final:
            file.error(top.lines["initial"], "initial", f"初始状态 '{initial}' 不能是终结状态")

    transitions: list[TransitionSpec] = []
    edges: dict[str, set[str]] = {name: set() for name in states}
    leaving: set[str] = set()  # states with any outgoing transition, even a broken one
    seen: dict[tuple[str, str], int] = {}
    for item, t_path in file.items(top, "transitions", ""):
        t = _read_transition(file, item, t_path, form_ids, guards)
        if t is None:
            continue
        transitions.append(t)
        dest_ok = declared(t.dest, item.lines["dest"], _join(t_path, "dest"), "目标状态")
        for s in t.source:
            if not declared(s, item.lines["source"], _join(t_path, "source"), "起始状态"):
                continue
            leaving.add(s)
            if dest_ok:
                edges[s].add(t.dest)
            if (t.trigger, s) in seen:
                file.error(item.lines["trigger"], _join(t_path, "trigger"),
                           f"状态 '{s}' 已有动作 '{t.trigger}'（第 {seen[t.trigger, s]} 行）")
            seen[t.trigger, s] = item.lines["trigger"]
            if states[s].final:
                file.error(item.lines["source"], _join(t_path, "source"),
                           f"终结状态 '{s}' 不能再有后续动作")

    main = KIND_MAIN_OUTCOME.get(kind)
    if main and have_states and states and not any(s.outcome == main for s in states.values()):
        file.error(top.lines["states"], "states",
                   f"{WORKFLOW_KINDS.get(kind, kind)}流程须有一个 outcome: {main}（{OUTCOMES[main]}）的终结状态")
    limits = _read_limits(file, top, declared)
    state_map = _read_state_map(file, top, states)
    if initial in states:
        _check_graph(file, initial, states, state_at, edges, leaving)

    if wf_id is None or version is None or title is None or programme is None or initial is None:
        return None
    return WorkflowSpec(
        id=wf_id,
        version=version,
        title=title,
        programme=programme,
        kind=kind if kind in WORKFLOW_KINDS else "application",
        initial=initial,
        states=tuple(states.values()),
        transitions=tuple(transitions),
        total_limit_wd=limits.get("total_wd"),
        extended_limit_wd=limits.get("extended_wd"),
        delegated_limit_wd=limits.get("delegated_wd"),
        start_clock_state=limits.get("clock_starts"),
        state_map=state_map,
        source=file.display,
    )


def _read_state(file: _File, m: _Map, path: str, form_ids: set[str],
                templates: Path | None = None, kind: Any = "application") -> StateSpec | None:
    file.check_keys(m, path, _STATE_KEYS)
    name = file.name(m, "name", path)
    label = file.text(m, "label", path)
    forms = _form_refs(file, m, path, form_ids)
    limit_wd = file.integer(m, "time_limit_wd", path)
    limit_days = file.integer(m, "time_limit_days", path)
    if limit_wd is not None and limit_days is not None:
        file.error(m.lines["time_limit_days"], _join(path, "time_limit_days"),
                   "time_limit_wd 和 time_limit_days 只能设其中一个")
    documents = []
    for document, line, d_path in file.names(m, "documents", path):
        if templates is not None and not (templates / f"{document}{TEMPLATE_SUFFIX}").is_file():
            file.error(line, d_path, f"文书 '{document}' 没有打印模板（{templates.name}/{document}{TEMPLATE_SUFFIX} 不存在）")
            continue
        documents.append(document)
    final = file.flag(m, "final", path)
    description = file.text(m, "description", path, default="") or ""
    roles = []
    for role, line, r_path in file.names(m, "roles", path):
        if role in STATE_ROLES:
            roles.append(role)
        else:
            known = "、".join(f"{k}（{v}）" for k, v in STATE_ROLES.items())
            file.error(line, r_path, f"未知的状态角色 '{role}'（可用：{known}）")
    outcome = _read_outcome(file, m, path, final, kind)
    if name is None:
        return None
    return StateSpec(name=name, label=label or "", forms=tuple(forms), time_limit_wd=limit_wd,
                     time_limit_days=limit_days, documents=tuple(documents), final=final,
                     description=description, roles=tuple(roles), outcome=outcome)


def _read_outcome(file: _File, m: _Map, path: str, final: bool, kind: Any) -> str | None:
    """A final state says how it ends the case; a step on the way has no outcome."""
    allowed = KIND_OUTCOMES.get(kind, ()) if isinstance(kind, str) else ()
    if "outcome" not in m:
        if final:
            names = "、".join(f"{k}（{OUTCOMES[k]}）" for k in allowed)
            file.error(m.line, path, f"终结状态须写明 outcome（{names}）")
        return None
    outcome = file.name(m, "outcome", path)
    if outcome is None:
        return None
    if not final:
        file.error(m.lines["outcome"], _join(path, "outcome"), "只有终结状态（final: true）可以有 outcome")
        return None
    if outcome not in allowed:
        names = "、".join(f"{k}（{OUTCOMES[k]}）" for k in allowed) or "无"
        file.error(m.lines["outcome"], _join(path, "outcome"),
                   f"未知的办结结果 '{outcome}'（{WORKFLOW_KINDS.get(kind, kind)}流程可用：{names}）")
        return None
    return outcome


def _read_transition(file: _File, m: _Map, path: str, form_ids: set[str],
                     guards: set[str]) -> TransitionSpec | None:
    """Check one transition; it is returned whenever its graph part (trigger, source, dest) is
    readable, so a bad role or condition does not also make later states "unreachable"."""
    file.check_keys(m, path, _TRANSITION_KEYS)
    trigger = file.name(m, "trigger", path)
    if trigger is not None and (trigger in _RESERVED_TRIGGERS
                                or trigger.startswith(_RESERVED_PREFIXES)):
        file.error(m.lines["trigger"], _join(path, "trigger"),
                   f"动作名 '{trigger}' 与流程引擎的保留名冲突，请换一个")
    sources = [s for s, _, _ in file.names(m, "source", path, allow_single=True, non_empty=True)]
    dest = file.name(m, "dest", path)
    label = file.text(m, "label", path)
    roles = []
    for role, line, r_path in file.names(m, "roles", path, non_empty=True):
        if role in ROLES:
            roles.append(role)
        else:
            file.error(line, r_path, f"未知的角色 '{role}'（可用：{'、'.join(ROLES)}）")
    conditions = []
    for cond, line, c_path in file.names(m, "conditions", path):
        if cond in guards:
            conditions.append(cond)
        else:
            file.error(line, c_path, f"未知的条件 '{cond}'（可用：{_listing(guards)}）")
    forms = _form_refs(file, m, path, form_ids)
    reason_required = file.flag(m, "reason_required", path)
    if trigger is None or dest is None or not sources:
        return None
    return TransitionSpec(trigger=trigger, source=tuple(sources), dest=dest, label=label or "",
                          roles=tuple(roles), conditions=tuple(conditions), forms=tuple(forms),
                          reason_required=reason_required)


def _form_refs(file: _File, m: _Map, path: str, form_ids: set[str]) -> list[str]:
    result = []
    for form, line, f_path in file.names(m, "forms", path):
        if form not in form_ids:
            file.error(line, f_path, f"未知的表单 '{form}'（可用：{_listing(form_ids)}）")
        else:
            result.append(form)
    return result


def _read_limits(file: _File, top: _Map,
                 declared: Callable[[str, int, str, str], bool]) -> dict[str, Any]:
    if "limits" not in top or top["limits"] is None:
        return {}
    m = file.mapping(top["limits"], top.lines["limits"], "limits")
    if m is None:
        return {}
    file.check_keys(m, "limits", _LIMIT_KEYS)
    result: dict[str, Any] = {
        key: file.integer(m, key, "limits") for key in ("total_wd", "extended_wd", "delegated_wd")
    }
    total, extended = result["total_wd"], result["extended_wd"]
    if total is not None and extended is not None and extended < total:
        file.error(m.lines["extended_wd"], "limits.extended_wd",
                   f"延长期限（{extended}）不能短于总期限（{total}）")
    clock = file.name(m, "clock_starts", "limits")
    if clock is not None and declared(clock, m.lines["clock_starts"], "limits.clock_starts",
                                      "计时起点"):
        result["clock_starts"] = clock
    return result


def _read_state_map(file: _File, top: _Map, states: Mapping[str, StateSpec]) -> dict[str, str]:
    if "state_map" not in top or top["state_map"] is None:
        return {}
    m = file.mapping(top["state_map"], top.lines["state_map"], "state_map")
    if m is None:
        return {}
    result: dict[str, str] = {}
    for old in m:
        here = _join("state_map", old)
        new = file.name(m, old, "state_map")
        if old in states:
            file.error(m.lines[old], here, f"旧状态名 '{old}' 仍是现有状态，不能再映射")
        elif new is not None and new not in states:
            file.error(m.lines[old], here,
                       f"新状态 '{new}' 未在 states 中声明（已声明：{_listing(states)}）")
        elif new is not None:
            result[old] = new
    return result


def _check_graph(file: _File, initial: str, states: Mapping[str, StateSpec],
                 state_at: Mapping[str, tuple[int, str]], edges: Mapping[str, set[str]],
                 leaving: set[str]) -> None:
    """Every state reachable from ``initial``; every non-final state can be left."""
    reached = {initial}
    queue = deque([initial])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    for name, state in states.items():
        line, where = state_at[name]
        if name not in reached:
            file.error(line, where, f"状态 '{name}' 从初始状态 '{initial}' 无法到达")
        if not state.final and name not in leaving:
            file.error(line, where, f"状态 '{name}' 不是终结状态（final），却没有任何后续动作")
