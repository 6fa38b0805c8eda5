"""Policy parameter sets (policy.md §1): parsed from plain dicts, exact decimals throughout."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from .errors import InputError
from .money import to_bool, to_decimal, to_int
from .text import shown

TOPUP_GROUPS: dict[str, str] = {
    "elderly70": "70周岁以上老年人",
    "minor": "未成年人",
    "severe_disability": "重度残疾人",
    "serious_illness": "重特大疾病患者",
}
CARE_LEVELS: dict[str, str] = {"self_care": "全自理", "partial": "半失能", "full": "全失能"}
AMOUNT_MODES = ("gap", "tiers")
ROUNDINGS = ("half_up", "up")
GRADES = ("1", "2", "3", "4")  # disability grades, keys of dla_monthly / dca_monthly (§10)

# Keys every computation needs (flags are computed for every programme).
_COMMON = (
    "dibao_standard_monthly",
    "income_months",
    "job_cost_rate",
    "edge_multiplier",
    "asset_months",
    "allow_vehicle",
    "max_homes",
    "amount_mode",
    "topups",
    "disposable_income_prev_year",
    "rigid_share",
    "monitoring_line_annual",
)
REQUIRED_BY_PROGRAMME: dict[str, tuple[str, ...]] = {
    "dibao": _COMMON,
    "tekun": _COMMON + ("tekun_basic_ratio", "tekun_care_monthly"),
    "temporary": _COMMON + ("temp_township_ceiling", "temp_big_case"),
    "price_subsidy": _COMMON + ("price_cpi_trigger", "price_food_trigger"),
}
ALL_KEYS = (
    "dibao_standard_monthly",
    "income_months",
    "job_cost_rate",
    "edge_multiplier",
    "asset_months",
    "allow_vehicle",
    "max_homes",
    "amount_mode",
    "tiers",
    "min_per_person",
    "topups",
    "phase_out_months",
    "tekun_basic_ratio",
    "tekun_care_monthly",
    "temp_township_ceiling",
    "temp_big_case",
    "lowincome_line_annual",
    "disposable_income_prev_year",
    "rigid_share",
    "monitoring_line_annual",
    "rounding",
    # §10 残疾人两项补贴
    "dla_monthly",
    "dca_monthly",
    "dla_extend_to_edge",
    "dca_extend_mental",
    # §11 价格临时补贴
    "price_cpi_trigger",
    "price_food_trigger",
    "price_subsidy_min",
    "price_include_edge",
)


@dataclass(frozen=True)
class Tier:
    max_income_ratio: Decimal
    per_person: Decimal


@dataclass(frozen=True)
class PolicyParams:
    """One policy parameter set. Defaults are the example county of policy.md §1."""

    dibao_standard_monthly: Decimal = Decimal("720")
    income_months: int = 12
    job_cost_rate: Decimal = Decimal("0.10")
    edge_multiplier: Decimal = Decimal("1.5")
    asset_months: int = 24
    allow_vehicle: bool = False
    max_homes: int = 1
    amount_mode: str = "gap"
    tiers: tuple[Tier, ...] = ()
    min_per_person: Decimal = Decimal("0")
    topups: tuple[tuple[str, Decimal], ...] = (
        ("elderly70", Decimal("0.30")),
        ("minor", Decimal("0.30")),
        ("severe_disability", Decimal("0.50")),
        ("serious_illness", Decimal("0.50")),
    )
    phase_out_months: int = 6
    tekun_basic_ratio: Decimal = Decimal("1.3")
    tekun_care_monthly: dict[str, Decimal] = field(
        default_factory=lambda: {"self_care": Decimal("0"), "partial": Decimal("230"), "full": Decimal("690")}
    )
    temp_township_ceiling: Decimal = Decimal("10000")
    temp_big_case: Decimal = Decimal("30000")
    lowincome_line_annual: Decimal | None = Decimal("6900")
    disposable_income_prev_year: Decimal = Decimal("22000")
    rigid_share: Decimal = Decimal("0.60")
    monitoring_line_annual: Decimal = Decimal("5000")
    rounding: str = "half_up"
    # §10: per disability grade "1".."4"; a grade missing from the care map gives no allowance.
    dla_monthly: dict[str, Decimal] = field(default_factory=lambda: {g: Decimal("80") for g in GRADES})
    dca_monthly: dict[str, Decimal] = field(default_factory=lambda: {"1": Decimal("100"), "2": Decimal("80")})
    dla_extend_to_edge: bool = False
    dca_extend_mental: bool = False
    # §11: year-on-year rises in percent that trigger a month; the floor per person.
    price_cpi_trigger: Decimal = Decimal("3.5")
    price_food_trigger: Decimal = Decimal("6.0")
    price_subsidy_min: Decimal = Decimal("0")
    price_include_edge: bool = False

    @property
    def edge_line(self) -> Decimal:
        return self.edge_multiplier * self.dibao_standard_monthly

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict in the shape of calc-contract.md (money and rates as strings)."""
        raw = asdict(self)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "tiers":
                out[key] = [
                    {"max_income_ratio": str(t["max_income_ratio"]), "per_person": str(t["per_person"])}
                    for t in value
                ]
            elif key == "topups":
                out[key] = [{"group": g, "rate": str(r)} for g, r in value]
            elif key in ("tekun_care_monthly", "dla_monthly", "dca_monthly"):
                out[key] = {k: str(v) for k, v in value.items()}
            elif isinstance(value, Decimal):
                out[key] = str(value)
            else:
                out[key] = value
        return out


def parse_policy(raw: Any, programme: str = "dibao", prefix: str = "policy") -> PolicyParams:
    """Validate a policy dict; every error names the field (e.g. ``policy.topups[1].rate``)."""
    if not isinstance(raw, dict):
        raise InputError(f"{prefix}: 应为对象（键值表）", prefix)
    unknown = sorted(set(raw) - set(ALL_KEYS))
    if unknown:
        raise InputError(f"{prefix}.{unknown[0]}: 未知的政策参数", f"{prefix}.{unknown[0]}")
    for key in REQUIRED_BY_PROGRAMME.get(programme, _COMMON):
        if key not in raw or raw[key] is None:
            raise InputError(f"{prefix}.{key}: 缺少此项政策参数", f"{prefix}.{key}")
    defaults = PolicyParams()
    kw: dict[str, Any] = {}

    def dec(key: str) -> None:
        if raw.get(key) is not None:
            kw[key] = to_decimal(raw[key], f"{prefix}.{key}")

    for key in (
        "dibao_standard_monthly",
        "job_cost_rate",
        "edge_multiplier",
        "min_per_person",
        "tekun_basic_ratio",
        "temp_township_ceiling",
        "temp_big_case",
        "disposable_income_prev_year",
        "rigid_share",
        "monitoring_line_annual",
        "price_subsidy_min",
    ):
        dec(key)
    for key in ("price_cpi_trigger", "price_food_trigger"):  # percentages; a trigger may be any number
        if raw.get(key) is not None:
            kw[key] = to_decimal(raw[key], f"{prefix}.{key}", allow_negative=True)
    for key in ("dla_monthly", "dca_monthly"):
        if raw.get(key) is not None:
            kw[key] = _parse_grades(raw[key], f"{prefix}.{key}", complete=key == "dla_monthly")
    if "lowincome_line_annual" in raw:
        kw["lowincome_line_annual"] = (
            None
            if raw["lowincome_line_annual"] is None
            else to_decimal(raw["lowincome_line_annual"], f"{prefix}.lowincome_line_annual")
        )
    for key, low in (("income_months", 1), ("asset_months", 0), ("max_homes", 0), ("phase_out_months", 0)):
        if raw.get(key) is not None:
            kw[key] = to_int(raw[key], f"{prefix}.{key}", low=low)
    for key in ("allow_vehicle", "dla_extend_to_edge", "dca_extend_mental", "price_include_edge"):
        if key in raw:
            kw[key] = to_bool(raw[key], f"{prefix}.{key}")
    for key in ("job_cost_rate", "rigid_share"):
        if key in kw and kw[key] > 1:
            raise InputError(f"{prefix}.{key}: 比例不能大于1（现为 {kw[key]}）", f"{prefix}.{key}")
    if kw.get("dibao_standard_monthly", defaults.dibao_standard_monthly) <= 0:
        raise InputError(f"{prefix}.dibao_standard_monthly: 低保标准必须大于0", f"{prefix}.dibao_standard_monthly")
    if raw.get("amount_mode") is not None:
        if not isinstance(raw["amount_mode"], str) or raw["amount_mode"] not in AMOUNT_MODES:
            raise InputError(
                f"{prefix}.amount_mode: 只能是 gap（补差）或 tiers（分档），现为 {shown(raw['amount_mode'])}",
                f"{prefix}.amount_mode",
            )
        kw["amount_mode"] = raw["amount_mode"]
    if raw.get("rounding") is not None:
        if not isinstance(raw["rounding"], str) or raw["rounding"] not in ROUNDINGS:
            raise InputError(
                f"{prefix}.rounding: 只能是 half_up（四舍五入）或 up（向上取整），现为 {shown(raw['rounding'])}",
                f"{prefix}.rounding",
            )
        kw["rounding"] = raw["rounding"]
    kw["tiers"] = _parse_tiers(raw.get("tiers"), f"{prefix}.tiers")
    if raw.get("amount_mode") == "tiers" and not kw["tiers"]:
        raise InputError(f"{prefix}.tiers: 分档模式（tiers）必须至少设置一档", f"{prefix}.tiers")
    if raw.get("topups") is not None:
        kw["topups"] = _parse_topups(raw["topups"], f"{prefix}.topups")
    if raw.get("tekun_care_monthly") is not None:
        kw["tekun_care_monthly"] = _parse_care(raw["tekun_care_monthly"], f"{prefix}.tekun_care_monthly")
    return PolicyParams(**kw)


def _parse_tiers(raw: Any, field: str) -> tuple[Tier, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{field}: 应为列表", field)
    tiers = []
    for i, item in enumerate(raw):
        here = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"{here}: 应为对象", here)
        for key in ("max_income_ratio", "per_person"):
            if key not in item:
                raise InputError(f"{here}.{key}: 缺少此项", f"{here}.{key}")
        tiers.append(
            Tier(
                to_decimal(item["max_income_ratio"], f"{here}.max_income_ratio"),
                to_decimal(item["per_person"], f"{here}.per_person"),
            )
        )
    for i in range(1, len(tiers)):
        if tiers[i].max_income_ratio < tiers[i - 1].max_income_ratio:
            here = f"{field}[{i}].max_income_ratio"
            raise InputError(f"{here}: 各档须按收入比例从低到高排列", here)
    return tuple(tiers)


def _parse_topups(raw: Any, field: str) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(raw, list):
        raise InputError(f"{field}: 应为列表", field)
    out: list[tuple[str, Decimal]] = []
    for i, item in enumerate(raw):
        here = f"{field}[{i}]"
        if not isinstance(item, dict) or "group" not in item or "rate" not in item:
            raise InputError(f"{here}: 应为 {{group, rate}} 对象", here)
        if not isinstance(item["group"], str) or item["group"] not in TOPUP_GROUPS:
            raise InputError(
                f"{here}.group: 未知的增发对象类别 {shown(item['group'])}（可用：{', '.join(TOPUP_GROUPS)}）",
                f"{here}.group",
            )
        out.append((item["group"], to_decimal(item["rate"], f"{here}.rate")))
    return tuple(out)


def _parse_care(raw: Any, field: str) -> dict[str, Decimal]:
    if not isinstance(raw, dict):
        raise InputError(f"{field}: 应为对象（self_care/partial/full）", field)
    out = {}
    for level in CARE_LEVELS:
        if level not in raw:
            raise InputError(f"{field}.{level}: 缺少此项", f"{field}.{level}")
        out[level] = to_decimal(raw[level], f"{field}.{level}")
    extra = sorted(set(raw) - set(CARE_LEVELS))
    if extra:
        raise InputError(f"{field}.{extra[0]}: 未知的护理等级", f"{field}.{extra[0]}")
    return out


def _parse_grades(raw: Any, field: str, *, complete: bool) -> dict[str, Decimal]:
    """A money amount per disability grade "1".."4" (all four where ``complete``)."""
    if not isinstance(raw, dict):
        raise InputError(f"{field}: 应为对象（残疾等级 1–4 对应的金额）", field)
    extra = sorted(str(k) for k in raw if str(k) not in GRADES)
    if extra:
        raise InputError(f"{field}.{extra[0]}: 残疾等级只能是 1、2、3、4", f"{field}.{extra[0]}")
    out = {str(k): to_decimal(v, f"{field}.{k}") for k, v in raw.items()}
    missing = [g for g in GRADES if g not in out]
    if complete and missing:
        raise InputError(f"{field}.{missing[0]}: 缺少此项", f"{field}.{missing[0]}")
    return dict(sorted(out.items()))
