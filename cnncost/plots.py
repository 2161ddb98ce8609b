"""Figures drawn from cnncost's own traced numbers. Each function returns a matplotlib Figure
whose plotted data is attached as ``fig.cnncost_data`` (a pandas DataFrame), so that what is
drawn can be checked against the trace.

* ``accuracy_figure``: ImageNet top-1 against GMACs (log x), bubble area ~ parameters, coloured
  by family: Canziani, Paszke & Culurciello (2017), Fig. 2, from traced MACs.
* ``accuracy_params_figure``: top-1 against parameters, and accuracy density (top-1 per
  million parameters and per GMAC).
* ``memory_figure``: activation memory (sum of all outputs, and the predicted inference peak
  from tensor lifetimes) against batch size.
* ``layers_figure``: per-layer MACs, parameters and memory along the depth of one network.
* ``time_figure``: measured latency against MACs with a fitted line and its R^2.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure  # the object API: no pyplot, no backend switched

from . import zoo
from .costs import ModelCost
from .errors import UsageError
from .trace import analyze
from .units import atomic_write

WIDTH_IN, DPI = 10.0, 160  # 1600 px wide


class CostFigure(Figure):
    """A Figure that shows itself in Jupyter without pyplot or a backend switch."""

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()


@dataclass(frozen=True)
class Point:
    """A user's own design placed on the accuracy plot."""

    label: str
    macs: int
    params: int
    top1: float
    family: str = "yours"


def accuracy_table() -> pd.DataFrame:
    """``cnncost/data/imagenet_accuracy.csv``: published top-1/top-5 of zoo models."""
    text = resources.files("cnncost").joinpath("data/imagenet_accuracy.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    df = pd.DataFrame(rows)
    df["top1"] = df["top1"].astype(float)
    df["top5"] = pd.to_numeric(df["top5"], errors="coerce")
    df["resolution"] = df["resolution"].astype(int)
    return df


def accuracy_data(extra: Sequence[Point] = ()) -> pd.DataFrame:
    """Every zoo model with a published accuracy: traced MACs and params at the resolution the
    accuracy was measured at, plus the user's own points."""
    rows = []
    for r in accuracy_table().itertuples():
        e = zoo.get(r.model)
        size = (e.input_size[0], r.resolution, r.resolution)
        c = analyze(zoo.build(r.model), size, name=r.model)
        rows.append({"model": r.model, "family": e.family, "top1": r.top1, "top5": r.top5,
                     "params": c.params, "macs": c.macs, "resolution": r.resolution,
                     "source": r.source})  # fmt: skip
    for p in extra:
        rows.append({"model": p.label, "family": p.family, "top1": p.top1, "top5": math.nan,
                     "params": p.params, "macs": p.macs, "resolution": 0,
                     "source": "user"})  # fmt: skip
    df = pd.DataFrame(rows)
    df["gmacs"] = df["macs"] / 1e9
    df["mparams"] = df["params"] / 1e6
    return df


def _colours(families: Sequence[str]) -> dict[str, Any]:
    cmap = matplotlib.colormaps["tab10"]
    fams = sorted(set(families) - {"yours"})
    out = {f: cmap(i % 10) for i, f in enumerate(fams)}
    out["yours"] = "black"
    return out


def _label_points(ax: Any, df: pd.DataFrame, x: str, y: str) -> None:
    for r in df.itertuples():
        ax.annotate(
            r.model, (getattr(r, x), getattr(r, y)), xytext=(5, 4), textcoords="offset points",
            fontsize=7.5, color="#222222",
        )  # fmt: skip


def accuracy_figure(data: pd.DataFrame | None = None, extra: Sequence[Point] = ()) -> Figure:
    """Top-1 against GMACs (log), bubble area proportional to parameters, coloured by family."""
    df = accuracy_data(extra) if data is None else data
    fig = CostFigure(figsize=(WIDTH_IN, 6.5), dpi=DPI)
    ax = fig.subplots()
    colours = _colours(df["family"])
    for fam, g in df.groupby("family", sort=True):
        ax.scatter(g["gmacs"], g["top1"], s=g["mparams"] * 12 + 10, alpha=0.55,
                   color=colours[fam], edgecolors="black", linewidths=0.5, label=fam)  # fmt: skip
    _label_points(ax, df, "gmacs", "top1")
    ax.set_xscale("log")
    ax.set_xlabel("operations: GMACs per image (multiply-accumulates, traced by cnncost; log)")
    ax.set_ylabel("ImageNet top-1 accuracy (%)")
    ax.set_title("Top-1 accuracy against operations (bubble area ~ parameters)")
    ax.grid(True, which="both", alpha=0.3)
    leg = ax.legend(title="family", fontsize=8, title_fontsize=8, loc="lower right",
                    markerscale=0.5)  # fmt: skip
    for h in leg.legend_handles:
        h.set_sizes([40])  # type: ignore[union-attr]
    ax.text(0.01, 0.01, "After Canziani, Paszke & Culurciello 2017, Fig. 2. Accuracies: "
            "cnncost/data/imagenet_accuracy.csv", transform=ax.transAxes, fontsize=7,
            color="#555555")  # fmt: skip
    fig.tight_layout()
    fig.cnncost_data = df  # type: ignore[attr-defined]
    return fig


def accuracy_params_figure(data: pd.DataFrame | None = None,
                           extra: Sequence[Point] = ()) -> Figure:  # fmt: skip
    """Top-1 against parameters (log), and accuracy density: top-1 per M params and per GMAC."""
    df = (accuracy_data(extra) if data is None else data).copy()
    df["top1_per_mparam"] = df["top1"] / df["mparams"]
    df["top1_per_gmac"] = df["top1"] / df["gmacs"]
    fig = CostFigure(figsize=(WIDTH_IN * 1.3, 6.5), dpi=DPI)
    a1, a2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    colours = _colours(df["family"])
    for fam, g in df.groupby("family", sort=True):
        a1.scatter(g["mparams"], g["top1"], s=45, color=colours[fam], edgecolors="black",
                   linewidths=0.5, label=fam, alpha=0.8)  # fmt: skip
    _label_points(a1, df, "mparams", "top1")
    a1.set_xscale("log")
    a1.set_xlabel("parameters (millions; log)")
    a1.set_ylabel("ImageNet top-1 accuracy (%)")
    a1.set_title("Top-1 against parameters")
    a1.grid(True, which="both", alpha=0.3)
    a1.legend(fontsize=7, loc="lower right")
    d = df.sort_values("top1_per_mparam")
    a2.barh(d["model"], d["top1_per_mparam"], color=[colours[f] for f in d["family"]])
    a2.set_xscale("log")
    a2.set_xlabel("accuracy density: top-1 % per million parameters (log)")
    a2.tick_params(axis="y", labelsize=7)
    a2.set_title("Accuracy per parameter")
    a2.grid(True, axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.cnncost_data = df  # type: ignore[attr-defined]
    return fig


BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def memory_data(
    name: str,
    batches: Sequence[int] = BATCHES,
    input_size: Sequence[int] | None = None,
    dtype: str = "float32",
) -> pd.DataFrame:
    """Activation memory against batch: the sum of every output, and the predicted inference
    peak of live activations (tensor lifetimes), plus the weights."""
    e = zoo.get(name)
    model = zoo.build(name)
    rows = []
    for b in batches:
        c = analyze(model, tuple(input_size or e.input_size), batch=b, dtype=dtype, name=name)
        rows.append({"batch": b, "sum_of_outputs_bytes": c.memory_bytes,
                     "peak_activation_bytes": c.peak_activation_bytes,
                     "weight_bytes": c.weight_bytes,
                     "predicted_peak_bytes": c.predicted_peak_bytes})  # fmt: skip
    return pd.DataFrame(rows)


def memory_figure(
    name: str, batches: Sequence[int] = BATCHES, input_size: Sequence[int] | None = None
) -> Figure:
    df = memory_data(name, batches, input_size)
    fig = CostFigure(figsize=(WIDTH_IN, 6), dpi=DPI)
    ax = fig.subplots()
    mib = 2**20
    ax.plot(df["batch"], df["sum_of_outputs_bytes"] / mib, "o-",
            label="sum of all module outputs (what a naive tally reports)")  # fmt: skip
    ax.plot(df["batch"], df["predicted_peak_bytes"] / mib, "s-",
            label="predicted inference peak: weights + live activations")  # fmt: skip
    ax.plot(df["batch"], df["peak_activation_bytes"] / mib, "^--",
            label="peak live activations (tensor lifetimes)")  # fmt: skip
    ax.axhline(df["weight_bytes"].iloc[0] / mib, color="grey", ls=":", label="weights")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size (log2)")
    ax.set_ylabel("memory (MiB, float32; log)")
    ax.set_title(f"{name}: activation memory against batch size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.cnncost_data = df  # type: ignore[attr-defined]
    return fig


def layers_data(cost: ModelCost) -> pd.DataFrame:
    from .report import lecture_view

    df = lecture_view(cost)
    return df[["name", "kind", "params", "macs", "memory_bytes"]].reset_index(drop=True)


def layers_figure(name: str, input_size: Sequence[int] | None = None,
                  cost: ModelCost | None = None) -> Figure:  # fmt: skip
    """Per-layer MACs, parameters and output memory along the depth of one network."""
    if cost is None:
        e = zoo.get(name)
        cost = analyze(zoo.build(name), tuple(input_size or e.input_size), name=name)
    df = layers_data(cost)
    n = len(df)
    fig = CostFigure(figsize=(WIDTH_IN, 8), dpi=DPI)
    axes = fig.subplots(3, 1, sharex=True)
    specs = [("macs", 1e6, "MACs (millions)", "tab:blue"),
             ("params", 1e6, "parameters (millions)", "tab:orange"),
             ("memory_bytes", 2**10, "output memory (KiB)", "tab:green")]  # fmt: skip
    for ax, (col, scale, label, colour) in zip(axes, specs, strict=True):
        vals = df[col] / scale
        ax.bar(range(n), vals, color=colour)
        total = df[col].sum() or 1
        ax.set_ylabel(label, fontsize=8)
        ax.grid(True, axis="y", alpha=0.3)
        top = int(df[col].idxmax())
        ax.annotate(f"{df.loc[top, 'name']}: {100 * df.loc[top, col] / total:.0f}%",
                    (top, vals.iloc[top]), xytext=(4, -10), textcoords="offset points",
                    fontsize=8)  # fmt: skip
    step = max(1, n // 40)
    axes[-1].set_xticks(range(0, n, step))
    axes[-1].set_xticklabels(df["name"].iloc[::step], rotation=90, fontsize=6.5)
    axes[0].set_title(f"{cost.model}: cost per layer along the depth "
                      f"(input {'x'.join(map(str, cost.input_shape[1:]))})")  # fmt: skip
    fig.tight_layout()
    fig.cnncost_data = df  # type: ignore[attr-defined]
    return fig


def fit_line(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, float]:
    """Least squares y = a x + b and R^2."""
    n = len(x)
    if n < 2:
        return math.nan, math.nan, math.nan
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    a = sxy / sxx if sxx else math.nan
    b = my - a * mx
    ss_res = sum((yy - (a * xx + b)) ** 2 for xx, yy in zip(x, y, strict=True))
    ss_tot = sum((yy - my) ** 2 for yy in y)
    return a, b, 1 - ss_res / ss_tot if ss_tot else math.nan


def time_figure(timing: pd.DataFrame, title: str = "") -> Figure:
    """Measured latency against MACs (columns model, macs, median_ms; optional batch, dtype),
    one fitted line per (batch, dtype) with its R^2."""
    fig = CostFigure(figsize=(WIDTH_IN, 6.5), dpi=DPI)
    ax = fig.subplots()
    keys = [c for c in ("batch", "dtype") if c in timing.columns]
    groups = timing.groupby(keys) if keys else [((), timing)]
    fits = []
    for key, g in groups:
        x, y = list(g["macs"] / 1e9), list(g["median_ms"])
        a, b, r2 = fit_line(x, y)
        lab = ", ".join(f"{k}={v}" for k, v in zip(keys, key if isinstance(key, tuple) else
                                                   (key,), strict=False))  # fmt: skip
        pts = ax.scatter(x, y, s=30, label=f"{lab or 'measured'}: R^2 = {r2:.3f}")
        if not math.isnan(a):
            xs = sorted(x)
            ax.plot(xs, [a * v + b for v in xs], color=pts.get_facecolor()[0], lw=1)
        fits.append({"group": lab, "slope_ms_per_gmac": a, "intercept_ms": b, "r2": r2})
        for r in g.itertuples():
            ax.annotate(r.model, (r.macs / 1e9, r.median_ms), fontsize=6.5, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
    ax.set_xlabel("GMACs per forward (traced)")
    ax.set_ylabel("measured latency (ms, median)")
    ax.set_title(title or "Measured latency against operations")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.cnncost_data = timing  # type: ignore[attr-defined]
    fig.cnncost_fits = pd.DataFrame(fits)  # type: ignore[attr-defined]
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write PNG or SVG atomically, deterministically (no timestamps or version stamps)."""
    p = Path(path)
    fmt = p.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise UsageError(f"--out {str(p)!r}: the figure file must end in .png or .svg.")
    import io

    buf = io.BytesIO()
    meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    with matplotlib.rc_context({"svg.hashsalt": "cnncost"}):
        fig.savefig(buf, format=fmt, metadata=meta)
    atomic_write(p, buf.getvalue())
    return p
