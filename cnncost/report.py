"""ModelCost -> views (pandas DataFrames of raw numbers) -> text / markdown / csv / json.

Views are pure functions of a ModelCost; formatting is a separate, pure step.

* ``lecture_view``: the lecture's table. One row per conv, pool and linear op (named by the
  module that issued it), with element-wise work (activations, batch norm, adds) folded into
  the row before it. Columns as in the lecture: memory (KB), params, flop (M).
* ``depth_view``: rows rolled up to module depth N (one row per Inception module, residual
  block or stage); deeper rows' costs are summed into their depth-N ancestor.
* ``all_view``: every module call with its own (self) costs.

Every view's rows sum to the model's totals for MACs, FLOPs and params.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
from tabulate import tabulate

from .costs import LayerCost, ModelCost, OpCost
from .units import fmt_bytes, fmt_count, fmt_shape

PRIMARY = ("conv", "matmul", "pool")
COLUMNS = [
    "name", "kind", "depth", "input_shape", "kernel", "stride", "padding", "output_shape",
    "memory_bytes", "params", "macs", "flops", "lecture_flops",
]  # fmt: skip

FORMATS = ("text", "markdown", "csv", "json")


def _is_primary(op: OpCost) -> bool:
    return op.category in PRIMARY or (op.category == "reduce" and op.lecture_flops > 0)


def _short(op: str) -> str:
    return op.removeprefix("aten.").split(".")[0]


def lecture_view(cost: ModelCost) -> pd.DataFrame:
    """The lecture's layer table: one row per conv/pool/linear op, element-wise work folded into
    the row before it. Ops before the first such op form an ``(input)`` row."""
    rows: list[dict[str, Any]] = []
    display_of_seq: dict[int, int] = {}
    used_names: dict[str, int] = {}
    current: dict[str, Any] | None = None
    for row, op in cost.ops():
        if _is_primary(op):
            base = row.name if row.is_leaf else f"{row.name}/{_short(op.op)}"
            used_names[base] = used_names.get(base, 0) + 1
            name = base if used_names[base] == 1 else f"{base}:{used_names[base]}"
            current = {
                "name": name,
                "kind": row.kind if row.is_leaf else _short(op.op),
                "depth": row.depth,
                "input_shape": _strip(op.input_shape),
                "kernel": op.kernel,
                "stride": op.stride,
                "padding": op.padding,
                "output_shape": _strip(op.output_shape),
                "memory_bytes": op.output_bytes,
                "params": 0,
                "macs": 0,
                "flops": 0,
                "lecture_flops": 0,
            }
            rows.append(current)
        elif current is None:
            current = {c: None for c in COLUMNS} | {
                "name": "(input)", "kind": "", "depth": 0, "memory_bytes": 0, "params": 0,
                "macs": 0, "flops": 0, "lecture_flops": 0,
            }  # fmt: skip
            rows.append(current)
        current["macs"] += op.macs
        current["flops"] += op.flops
        current["lecture_flops"] += op.lecture_flops
        display_of_seq[op.seq] = len(rows) - 1
    # a module's parameters go to the display row of its first primary op, else its first op
    for r in cost.rows:
        if not r.params:
            continue
        target = next((o.seq for o in r.ops if _is_primary(o)), None)
        if target is None and r.ops:
            target = r.ops[0].seq
        if target is None:
            target = max((s for s in display_of_seq if s < r.index), default=None)
        if target is None or target not in display_of_seq:
            idx = 0 if rows else None
        else:
            idx = display_of_seq[target]
        if idx is None:
            rows.append({c: None for c in COLUMNS} | {"name": r.name, "kind": r.kind,
                        "depth": r.depth, "memory_bytes": 0, "params": 0, "macs": 0,
                        "flops": 0, "lecture_flops": 0})  # fmt: skip
            idx = len(rows) - 1
        rows[idx]["params"] += r.params
    return _frame(rows)


def depth_view(cost: ModelCost, depth: int) -> pd.DataFrame:
    """Rows rolled up to call depth ``depth`` (0 = the whole model in one row)."""
    by_name = {r.name: r for r in cost.rows}

    def ancestor(r: LayerCost) -> LayerCost:
        while r.depth > depth and r.parent in by_name:
            r = by_name[r.parent]
        return r

    groups: dict[str, list[LayerCost]] = {}
    for r in cost.rows:
        groups.setdefault(ancestor(r).name, []).append(r)
    rows = []
    for r in cost.rows:
        if r.name not in groups:
            continue
        members = groups[r.name]
        above_cut = r.depth < depth and not r.is_leaf  # shows only what it issued itself
        busy = any(o.flops or o.bytes_written or not o.supported for o in r.ops)
        if above_cut and not (r.params or busy):
            continue
        rows.append(
            {
                "name": f"{r.name} (self)" if above_cut else r.name,
                "kind": r.kind,
                "depth": r.depth,
                "input_shape": _strip(r.input_shape),
                "kernel": None,
                "stride": None,
                "padding": None,
                "output_shape": _strip(r.output_shape),
                "memory_bytes": sum(m.memory_bytes for m in members),
                "params": sum(m.params for m in members),
                "macs": sum(m.macs for m in members),
                "flops": sum(m.flops for m in members),
                "lecture_flops": sum(m.lecture_flops for m in members),
            }
        )
    return _frame(rows)


def all_view(cost: ModelCost) -> pd.DataFrame:
    """Every module call with its own costs (what it issued outside its children)."""
    rows = []
    for r in cost.rows:
        k = next((o for o in r.ops if o.kernel is not None), None)
        rows.append(
            {
                "name": r.name,
                "kind": r.kind,
                "depth": r.depth,
                "input_shape": _strip(r.input_shape),
                "kernel": k.kernel if k else None,
                "stride": k.stride if k else None,
                "padding": k.padding if k else None,
                "output_shape": _strip(r.output_shape),
                "memory_bytes": r.memory_bytes,
                "params": r.params,
                "macs": r.macs,
                "flops": r.flops,
                "lecture_flops": r.lecture_flops,
            }
        )
    return _frame(rows)


def view(cost: ModelCost, depth: int | None = None, all_rows: bool = False) -> pd.DataFrame:
    if all_rows:
        return all_view(cost)
    if depth is not None:
        return depth_view(cost, depth)
    return lecture_view(cost)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("memory_bytes", "params", "macs", "flops", "lecture_flops", "depth"):
        df[c] = df[c].fillna(0).astype("int64")
    return df


def _strip(shape: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """Shapes in views drop the batch dimension (the header states the batch)."""
    return None if shape is None else tuple(shape[1:]) if len(shape) > 1 else tuple(shape)


# ---------------------------------------------------------------- rendering


def _kb(nbytes: int) -> str:
    kb = nbytes / 1024
    if kb == int(kb):
        return f"{kb:,.0f}"
    return f"{kb:,.1f}" if kb >= 1 else f"{kb:.2f}"


def _mflop(n: int) -> str:
    return f"{n / 1e6:,.0f}" if n >= 5e5 or n == 0 else f"{n / 1e6:.2f}"


def _hw(v: tuple[int, ...] | None) -> str:
    if v is None:
        return ""
    return str(v[0]) if len(set(v)) == 1 else "x".join(map(str, v))


def display_frame(df: pd.DataFrame, lecture: bool, indent: bool = False) -> pd.DataFrame:
    """Human-readable columns (strings with thousands separators) for text and markdown."""
    out = pd.DataFrame()
    names = df["name"]
    if indent:
        names = ["  " * max(d - 1, 0) + n for n, d in zip(df["name"], df["depth"], strict=True)]
    out["layer"] = list(names)
    out["kind"] = df["kind"]
    out["input C/H/W"] = [fmt_shape(s) for s in df["input_shape"]]
    if lecture:
        out["kernel"] = [_hw(k) for k in df["kernel"]]
        out["stride"] = [_hw(s) for s in df["stride"]]
        out["pad"] = [_hw(p) for p in df["padding"]]
    out["output C/H/W"] = [fmt_shape(s) for s in df["output_shape"]]
    out["memory (KB)"] = [_kb(b) for b in df["memory_bytes"]]
    out["params"] = [f"{p:,}" for p in df["params"]]
    out["MACs"] = [f"{m:,}" for m in df["macs"]]
    out["FLOPs"] = [f"{f:,}" for f in df["flops"]]
    if lecture:
        out["flop (M)"] = [_mflop(f) for f in df["lecture_flops"]]
    return out


def footer(cost: ModelCost, lecture: bool, df: pd.DataFrame) -> list[str]:
    t = cost.totals
    lines = [
        f"Totals: {t['params']:,} params ({fmt_count(t['params'])}), "
        f"{t['macs']:,} MACs ({fmt_count(t['macs'])}), {t['flops']:,} FLOPs "
        f"({fmt_count(t['flops'])}), activations {fmt_bytes(t['memory_bytes'])} "
        f"(all module outputs, batch {cost.batch}, {cost.dtype}).",
        "Units: MACs = multiply-accumulates of conv/linear/matmul, bias excluded (torchvision's "
        "'GFLOPS'); FLOPs = 2 x MACs + bias adds + element-wise work (README 'Counting rules'); "
        "memory (KB) = output activation bytes / 1024.",
    ]
    if lecture:
        lines.append(
            "flop (M) = the lecture's column: MACs for conv/linear, kernel area x output "
            "elements for pooling; element-wise layers are folded into the row before them."
        )
    for name, p in cost.uncalled:
        lines.append(f"Not called in this forward (params counted in the total): {name}, {p:,}.")
    if cost.unsupported:
        lines.append("Unsupported ops (no formula; counted as zero, not silently):")
        for u in cost.unsupported:
            where = ", ".join(u.where[:5]) + (" ..." if len(u.where) > 5 else "")
            lines.append(f"  {u.op} x{u.count} in {where}")
    else:
        lines.append("Unsupported ops: none (every op was counted).")
    return lines


def render(
    cost: ModelCost,
    fmt: str = "text",
    depth: int | None = None,
    all_rows: bool = False,
    extra: pd.DataFrame | None = None,
) -> str:
    """The table of ``cnncost table`` in one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    lecture = depth is None and not all_rows
    df = view(cost, depth, all_rows)
    if fmt == "json":
        d = cost.to_dict()
        d["view"] = {
            "kind": "lecture" if lecture else ("all" if all_rows else f"depth {depth}"),
            "rows": json.loads(df.to_json(orient="records")),
        }
        if extra is not None:
            d["crosscheck"] = json.loads(extra.to_json(orient="records"))
        return json.dumps(d, indent=1)
    if fmt == "csv":
        raw = df.copy()
        for c in ("input_shape", "kernel", "stride", "padding", "output_shape"):
            raw[c] = [fmt_shape(s) for s in raw[c]]
        return raw.to_csv(index=False)
    disp = display_frame(df, lecture, indent=all_rows or depth is not None)
    total = {c: "" for c in disp.columns}
    total["layer"] = "total"
    total["memory (KB)"] = _kb(int(df["memory_bytes"].sum()))
    total["params"] = f"{int(df['params'].sum()) + sum(p for _, p in cost.uncalled):,}"
    total["MACs"] = f"{int(df['macs'].sum()):,}"
    total["FLOPs"] = f"{int(df['flops'].sum()):,}"
    if lecture:
        total["flop (M)"] = _mflop(int(df["lecture_flops"].sum()))
    disp = pd.concat([disp, pd.DataFrame([total])], ignore_index=True)
    tablefmt = "github" if fmt == "markdown" else "simple"
    numeric = {"memory (KB)", "params", "MACs", "FLOPs", "flop (M)", "stride", "pad", "kernel"}
    align = ["right" if c in numeric else "left" for c in disp.columns]
    head = (
        f"{cost.model}: input {fmt_shape(cost.input_shape)} (batch {cost.batch}), "
        f"{cost.dtype}, traced on {cost.device}"
    )
    body = tabulate(disp, headers="keys", tablefmt=tablefmt, showindex=False, colalign=align,
                    disable_numparse=True)  # fmt: skip
    lines = footer(cost, lecture, df)
    if extra is not None:
        body += "\n\nCross-check against fvcore:\n" + tabulate(
            extra, headers="keys", tablefmt=tablefmt, showindex=False, disable_numparse=True
        )
    if fmt == "markdown":
        return f"**{head}**\n\n{body}\n\n" + "\n".join(f"- {x}" for x in lines) + "\n"
    return f"{head}\n\n{body}\n\n" + "\n".join(lines) + "\n"


def sums_match(cost: ModelCost, df: pd.DataFrame) -> bool:
    """Whether a view's rows add up to the model's totals (MACs, FLOPs, params)."""
    t = cost.totals
    uncalled = sum(p for _, p in cost.uncalled)
    return (
        int(df["macs"].sum()) == t["macs"]
        and int(df["flops"].sum()) == t["flops"]
        and int(df["params"].sum()) + uncalled == t["params"]
        and math.isfinite(float(df["memory_bytes"].sum()))
    )


def render_list(rows: list[dict[str, Any]], fmt: str = "text") -> str:
    """``cnncost list``: zoo models with description, default input, params and MACs."""
    if fmt == "json":
        return json.dumps(rows, indent=1)
    df = pd.DataFrame(rows)
    if fmt == "csv":
        return df.to_csv(index=False)
    disp = pd.DataFrame(
        {
            "model": df["name"],
            "input": df["input"],
            "params": [f"{p:,}" for p in df["params"]],
            "MACs": [fmt_count(m) for m in df["macs"]],
            "description": df["description"],
        }
    )
    tablefmt = "github" if fmt == "markdown" else "simple"
    return (
        tabulate(disp, headers="keys", tablefmt=tablefmt, showindex=False,
                 colalign=("left", "left", "right", "right", "left"), disable_numparse=True)
        + "\n\nMACs: multiply-accumulates at the default input, batch 1 (computed by tracing).\n"
    )  # fmt: skip


def render_audit(result: Any, fmt: str = "text", depth: int | None = None) -> str:
    """``cnncost audit``: the layer table, hot spots, unsupported ops and the budget verdict."""
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=1)
    if fmt == "csv":
        rows = [
            {"budget": c.name, "limit": c.limit, "actual": c.actual, "headroom": c.headroom,
             "ok": c.ok}
            for c in result.checks
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=["budget", "limit", "actual", "headroom", "ok"]).to_csv(
            index=False
        )
    md = fmt == "markdown"
    tablefmt = "github" if md else "simple"
    out = [render(result.cost, fmt, depth=depth)]
    for key, label in (("macs", "MACs"), ("memory_bytes", "activation memory")):
        spots = result.hotspots(key)
        if spots:
            out.append(("### " if md else "") + f"Hot spots by {label}")
            out.append(
                tabulate(
                    [[h.name, h.kind, f"{h.value:,}", f"{100 * h.share:.1f}%"] for h in spots],
                    headers=["layer", "kind", label, "share"],
                    tablefmt=tablefmt,
                    colalign=("left", "left", "right", "right"),
                    disable_numparse=True,
                )
            )
    if result.baseline is not None:
        out.append(("### " if md else "") + f"Against the baseline {result.baseline.model}")
        out.append(
            tabulate(
                [
                    [d["stage"], f"{d['params_diff']:+,}", f"{d['macs_diff']:+,}",
                     f"{d['macs']:,}", f"{d['macs_baseline']:,}"]
                    for d in result.baseline_diff()
                ],
                headers=["stage", "params diff", "MACs diff", "MACs", "baseline MACs"],
                tablefmt=tablefmt,
                colalign=("left", "right", "right", "right", "right"),
                disable_numparse=True,
            )
        )  # fmt: skip
    if result.checks:
        out.append(("### " if md else "") + "Budget")
        out.append(
            tabulate(
                [
                    [c.name, c.fmt(c.limit), c.fmt(c.actual), c.fmt(c.headroom),
                     f"{100 * c.used:.1f}%", "ok" if c.ok else "OVER"]
                    for c in result.checks
                ],
                headers=["budget", "limit", "actual", "headroom", "used", "verdict"],
                tablefmt=tablefmt,
                colalign=("left", "right", "right", "right", "right", "left"),
                disable_numparse=True,
            )
        )  # fmt: skip
    for note in result.notes:
        out.append(f"Note: {note}.")
    out.append(("**" if md else "") + ("WITHIN BUDGET" if result.ok else "OVER BUDGET") +
               ("**" if md else "") + ": " + result.message())  # fmt: skip
    return "\n\n".join(out) + "\n"


def render_comparison(cmp: Any, fmt: str = "text", timing: pd.DataFrame | None = None) -> str:
    """A design comparison: totals per variant, closed form beside traced value, ratios.
    ``timing`` (variant, median_ms) adds measured latency and speedup when given."""
    if fmt == "json":
        d = cmp.to_dict()
        if timing is not None:
            d["timing"] = json.loads(timing.to_json(orient="records"))
        return json.dumps(d, indent=1)
    df = cmp.to_frame()
    if fmt == "csv":
        return df.to_csv(index=False)
    md = fmt == "markdown"
    tablefmt = "github" if md else "simple"
    rows = []
    for v in cmp.variants:
        base = cmp.baseline_of(v)
        r = cmp.ratio(v)
        rows.append([
            v.name, f"{v.cost.params:,}", f"{v.cost.macs:,}", f"{v.cost.flops:,}",
            fmt_bytes(v.cost.memory_bytes), "" if v.receptive_field is None else
            f"{v.receptive_field}x{v.receptive_field}",
            "1" if v is base else f"{float(r):.4g} ({r.numerator}/{r.denominator})"
            if r.denominator < 10**6 else f"{float(r):.4g}",
        ])  # fmt: skip
    headers = ["variant", "params", "MACs", "FLOPs", "activations", "receptive field",
               f"{'MACs' if cmp.metric == 'macs' else 'params'} ratio"]  # fmt: skip
    if timing is not None:
        t = timing.set_index("variant")
        headers += ["measured ms", "measured speedup"]
        for row, v in zip(rows, cmp.variants, strict=True):
            base = cmp.baseline_of(v)
            if v.name in t.index and base.name in t.index:
                ms, bms = float(t.loc[v.name, "median_ms"]), float(t.loc[base.name, "median_ms"])
                row += [f"{ms:.3f}", f"{bms / ms:.2f}x"]
            else:
                row += ["", ""]
    out = [
        ("## " if md else "") + f"{cmp.title}",
        cmp.question,
        tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True,
                 colalign=("left",) + ("right",) * (len(headers) - 1)),
    ]  # fmt: skip
    frows = [
        [v.name, f.metric, f.text, f"{f.value:,}", f"{v.traced(f.metric):,}",
         "yes" if f.value == v.traced(f.metric) else "NO"]
        for v in cmp.variants for f in v.formulas
    ]  # fmt: skip
    if frows:
        out.append(("### " if md else "") + "Closed form against the trace")
        out.append(tabulate(frows, headers=["variant", "metric", "formula", "formula value",
                                            "traced", "agree"], tablefmt=tablefmt,
                            disable_numparse=True))  # fmt: skip
        out.append(
            "Every closed form equals the traced count exactly."
            if cmp.agree
            else "DISAGREEMENT: a closed form differs from the traced count (see 'agree')."
        )
    for n in cmp.notes:
        out.append(("- " if md else "") + n)
    opts = ", ".join(f"{k}={v}" for k, v in cmp.options.items())
    out.append(
        f"Options: {opts or 'none'}. Units: MACs bias excluded; FLOPs = 2 x MACs + "
        "element-wise work; activations = all module outputs, batch 1, float32."
    )
    return "\n\n".join(out) + "\n"


def render_models(df: pd.DataFrame, fmt: str = "text") -> str:
    """``cnncost compare A B C``: totals with ratios against the first model."""
    if fmt == "json":
        return df.to_json(orient="records", indent=1)
    if fmt == "csv":
        return df.to_csv(index=False)
    first = df["model"].iloc[0]
    disp = pd.DataFrame({
        "model": df["model"], "input": df["input"],
        "params": [f"{v:,}" for v in df["params"]],
        f"params vs {first}": [f"{v:.3f}x" for v in df[f"params vs {first}"]],
        "MACs": [f"{v:,}" for v in df["MACs"]],
        f"MACs vs {first}": [f"{v:.3f}x" for v in df[f"MACs vs {first}"]],
        "FLOPs": [f"{v:,}" for v in df["FLOPs"]],
        "activations": [fmt_bytes(v) for v in df["memory_bytes"]],
        f"act. vs {first}": [f"{v:.3f}x" for v in df[f"memory_bytes vs {first}"]],
    })  # fmt: skip
    tablefmt = "github" if fmt == "markdown" else "simple"
    align = ("left", "left") + ("right",) * 7
    table = tabulate(disp, headers="keys", tablefmt=tablefmt, showindex=False,
                     disable_numparse=True, colalign=align)  # fmt: skip
    return table + "\n"


def render_frame(
    df: pd.DataFrame, fmt: str = "text", title: str = "", floatfmt: str = ".4g"
) -> str:
    """Any result table (timings, peaks) in one of FORMATS."""
    if fmt == "json":
        return df.to_json(orient="records", indent=1)
    if fmt == "csv":
        return df.to_csv(index=False)
    tablefmt = "github" if fmt == "markdown" else "simple"
    body = tabulate(df, headers="keys", tablefmt=tablefmt, showindex=False, floatfmt=floatfmt)
    return (f"{title}\n\n" if title else "") + body + "\n"
