"""``cnncost validate --device cuda --out reports/cuda/``: predicted cost checked against
measured time, in one unattended run.

Measures the device's peaks, the zoo's whole-model latency (batches x dtypes) beside the
roofline prediction, per-layer times of a few models, the design comparisons' variants, and
peak memory; writes CSV files, a Markdown summary and PNG figures into a folder named for the
GPU (``--out`` itself on the CPU). Progress goes to stderr.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from . import compare, plots, timing, zoo
from .report import render_frame
from .trace import analyze
from .units import atomic_write, fmt_bytes

GPU_MODELS = None  # the whole zoo
CPU_MODELS = [
    "lenet5",
    "alexnet",
    "resnet18",
    "mobilenet_v2",
    "squeezenet1_1",
    "shufflenet_v2_x1_0",
    "googlenet",
    "efficientnet_b0",
]
GPU_LAYER_MODELS = ["alexnet", "vgg16", "resnet50", "mobilenet_v2"]
CPU_LAYER_MODELS = ["alexnet", "resnet18", "mobilenet_v2"]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "gpu"


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, file=sys.stderr, desc="validate", leave=True)
            except ImportError:  # pragma: no cover
                self.bar = None
        self.t0 = time.perf_counter()

    def step(self, what: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(what[:40])
            self.bar.update(1)

    def close(self) -> float:
        if self.bar is not None:
            self.bar.close()
        return time.perf_counter() - self.t0


def validate(
    device: str = "cuda",
    out: str | Path = "reports/cuda",
    models: Sequence[str] | None = None,
    batches: Sequence[int] | None = None,
    dtypes: Sequence[str] | None = None,
    layer_models: Sequence[str] | None = None,
    comparisons: Sequence[str] | None = None,
    quick: bool = False,
    progress: bool = True,
) -> Path:
    """Run the whole validation; return the folder written."""
    timing.check_device(device)
    cuda = device.startswith("cuda")
    models = list(models or (zoo.names() if cuda else CPU_MODELS))
    for m in models:
        zoo.get(m)
    models = [m for m in models if m != "googlenet_stem"] or models
    batches = list(batches or ((1, 64) if cuda else (1, 8)))
    dtypes = list(dtypes or (("float32", "bfloat16") if cuda else ("float32",)))
    layer_models = list(layer_models or (GPU_LAYER_MODELS if cuda else CPU_LAYER_MODELS))
    folder = Path(out) / _slug(torch.cuda.get_device_name()) if cuda else Path(out)
    min_rt = 0.05 if quick else (0.15 if cuda else 0.3)
    comps = list(compare.COMPARISONS if comparisons is None else comparisons)
    for c in comps:
        compare.options_for(c)  # unknown names: a usage error before anything runs
    steps = 1 + len(models) * len(batches) * len(dtypes) + len(layer_models) + len(comps) + 1
    bar = _Progress(steps, progress)

    pk = timing.peaks(device, quick=quick)
    bar.step("peaks")
    rows = []
    for name in models:
        e = zoo.get(name)
        for dtype in dtypes:
            for b in batches:
                cost = analyze(zoo.build(name), e.input_size, batch=b, dtype=dtype, name=name)
                try:
                    t = timing.time_model(name, e.input_size, b, dtype, device, min_run_time=min_rt)
                except (torch.cuda.OutOfMemoryError, MemoryError):  # pragma: no cover
                    bar.step(f"{name} OOM")
                    continue
                rows.append(
                    {
                        **{k: v for k, v in t.items() if not k.startswith("env_")},
                        "macs": cost.macs,
                        "flops": cost.flops,
                        "bytes": cost.totals["bytes_read"] + cost.totals["bytes_written"],
                        "params": cost.params,
                        "predicted_ms": 1e3 * timing.predict_seconds(cost, pk),
                    }
                )
                bar.step(f"{name} b{b} {dtype}")
    whole = pd.DataFrame(rows)
    env = timing.environment(device)

    layer_frames, overheads = [], []
    for name in layer_models:
        e = zoo.get(name)
        b = batches[-1]
        df = timing.time_layers(name, e.input_size, b, "float32", device, reps=10 if quick else 20)
        cost = analyze(zoo.build(name), e.input_size, batch=b, name=name)
        roof = timing.roofline(cost, pk)
        roof["module"] = roof["layer"].str.replace(r"#\d+$", "", regex=True)  # every call
        pred = roof.groupby("module")["predicted_s"].sum() * 1e3
        bound = roof.groupby("module")["bound"].agg(lambda s: s.mode().iloc[0])
        launch = roof.groupby("module")["launch_bound"].any()
        calls = {}
        for r in cost.rows:
            base = re.sub(r"#\d+$", "", r.name)
            calls.setdefault(base, []).append(r)
        df["batch"] = b
        df["macs"] = [sum(r.macs for r in calls.get(n, [])) for n in df["layer"]]
        df["flops"] = [sum(r.flops for r in calls.get(n, [])) for n in df["layer"]]
        df["predicted_ms"] = [float(pred.get(n, 0.0)) for n in df["layer"]]
        df["bound"] = [bound.get(n, "") for n in df["layer"]]
        df["launch_bound"] = [bool(launch.get(n, False)) for n in df["layer"]]
        df["l2"] = df.attrs["l2"]
        peak = pk.flops_per_s("float32")
        df["achieved_tflops"] = df["flops"] / (df["median_ms"] / 1e3) / 1e12
        df["pct_of_peak"] = 100 * df["achieved_tflops"] * 1e12 / peak
        layer_frames.append(df)
        overheads.append(
            {
                "model": name,
                "batch": b,
                **{
                    k: df.attrs[k]
                    for k in (
                        "forward_ms",
                        "forward_hooked_ms",
                        "overhead_ms_per_call",
                        "method",
                        "l2",
                    )
                },
            }
        )
        bar.step(f"layers {name}")
    layers = pd.concat(layer_frames, ignore_index=True) if layer_frames else pd.DataFrame()

    crow = []
    cb = batches[-1]
    for cname in comps:
        c = compare.compare(cname)
        for v in c.variants:
            t = timing.time_model(
                _real_copy(v), v.input_size, cb, "float32", device, min_run_time=min_rt
            )
            crow.append(
                {
                    "comparison": cname,
                    "variant": v.name,
                    "group": v.group,
                    "batch": cb,
                    "macs_batch1": v.cost.macs,
                    "params": v.cost.params,
                    "median_ms": t["median_ms"],
                    "iqr_ms": t["iqr_ms"],
                    "mac_ratio_vs_first": float(c.ratio(v, "macs")),
                }
            )
        bar.step(f"compare {cname}")
    comp = pd.DataFrame(crow)
    if len(comp):
        comp["measured_speedup_vs_first"] = [
            float(
                comp[(comp["comparison"] == r.comparison) & (comp["group"] == r.group)][
                    "median_ms"
                ].iloc[0]
            )
            / r.median_ms
            for r in comp.itertuples()
        ]

    mem_models = ["resnet50", "vgg16", "mobilenet_v2", "densenet121"] if cuda else ["resnet18"]
    mem = pd.DataFrame(
        [
            timing.peak_memory(m, b, "float32", device)
            for m in mem_models
            if m in zoo.names()
            for b in batches
        ]
    )
    bar.step("memory")
    elapsed = bar.close()

    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "timing.csv", whole.to_csv(index=False))
    atomic_write(folder / "layers.csv", layers.to_csv(index=False))
    atomic_write(folder / "layer_overhead.csv", pd.DataFrame(overheads).to_csv(index=False))
    atomic_write(folder / "comparisons.csv", comp.to_csv(index=False))
    atomic_write(folder / "memory.csv", mem.to_csv(index=False))
    atomic_write(
        folder / "peaks.json",
        json.dumps({**pk.to_dict(), "environment": env}, indent=1, default=str),
    )
    stats = _figures(folder, whole, comp)
    atomic_write(
        folder / "summary.md",
        _summary(folder, pk, env, whole, layers, overheads, comp, mem, stats, elapsed),
    )
    return folder


def _real_copy(v: compare.Variant) -> torch.nn.Module:
    """A real-weights twin of a comparison variant (the variant itself lives on meta)."""
    import copy

    m = copy.deepcopy(v.module)
    return m.to_empty(device="cpu").apply(_init)


def _init(m: torch.nn.Module) -> None:
    if hasattr(m, "reset_parameters"):
        m.reset_parameters()


def _figures(folder: Path, whole: pd.DataFrame, comp: pd.DataFrame) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    if not len(whole):
        return stats
    fig = plots.CostFigure(figsize=(plots.WIDTH_IN, 6.5), dpi=plots.DPI)
    ax = fig.subplots()
    for (dtype, b), g in whole.groupby(["dtype", "batch"]):
        rho = timing.spearman(list(g["predicted_ms"]), list(g["median_ms"]))
        mape = timing.median_abs_pct_error(list(g["predicted_ms"]), list(g["median_ms"]))
        stats[f"{dtype} batch {b}"] = {
            "spearman_rho": rho,
            "median_abs_pct_error": mape,
            "n": len(g),
        }
        ax.scatter(
            g["predicted_ms"],
            g["median_ms"],
            s=25,
            label=f"{dtype}, batch {b}: rho={rho:.3f}, median |err|={mape:.0f}%",
        )
    lo = min(whole["predicted_ms"].min(), whole["median_ms"].min()) * 0.8
    hi = max(whole["predicted_ms"].max(), whole["median_ms"].max()) * 1.25
    ax.plot([lo, hi], [lo, hi], color="grey", ls="--", lw=1, label="measured = predicted")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("predicted latency (ms): per-op roofline + launch floor (log)")
    ax.set_ylabel("measured latency (ms, median; log)")
    ax.set_title("Predicted against measured whole-model latency")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    plots.save(fig, folder / "measured_vs_predicted.png")
    plots.save(
        plots.time_figure(whole, "Measured latency against MACs"), folder / "latency_vs_macs.png"
    )
    fig = plots.CostFigure(figsize=(plots.WIDTH_IN, 6), dpi=plots.DPI)
    ax = fig.subplots()
    for (model, dtype), g in whole.groupby(["model", "dtype"]):
        if model in ("resnet50", "mobilenet_v2", "vgg16", "alexnet", "resnet18", "efficientnet_b0"):
            g = g.sort_values("batch")
            ax.plot(g["batch"], g["median_ms"] / g["batch"], "o-", label=f"{model} {dtype}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("measured latency per image (ms; log)")
    ax.set_title("Latency per image against batch size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    plots.save(fig, folder / "latency_vs_batch.png")
    if len(comp):
        fig = plots.CostFigure(figsize=(plots.WIDTH_IN, 6), dpi=plots.DPI)
        ax = fig.subplots()
        sub = comp[comp["mac_ratio_vs_first"] != 1.0]
        labels = [f"{r.comparison}: {r.variant}" for r in sub.itertuples()]
        y = range(len(sub))
        ax.barh(
            [i + 0.2 for i in y],
            1 / sub["mac_ratio_vs_first"],
            height=0.4,
            label="MAC saving (x fewer MACs)",
        )
        ax.barh(
            [i - 0.2 for i in y],
            sub["measured_speedup_vs_first"],
            height=0.4,
            label="measured speedup (x faster)",
        )
        ax.set_yticks(list(y))
        ax.set_yticklabels(labels, fontsize=7)
        ax.set_xscale("log")
        ax.axvline(1, color="grey", lw=1)
        ax.set_xlabel("factor against the first variant (log)")
        ax.set_title("What the arithmetic promises against what the device delivers")
        ax.legend(fontsize=8)
        fig.tight_layout()
        plots.save(fig, folder / "comparisons_speedup.png")
    return stats


def _md_table(df: pd.DataFrame) -> str:
    return render_frame(df, "markdown", floatfmt=".3g").rstrip("\n")


def _summary(
    folder: Path,
    pk: timing.Peaks,
    env: dict,
    whole: pd.DataFrame,
    layers: pd.DataFrame,
    overheads: list,
    comp: pd.DataFrame,
    mem: pd.DataFrame,
    stats: dict,
    elapsed: float,
) -> str:
    dev = env.get("gpu", env.get("cpu", "cpu"))
    lines = [
        f"# Predicted cost against measured time: {dev}",
        "",
        f"Generated by `cnncost validate --device {env['device']}` in {elapsed:.0f} s. torch "
        f"{env['torch']}"
        + (
            f", CUDA {env.get('cuda')}, cuDNN {env.get('cudnn')}, driver {env.get('driver')}"
            if "gpu" in env
            else f", {env['cpu_threads']} CPU threads"
        )
        + ". "
        + (
            "cudnn.benchmark on (re-warmed per shape); TF32 off (fp32 means fp32); no AMP: "
            "bf16 runs are a bf16 model and input. "
            if "gpu" in env
            else ""
        )
        + "Latency: median of repeated synchronised calls after warm-up (IQR and count in "
        "timing.csv).",
        "",
        "## Peaks (measured)",
        "",
        "| what | measured | datasheet |",
        "|---|---:|---:|",
    ]
    sheet = pk.datasheet or {}
    for k, v in pk.matmul_tflops.items():
        lines.append(
            f"| dense matmul {k} (n={pk.sizes['matmul_n']}) | {v:.1f} TFLOP/s | "
            f"{sheet.get(k, '-')} |"
        )
    lines.append(
        f"| memory bandwidth (copy) | {pk.bandwidth_gbs:.0f} GB/s | {sheet.get('bandwidth', '-')} |"
    )
    lines.append(f"| launch floor (tiny add_) | {pk.launch_us:.1f} us | - |")
    if pk.datasheet_name:
        lines += [
            "",
            f"Datasheet: {pk.datasheet_name}, {sheet.get('source')}; dense tensor-core "
            "figures (the 'with sparsity' figures are twice these). Not measured.",
        ]
    lines += [
        "",
        "## Whole-model latency: predicted against measured",
        "",
        "Prediction: for every op of the trace, max(FLOPs / measured matmul peak of the "
        "dtype, bytes / measured bandwidth) + the launch floor, summed.",
        "",
        "| dtype, batch | models | Spearman rho | median abs. % error |",
        "|---|---:|---:|---:|",
    ]
    for k, s in stats.items():
        lines.append(
            f"| {k} | {s['n']} | {s['spearman_rho']:.3f} | {s['median_abs_pct_error']:.1f}% |"
        )
    lines += [
        "",
        "![measured against predicted](measured_vs_predicted.png)",
        "",
        "![latency against MACs](latency_vs_macs.png)",
        "",
        "![latency against batch](latency_vs_batch.png)",
        "",
    ]
    if len(whole):
        show = whole[
            [
                "model",
                "batch",
                "dtype",
                "median_ms",
                "iqr_ms",
                "count",
                "predicted_ms",
                "images_per_s",
                "macs",
            ]
        ].copy()
        show["achieved TFLOP/s"] = 2 * show["macs"] / (show["median_ms"] / 1e3) / 1e12
        show["% of matmul peak"] = [
            100 * t * 1e12 / pk.flops_per_s(d) for t, d in zip(show["achieved TFLOP/s"],
                                                                show["dtype"], strict=True)
        ]  # fmt: skip
        lines += [
            "<details><summary>every measurement</summary>",
            "",
            _md_table(show),
            "",
            "</details>",
            "",
        ]
    if len(layers):
        lines += ["## Per layer: where prediction and measurement part", ""]
        for o in overheads:
            lines.append(
                f"- {o['model']} (batch {o['batch']}, {o['l2']} L2): forward "
                f"{o['forward_ms']:.3f} ms, with timing hooks {o['forward_hooked_ms']:.3f} "
                f"ms; method: {o['method']}; overhead {o['overhead_ms_per_call']:.4f} "
                "ms per timed call."
            )
        lay = layers[layers["predicted_ms"] > 0].copy()
        lay["measured/predicted"] = lay["median_ms"] / lay["predicted_ms"]
        worst = lay.sort_values("measured/predicted", ascending=False).head(12)
        lines += [
            "",
            "Layers furthest below the roofline (measured / predicted time):",
            "",
            _md_table(
                worst[
                    [
                        "model",
                        "layer",
                        "kind",
                        "macs",
                        "median_ms",
                        "predicted_ms",
                        "measured/predicted",
                        "achieved_tflops",
                        "pct_of_peak",
                        "bound",
                        "launch_bound",
                    ]
                ]
            ),
            "",
        ]
        lines += [_layer_findings(lay), ""]
    if len(comp):
        lines += [
            "## Design comparisons: MAC ratio against measured speedup",
            "",
            _md_table(
                comp[
                    [
                        "comparison",
                        "variant",
                        "batch",
                        "median_ms",
                        "mac_ratio_vs_first",
                        "measured_speedup_vs_first",
                    ]
                ]
            ),
            "",
            "![comparisons](comparisons_speedup.png)",
            "",
        ]
        for r in comp[comp["mac_ratio_vs_first"] != 1.0].itertuples():
            base = comp[(comp["comparison"] == r.comparison) & (comp["group"] == r.group)]
            lines.append(
                f"- {r.comparison}: {r.variant} has {r.mac_ratio_vs_first:.3g}x the MACs of "
                f"{base['variant'].iloc[0]} and takes {1 / r.measured_speedup_vs_first:.3g}x its "
                f"measured time (batch {r.batch})."
            )
        lines.append("")
    if len(mem):
        m = mem.copy()
        m["predicted"] = [fmt_bytes(v) for v in m["predicted_peak_bytes"]]
        m["measured"] = [
            "-" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt_bytes(v)
            for v in m["measured_peak_bytes"]
        ]
        lines += [
            "## Peak memory of one inference",
            "",
            "Predicted: weights + peak of live activations from tensor lifetimes in the "
            "trace. Measured: torch.cuda.max_memory_allocated around one forward after a "
            "warm-up (includes cuDNN workspaces).",
            "",
            _md_table(m[["model", "batch", "dtype", "predicted", "measured"]]),
            "",
        ]
    lines += [
        "Files: timing.csv, layers.csv, layer_overhead.csv, comparisons.csv, memory.csv, "
        "peaks.json.",
        "",
    ]
    return "\n".join(lines)


def _layer_findings(lay: pd.DataFrame) -> str:
    """A few sentences computed from the per-layer table, not assumed."""
    out = []
    launch = lay[lay["launch_bound"]]
    if len(launch):
        out.append(
            f"- {len(launch)} of {len(lay)} timed layers are predicted launch-bound "
            f"(their roofline time is below the launch floor); their median "
            f"measured/predicted ratio is {launch['measured/predicted'].median():.1f}."
        )
    dw = lay[lay["layer"].str.contains("conv") & (lay["kind"] == "Conv2d")]
    if len(dw):
        out.append(
            f"- Conv layers: median measured/predicted {dw['measured/predicted'].median():.1f}"
            f" (interquartile {dw['measured/predicted'].quantile(0.25):.1f} - "
            f"{dw['measured/predicted'].quantile(0.75):.1f})."
        )
    mb = lay[lay["bound"] == "memory"]
    if len(mb):
        out.append(
            f"- Memory-bound layers (BN, activations, pools, depthwise convs): median "
            f"measured/predicted {mb['measured/predicted'].median():.1f}."
        )
    return "\n".join(out)
