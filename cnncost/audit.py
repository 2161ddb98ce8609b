"""Audit a design against a budget: MACs, FLOPs, parameters, activation memory.

``audit(model, input_size, max_macs=..., ...) -> AuditResult`` traces the model (on meta by
default) and checks each limit; ``assert_within_budget`` is the same for a user's own pytest.
The command line is ``cnncost audit TARGET --max-macs 1.5G ...`` (exit 1 when over budget).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from .costs import ModelCost
from .trace import analyze
from .units import fmt_bytes, fmt_count

#: budget name -> (ModelCost total it limits, what it means, unit kind)
BUDGETS = {
    "macs": ("macs", "multiply-accumulates of conv/linear/matmul", "count"),
    "flops": ("flops", "floating-point operations (2 per MAC + element-wise)", "count"),
    "params": ("params", "parameter elements", "count"),
    "memory": ("memory_bytes", "output activations, all module outputs at this batch", "bytes"),
}


@dataclass(frozen=True)
class BudgetCheck:
    name: str  # macs, flops, params, memory
    limit: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.actual <= self.limit

    @property
    def headroom(self) -> int:
        return self.limit - self.actual

    @property
    def used(self) -> float:
        """Fraction of the limit used (1.0 = exactly at the limit)."""
        return self.actual / self.limit if self.limit else float("inf")

    def fmt(self, n: int) -> str:
        kind = BUDGETS[self.name][2]
        return f"{n:,} B ({fmt_bytes(n)})" if kind == "bytes" else f"{n:,} ({fmt_count(n)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "actual": self.actual,
            "headroom": self.headroom,
            "used": round(self.used, 6),
            "ok": self.ok,
            "meaning": BUDGETS[self.name][1],
        }


@dataclass(frozen=True)
class HotSpot:
    name: str
    kind: str
    value: int
    share: float  # of the model's total


@dataclass(frozen=True)
class AuditResult:
    cost: ModelCost
    checks: tuple[BudgetCheck, ...]
    strict: bool = False
    baseline: ModelCost | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def over(self) -> tuple[BudgetCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def ok(self) -> bool:
        """Within every budget, and (under ``strict``) every op counted."""
        return not self.over and not (self.strict and self.cost.unsupported)

    def hotspots(self, key: str = "macs", n: int = 5) -> list[HotSpot]:
        """The module calls with the largest own ``key`` (macs, flops, memory_bytes, params)."""
        total = self.cost.totals[key] or 1
        rows = sorted(self.cost.rows, key=lambda r: getattr(r, key), reverse=True)
        return [
            HotSpot(r.name, r.kind, getattr(r, key), getattr(r, key) / total)
            for r in rows[:n]
            if getattr(r, key) > 0
        ]

    def baseline_diff(self, depth: int = 1) -> list[dict[str, Any]]:
        """Per stage (rows rolled up to ``depth``) and in total: this design minus the baseline."""
        if self.baseline is None:
            return []
        from .report import depth_view  # views are pure functions of ModelCost

        mine = depth_view(self.cost, depth).set_index("name")
        base = depth_view(self.baseline, depth).set_index("name")
        out = []
        for name in list(dict.fromkeys(list(mine.index) + list(base.index))):
            row: dict[str, Any] = {"stage": name}
            for k in ("params", "macs", "flops", "memory_bytes"):
                a = int(mine.loc[name, k]) if name in mine.index else 0
                b = int(base.loc[name, k]) if name in base.index else 0
                row[k], row[f"{k}_baseline"], row[f"{k}_diff"] = a, b, a - b
            out.append(row)
        total: dict[str, Any] = {"stage": "total"}
        for k in ("params", "macs", "flops", "memory_bytes"):
            a, b = self.cost.totals[k], self.baseline.totals[k]
            total[k], total[f"{k}_baseline"], total[f"{k}_diff"] = a, b, a - b
        out.append(total)
        return out

    def message(self) -> str:
        """One paragraph: the verdict and every limit that was exceeded."""
        if self.ok:
            return f"{self.cost.model}: within budget ({len(self.checks)} limit(s) checked)."
        parts = [
            f"{c.name} {c.fmt(c.actual)} exceeds the limit {c.fmt(c.limit)} by "
            f"{c.fmt(-c.headroom)} ({100 * (c.used - 1):.1f}% over)"
            for c in self.over
        ]
        if self.strict and self.cost.unsupported:
            ops = ", ".join(f"{u.op} x{u.count}" for u in self.cost.unsupported)
            parts.append(f"unsupported ops under --strict: {ops}")
        top = self.hotspots("macs", 3)
        hint = (
            " Largest MACs: " + ", ".join(f"{h.name} {100 * h.share:.0f}%" for h in top) + "."
            if top
            else ""
        )
        return f"{self.cost.model}: over budget: " + "; ".join(parts) + "." + hint

    def to_dict(self) -> dict[str, Any]:
        d = self.cost.to_dict()
        d["budget"] = {c.name: c.to_dict() for c in self.checks}
        d["ok"] = self.ok
        d["strict"] = self.strict
        d["hotspots"] = {
            key: [
                {"name": h.name, "kind": h.kind, "value": h.value, "share": round(h.share, 6)}
                for h in self.hotspots(key)
            ]
            for key in ("macs", "memory_bytes")
        }
        if self.baseline is not None:
            d["baseline"] = {"model": self.baseline.model, "stages": self.baseline_diff()}
        d["notes"] = list(self.notes)
        return d


def check(cost: ModelCost, **limits: int | None) -> tuple[BudgetCheck, ...]:
    """``check(cost, max_macs=..., max_params=...)``: one BudgetCheck per limit given."""
    checks = []
    for key, limit in limits.items():
        name = key.removeprefix("max_")
        if name not in BUDGETS:
            raise ValueError(f"unknown budget {key!r}; expected max_{', max_'.join(BUDGETS)}")
        if limit is None:
            continue
        if limit < 0:
            raise ValueError(f"{key} must not be negative, got {limit}")
        checks.append(BudgetCheck(name, int(limit), int(cost.totals[BUDGETS[name][0]])))
    return tuple(checks)


def audit(
    model: nn.Module | ModelCost,
    input_size: Sequence[int] = (3, 224, 224),
    batch: int = 1,
    dtype: torch.dtype | str = torch.float32,
    device: str = "meta",
    *,
    max_macs: int | None = None,
    max_flops: int | None = None,
    max_params: int | None = None,
    max_memory: int | None = None,
    strict: bool = False,
    baseline: nn.Module | ModelCost | None = None,
    name: str | None = None,
    train: bool = False,
) -> AuditResult:
    """Trace ``model`` (or take an existing ModelCost) and check it against the limits."""
    cost = (
        model
        if isinstance(model, ModelCost)
        else analyze(model, input_size, batch, dtype, device, name=name, train=train)
    )
    base = None
    if baseline is not None:
        base = (
            baseline
            if isinstance(baseline, ModelCost)
            else analyze(baseline, input_size, batch, dtype, device, train=train)
        )
    checks = check(
        cost, max_macs=max_macs, max_flops=max_flops, max_params=max_params, max_memory=max_memory
    )
    notes = []
    if not train and _has_training_bn(model):
        notes.append("batch norm layers were in training mode; analysed in eval mode")
    return AuditResult(cost, checks, strict, base, tuple(notes))


def _has_training_bn(model: Any) -> bool:
    if not isinstance(model, nn.Module):
        return False
    return any(
        isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training for m in model.modules()
    )


def assert_within_budget(
    model: nn.Module, input_size: Sequence[int] = (3, 224, 224), **kwargs: Any
) -> AuditResult:
    """For a user's own tests: ``assert_within_budget(Net(), (3, 224, 224), max_macs=1.5e9)``
    raises AssertionError (with the verdict) when the design exceeds a budget."""
    result = audit(model, input_size, **kwargs)
    if not result.ok:
        raise AssertionError(result.message())
    return result
