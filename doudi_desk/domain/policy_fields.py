"""Every policy parameter of policy.md as an administrator sees it: Chinese label, unit, bounds, and
the check of a whole parameter set with one Chinese message per field.

The 政策参数 form of the window is drawn from :data:`FIELDS`, and :func:`check_policy` is what both
the window and ``AdminService.set_policy`` (the command line too) apply before a set is saved. The
arithmetic itself reads the set through :func:`doudi_desk.domain.policy.parse_policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .policy import (
    ALL_KEYS,
    AMOUNT_MODES,
    CARE_LEVELS,
    GRADES,
    REQUIRED_BY_PROGRAMME,
    ROUNDINGS,
    TOPUP_GROUPS,
)

KINDS = ("money", "decimal", "int", "bool", "choice", "tiers", "topups", "care", "grades")
GRADE_LABELS = dict(zip(GRADES, ("一级", "二级", "三级", "四级"), strict=True))
CHOICE_LABELS = {
    "amount_mode": {"gap": "补差（按家庭人均收入与标准的差额）", "tiers": "分档（按收入比例分档定额）"},
    "rounding": {"half_up": "四舍五入", "up": "向上取整"},
}


@dataclass(frozen=True)
class PolicyField:
    """One parameter: where it sits on the form, what it is called, its unit and bounds."""

    key: str
    label: str
    unit: str
    kind: str
    section: str
    min: Decimal | None = None
    max: Decimal | None = None
    optional: bool = False  # may be left empty (the rule then says what applies)
    help: str = ""

    @property
    def choices(self) -> dict[str, str]:
        return CHOICE_LABELS.get(self.key, {})


def _f(key: str, label: str, unit: str, kind: str, section: str, low: str | None = None, high: str | None = None,
       **kw: Any) -> PolicyField:
    return PolicyField(key, label, unit, kind, section, None if low is None else Decimal(low),
                       None if high is None else Decimal(high), **kw)


S_DIBAO, S_ASSETS, S_AMOUNT = "低保标准与收入核算", "家庭财产", "保障金额"
S_TEKUN, S_TEMP, S_FLAGS = "特困人员救助供养", "临时救助", "低收入人口和防返贫监测"
S_DISABILITY, S_PRICE = "残疾人两项补贴", "价格临时补贴"
SECTIONS = (S_DIBAO, S_ASSETS, S_AMOUNT, S_TEKUN, S_TEMP, S_FLAGS, S_DISABILITY, S_PRICE)

FIELDS: tuple[PolicyField, ...] = (
    _f("dibao_standard_monthly", "低保标准", "元/人·月", "money", S_DIBAO, "0.01", "10000"),
    _f("income_months", "收入核算期", "个月", "int", S_DIBAO, "1", "36",
       help="家庭收入按此期间登记，按月平均"),
    _f("job_cost_rate", "就业成本扣减比例", "（0–1，如 0.10）", "decimal", S_DIBAO, "0", "1",
       help="工资性收入的这一比例作为就业成本，不计入家庭收入"),
    _f("edge_multiplier", "低保边缘家庭认定标准", "倍低保标准", "decimal", S_DIBAO, "1", "3"),
    _f("asset_months", "人均金融资产上限", "个月的低保标准", "int", S_ASSETS, "0", "240"),
    _f("allow_vehicle", "允许拥有非残疾人代步的机动车", "", "bool", S_ASSETS),
    _f("max_homes", "允许拥有的住房", "套", "int", S_ASSETS, "0", "10"),
    _f("amount_mode", "保障金计算方式", "", "choice", S_AMOUNT),
    _f("tiers", "分档标准", "", "tiers", S_AMOUNT, "0", "10000", optional=True,
       help="分档方式时填写：家庭人均收入不高于标准的该比例时，每人每月发给该金额；按比例从低到高"),
    _f("min_per_person", "每人每月最低保障金（保底）", "元/人·月", "money", S_AMOUNT, "0", "10000",
       help="0 表示不设保底"),
    _f("topups", "分类施保增发比例", "倍低保标准", "topups", S_AMOUNT, "0", "2",
       help="每人按其所属类别中最高的一个比例增发，比例不相加；空着表示该类不增发"),
    _f("phase_out_months", "渐退期", "个月", "int", S_AMOUNT, "0", "24",
       help="因就业收入超过标准的家庭，继续按原金额发放的月数"),
    _f("tekun_basic_ratio", "特困人员基本生活标准", "倍低保标准", "decimal", S_TEKUN, "1", "5"),
    _f("tekun_care_monthly", "特困人员照料护理标准", "元/人·月", "care", S_TEKUN, "0", "10000"),
    _f("temp_township_ceiling", "乡镇审批临时救助的限额", "元", "money", S_TEMP, "1", "1000000",
       help="低于此金额由乡镇审批，达到或超过由县级审批"),
    _f("temp_big_case", "一事一议起点金额", "元", "money", S_TEMP, "1", "10000000",
       help="达到或超过此金额，县级须集体研究（一事一议）"),
    _f("lowincome_line_annual", "低收入人口认定标准", "元/人·年", "money", S_FLAGS, "0", "200000", optional=True,
       help="空着时按低保边缘标准×12"),
    _f("disposable_income_prev_year", "上年度当地居民人均可支配收入", "元/人·年", "money", S_FLAGS, "1", "1000000"),
    _f("rigid_share", "刚性支出困难认定比例", "（0–1，如 0.60）", "decimal", S_FLAGS, "0", "1",
       help="刚性支出达到家庭收入的这一比例，认定为刚性支出困难家庭"),
    _f("monitoring_line_annual", "防返贫监测标准", "元/人·年", "money", S_FLAGS, "0", "200000"),
    _f("rounding", "金额取整方式", "", "choice", S_AMOUNT),
    _f("dla_monthly", "困难残疾人生活补贴", "元/人·月", "grades", S_DISABILITY, "0", "10000", optional=True,
       help="按残疾等级；空着的等级不发"),
    _f("dca_monthly", "重度残疾人护理补贴", "元/人·月", "grades", S_DISABILITY, "0", "10000", optional=True,
       help="按残疾等级；空着的等级不发"),
    _f("dla_extend_to_edge", "生活补贴扩大到低保边缘家庭", "", "bool", S_DISABILITY),
    _f("dca_extend_mental", "护理补贴扩大到三、四级智力和精神残疾人", "", "bool", S_DISABILITY),
    _f("price_cpi_trigger", "启动条件：居民消费价格指数（CPI）同比涨幅达到", "%", "decimal", S_PRICE, "0", "100"),
    _f("price_food_trigger", "或：食品价格同比涨幅达到", "%", "decimal", S_PRICE, "0", "100"),
    _f("price_subsidy_min", "价格临时补贴每人每月最低金额", "元/人·月", "money", S_PRICE, "0", "1000"),
    _f("price_include_edge", "低保边缘人口同时发放", "", "bool", S_PRICE),
)
BY_KEY = {f.key: f for f in FIELDS}
assert set(BY_KEY) == set(ALL_KEYS), sorted(set(BY_KEY) ^ set(ALL_KEYS))
assert set(CHOICE_LABELS["amount_mode"]) == set(AMOUNT_MODES) and set(CHOICE_LABELS["rounding"]) == set(ROUNDINGS)
REQUIRED = set().union(*REQUIRED_BY_PROGRAMME.values())  # a set serves every programme


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(d: Decimal) -> str:
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_value(f: PolicyField, value: Any, what: str = "") -> str | None:
    """The Chinese message for one number of field ``f`` (or None): empty, not a number, out of bounds."""
    name = what or ""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if f.optional and not what else f"请填写{name}"
    number = _number(value)
    if number is None or (f.kind == "int" and number != number.to_integral_value()):
        return f"{name}须为{'整数' if f.kind == 'int' else '数字'}"
    if f.kind == "money" and number.as_tuple().exponent < -2:
        return f"{name}最多到分（小数点后两位）"
    unit = f.unit if f.unit and not f.unit.startswith("（") else ""
    if f.min is not None and number < f.min:
        return f"{name}不能小于 {_plain(f.min)} {unit}".rstrip()
    if f.max is not None and number > f.max:
        return f"{name}不能大于 {_plain(f.max)} {unit}".rstrip()
    return None


def check_policy(raw: Any) -> dict[str, str]:
    """Every problem of a parameter set, keyed by field path (``dibao_standard_monthly``,
    ``tiers[1].per_person``, ``tekun_care_monthly.full``), as a short Chinese sentence for the
    place next to that field. Empty when the set may be saved."""
    if not isinstance(raw, dict):
        return {"": "参数集应为键值表"}
    problems: dict[str, str] = {}
    for key in sorted(set(raw) - set(BY_KEY)):
        problems[key] = f"未知的政策参数「{key}」"
    for f in FIELDS:
        value = raw.get(f.key)
        if value is None and f.key in REQUIRED:
            problems[f.key] = "请填写" if f.kind not in ("choice",) else "请选择"
            continue
        if value is None:
            continue
        if f.kind in ("money", "decimal", "int"):
            message = check_value(f, value)
            if message:
                problems[f.key] = message
        elif f.kind == "bool":
            if not isinstance(value, bool):
                problems[f.key] = "只能是“是”或“否”"
        elif f.kind == "choice":
            if value not in f.choices:
                problems[f.key] = "请从列表中选择"
        elif f.kind == "tiers":
            problems.update(_check_tiers(f, value))
        elif f.kind == "topups":
            problems.update(_check_rows(f, value, "group", "rate", TOPUP_GROUPS))
        elif f.kind == "care":
            problems.update(_check_map(f, value, CARE_LEVELS, every=True))
        elif f.kind == "grades":
            problems.update(_check_map(f, value, GRADE_LABELS, every=False))
    # Rules between fields.
    ceiling, big = _number(raw.get("temp_township_ceiling")), _number(raw.get("temp_big_case"))
    if ceiling is not None and big is not None and "temp_big_case" not in problems and big < ceiling:
        problems["temp_big_case"] = f"不能低于乡镇审批限额（{_plain(ceiling)} 元）"
    standard, floor = _number(raw.get("dibao_standard_monthly")), _number(raw.get("min_per_person"))
    if standard is not None and floor is not None and "min_per_person" not in problems and floor > standard:
        problems["min_per_person"] = f"不能高于低保标准（{_plain(standard)} 元）"
    if raw.get("amount_mode") == "tiers" and not raw.get("tiers") and "tiers" not in problems:
        problems["tiers"] = "分档方式至少要设置一档"
    return problems


def _check_tiers(f: PolicyField, rows: Any) -> dict[str, str]:
    if not isinstance(rows, list):
        return {f.key: "应为分档表"}
    problems: dict[str, str] = {}
    ratio_field = PolicyField(f.key, "", "", "decimal", f.section, Decimal("0"), Decimal("10"))
    last: Decimal | None = None
    for i, row in enumerate(rows):
        here = f"{f.key}[{i}]"
        if not isinstance(row, dict):
            problems[here] = f"第{i + 1}档应为一行"
            continue
        ratio = check_value(ratio_field, row.get("max_income_ratio"), f"第{i + 1}档的收入比例")
        amount = check_value(f, row.get("per_person"), f"第{i + 1}档的金额")
        if ratio:
            problems[f"{here}.max_income_ratio"] = ratio
        if amount:
            problems[f"{here}.per_person"] = amount
        number = _number(row.get("max_income_ratio"))
        if not ratio and number is not None:
            if last is not None and number < last:
                problems[f"{here}.max_income_ratio"] = f"第{i + 1}档的收入比例不能低于上一档（各档从低到高）"
            last = number
    return problems


def _check_rows(f: PolicyField, rows: Any, name_key: str, value_key: str, names: dict[str, str]) -> dict[str, str]:
    if not isinstance(rows, list):
        return {f.key: "应为列表"}
    problems: dict[str, str] = {}
    seen = set()
    for i, row in enumerate(rows):
        here = f"{f.key}[{i}]"
        if not isinstance(row, dict) or row.get(name_key) not in names:
            problems[here] = f"第{i + 1}行：未知的类别"
            continue
        label = names[row[name_key]]
        if row[name_key] in seen:
            problems[f"{here}.{value_key}"] = f"{label}重复了"
        seen.add(row[name_key])
        message = check_value(f, row.get(value_key), label)
        if message:
            problems[f"{here}.{value_key}"] = message
    return problems


def _check_map(f: PolicyField, value: Any, names: dict[str, str], *, every: bool) -> dict[str, str]:
    if not isinstance(value, dict):
        return {f.key: "应为按等级填写的金额表"}
    problems: dict[str, str] = {}
    for key in sorted(set(value) - set(names)):
        problems[f"{f.key}.{key}"] = f"未知的等级「{key}」"
    for key, label in names.items():
        if key not in value:
            if every:
                problems[f"{f.key}.{key}"] = f"请填写{label}的金额"
            continue
        message = check_value(f, value[key], label)
        if message:
            problems[f"{f.key}.{key}"] = message
    return problems


def describe(problems: dict[str, str]) -> str:
    """All problems as one sentence naming each field by its Chinese label (for the command line)."""
    parts = []
    for path, message in problems.items():
        key = path.split("[")[0].split(".")[0]
        f = BY_KEY.get(key)
        parts.append(f"「{f.label}」：{message}" if f else message)
    return "；".join(parts)
