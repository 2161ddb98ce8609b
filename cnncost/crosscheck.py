"""Optional cross-check against fvcore's FlopCountAnalysis (``pip install 'cnncost[dev]'``).

fvcore traces a real forward with real weights (it fails on meta tensors) and counts one
"flop" per multiply-accumulate for conv, linear and matmul -- the same as cnncost's MACs -- but
it also counts batch norm, adaptive average pooling, upsampling and the normalisations, and
skips element-wise adds, activations and max pooling. Each difference per row is named here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import torch
from torch import nn

from .costs import ModelCost
from .errors import UsageError
from .trace import ROOT

#: fvcore operator name -> why it makes fvcore's count differ from cnncost's MACs
REASONS = {
    "batch_norm": "fvcore counts batch norm (1 per element, 2 with affine) as flops; "
    "cnncost: 0 MACs, 2 FLOPs/element",
    "adaptive_avg_pool2d": "fvcore counts adaptive avg pooling (1 per input element); "
    "cnncost: 0 MACs, pooling FLOPs",
    "upsample_nearest2d": "fvcore counts nearest upsampling; cnncost: 0",
    "upsample_bilinear2d": "fvcore counts bilinear upsampling; cnncost: 0 MACs, 8 FLOPs/output",
    "group_norm": "fvcore counts group norm; cnncost: 0 MACs, 5 FLOPs/element",
    "layer_norm": "fvcore counts layer norm; cnncost: 0 MACs, 5 FLOPs/element",
    "instance_norm": "fvcore counts instance norm; cnncost: 0 MACs",
}
MAC_OPS = {"conv", "linear", "addmm", "matmul", "bmm", "einsum", "baddbmm", "mm"}
SKIPPED_NOTE = (
    "fvcore skips (counts 0, with a warning): {ops}; cnncost counts them as FLOPs, not MACs."
)


def available() -> bool:
    try:
        import fvcore.nn  # noqa: F401
    except Exception:
        return False
    return True


def fvcore_counts(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[dict, Counter]:
    """fvcore's per-module, per-operator counts and the ops it skipped (real forward, CPU)."""
    try:
        from fvcore.nn import FlopCountAnalysis
    except Exception as exc:
        raise UsageError(
            "--crosscheck needs fvcore, an optional extra: pip install 'cnncost[dev]' "
            f"(import failed: {exc})."
        ) from exc
    model.eval()
    with torch.no_grad():
        x = torch.randn(*input_shape)
        fca = FlopCountAnalysis(model, x)
        fca.unsupported_ops_warnings(False)
        fca.uncalled_modules_warnings(False)
        fca.tracer_warnings("none")
        by_mod = fca.by_module_and_operator()
        skipped = Counter(fca.unsupported_ops())
    return by_mod, skipped


def compare(cost: ModelCost, by_mod: dict[str, Any], skipped: Counter) -> pd.DataFrame:
    """Per leaf row and in total: cnncost MACs, fvcore's count, the difference and why."""
    rows = []
    for r in cost.rows:
        key = "" if r.name == ROOT else r.name
        if not r.is_leaf and r.name != ROOT:
            continue
        ops = by_mod.get(key, Counter())
        if r.name == ROOT:  # fvcore's root holds everything; keep only what the root issued
            continue
        fv = int(sum(ops.values()))
        if fv == 0 and r.macs == 0:
            continue
        rows.append(_row(r.name, r.macs, fv, ops))
    total_ops = by_mod.get("", Counter())
    rows.append(_row("total", cost.macs, int(sum(total_ops.values())), total_ops))
    df = pd.DataFrame(rows)
    if skipped:
        names = ", ".join(f"{k} x{v}" for k, v in sorted(skipped.items()))
        df.attrs["note"] = SKIPPED_NOTE.format(ops=names)
    return df


def _row(name: str, ours: int, fv: int, ops: Counter) -> dict[str, Any]:
    extra = {k: v for k, v in ops.items() if k not in MAC_OPS and v}
    mac_part = sum(v for k, v in ops.items() if k in MAC_OPS)
    why = []
    if mac_part != ours:
        why.append(f"MACs differ ({mac_part:,} vs {ours:,}): a counting bug in one of the tools")
    for k, v in sorted(extra.items()):
        why.append(f"{REASONS.get(k, f'fvcore counts {k}')} (+{v:,})")
    return {
        "layer": name,
        "cnncost MACs": f"{ours:,}",
        "fvcore": f"{fv:,}",
        "difference": f"{fv - ours:+,}",
        "why": "; ".join(why) if why else "same",
    }
