"""``cnncost report --out reports/``: a browsable set of Markdown pages with PNG figures.

Deterministic: the same tree and the same library versions give byte-identical files (no
timestamps; PNGs without version stamps). Pages: an index, a zoo overview, one page per model
(lecture-style table, depth-1 table, per-layer bar chart), one page per comparison, and the
plots (accuracy against operations, accuracy against parameters, memory against batch).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import matplotlib
import pandas as pd
import torch
from tabulate import tabulate

from . import __version__, compare, plots, report, zoo
from .timing import load_comparison_timing
from .trace import analyze
from .units import atomic_write, fmt_bytes, fmt_count

MEMORY_MODEL = "resnet50"


def _progress(items: list, desc: str, enabled: bool) -> Iterable:
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency, but stay usable without it
        return items
    return tqdm(items, desc=desc, file=sys.stderr, leave=False)


def versions() -> str:
    return (f"cnncost {__version__}, torch {torch.__version__.split('+')[0]}, "
            f"matplotlib {matplotlib.__version__}, pandas {pd.__version__}")  # fmt: skip


def generate(out: str | Path, progress: bool = True, models: list[str] | None = None) -> list[Path]:
    """Write every page and figure under ``out``; return the paths written."""
    root = Path(out)
    written: list[Path] = []

    def write(rel: str, data: str | bytes) -> None:
        atomic_write(root / rel, data)
        written.append(root / rel)

    names = models or zoo.names()
    accuracy = plots.accuracy_table().set_index("model")
    overview = []
    for name in _progress(names, "models", progress):
        e = zoo.get(name)
        cost = analyze(zoo.build(name), e.input_size, name=name)
        top1 = accuracy["top1"].get(name)
        overview.append(
            {"model": f"[{name}](models/{name}.md)", "family": e.family,
             "input": "x".join(map(str, e.input_size)), "params": f"{cost.params:,}",
             "MACs": f"{cost.macs:,}", "GMACs": f"{cost.macs / 1e9:.3f}",
             "activations (sum)": fmt_bytes(cost.memory_bytes),
             "predicted peak": fmt_bytes(cost.predicted_peak_bytes),
             "top-1 (%)": "" if top1 is None else f"{top1:g}"}
        )  # fmt: skip
        write(f"models/{name}.md", _model_page(name, cost))
        fig = plots.layers_figure(name, cost=cost)
        fig.set_dpi(100)
        written.append(plots.save(fig, root / "models" / f"{name}.png"))
    write("zoo.md", _zoo_page(overview))
    cmp_links = []
    for name in _progress(list(compare.COMPARISONS), "comparisons", progress):
        c = compare.compare(name)
        measured = load_comparison_timing(name, root)  # saved by `cnncost validate`, if any
        page = report.render_comparison(c, "markdown", timing=measured)
        if measured is not None:
            page += f"\nMeasured latencies: {measured.attrs['where']} (see its summary.md).\n"
        write(f"comparisons/{name}.md", page)
        cmp_links.append(f"- [{c.title}](comparisons/{name}.md): {c.question}")
    for rel, fig in _progress(
        [("plots/accuracy.png", plots.accuracy_figure),
         ("plots/accuracy-params.png", plots.accuracy_params_figure),
         (f"plots/memory-{MEMORY_MODEL}.png", lambda: plots.memory_figure(MEMORY_MODEL))],
        "plots", progress,
    ):  # fmt: skip
        written.append(plots.save(fig(), root / rel))
    write("plots.md", _plots_page())
    write("index.md", _index_page(root, names, cmp_links))
    return written


def _model_page(name: str, cost: object) -> str:
    e = zoo.get(name)
    lines = [
        f"# {name}",
        "",
        f"{e.description}. Source: {e.source}."
        + (f" Same architecture as torchvision's `{e.torchvision}`." if e.torchvision else ""),
        "",
        f"`cnncost table {name}` (input {'x'.join(map(str, e.input_size))}, batch 1, float32):",
        "",
        report.render(cost, "markdown"),  # type: ignore[arg-type]
        "## Rolled up to depth 1 (`--depth 1`)",
        "",
        report.render(cost, "markdown", depth=1).split("\n\n", 1)[1],  # type: ignore[arg-type]
        f"![per-layer MACs, parameters and memory]({name}.png)",
        "",
        "[back to the index](../index.md)",
        "",
    ]
    return "\n".join(lines)


def _zoo_page(rows: list[dict]) -> str:
    table = tabulate(pd.DataFrame(rows), headers="keys", tablefmt="github", showindex=False,
                     disable_numparse=True)  # fmt: skip
    return "\n".join([
        "# The zoo", "",
        "Every model at its default input, batch 1, float32, traced on the meta device. MACs "
        "exclude bias (torchvision's 'GFLOPS'); activations (sum) adds every module output; "
        "predicted peak is weights + the peak of live activations from tensor lifetimes. "
        "Top-1: `cnncost/data/imagenet_accuracy.csv` (published; sources there).", "",
        table, "", "[back to the index](index.md)", "",
    ])  # fmt: skip


def _plots_page() -> str:
    return "\n".join([
        "# Plots", "",
        "## Top-1 accuracy against operations", "",
        "After Canziani, Paszke & Culurciello (2017), drawn from cnncost's traced MACs at the "
        "resolution each accuracy was measured at; bubble area ~ parameters. "
        "(`cnncost plot accuracy --out accuracy.png`)", "",
        "![accuracy against GMACs](plots/accuracy.png)", "",
        "## Top-1 against parameters, and accuracy per parameter", "",
        "![accuracy against parameters](plots/accuracy-params.png)", "",
        f"## Activation memory against batch ({MEMORY_MODEL})", "",
        "The sum of all module outputs grows far faster than what inference actually holds at "
        "once: the predicted peak follows tensor lifetimes.", "",
        f"![memory against batch](plots/memory-{MEMORY_MODEL}.png)", "",
        "[back to the index](index.md)", "",
    ])  # fmt: skip


def _index_page(root: Path, names: list[str], cmp_links: list[str]) -> str:
    model_links = ", ".join(f"[{n}](models/{n}.md)" for n in names)
    cuda = sorted(p.name for p in (root / "cuda").glob("*") if (p / "summary.md").exists())
    cpu = (root / "cpu" / "summary.md").exists()
    return "\n".join([
        "# cnncost reports", "",
        "Generated by `cnncost report --out reports/` "
        f"({versions()}). Regenerating on an unchanged tree gives identical files.", "",
        "- [The zoo: params, MACs, memory and published top-1 of every model](zoo.md)",
        "- [Plots: accuracy against operations and parameters, memory against batch](plots.md)",
        "- [Benchmarks: cnncost against fvcore and torchinfo](benchmarks.md)",
        "- [Tool agreement: cnncost, fvcore, torchinfo, FlopCounterMode](tool-agreement.md)",
        *(f"- [Measured on a GPU: {c}](cuda/{c}/summary.md)" for c in cuda),
        *(["- [Measured on this CPU: predicted cost against time](cpu/summary.md)"] if cpu else []),
        "", "## Design comparisons", "", *cmp_links, "",
        "## Models", "", model_links, "",
        f"Counts: {len(names)} models; units as in the README (MACs bias excluded, FLOPs = "
        f"2 x MACs + element-wise work, {fmt_count(1e9)} = 10^9).", "",
    ])  # fmt: skip
