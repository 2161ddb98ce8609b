"""``cnncost`` command line: parse, call the library, render. Exit codes: 0 ok, 1 the model
failed (or a budget was exceeded), 2 usage or input error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .errors import CnncostError, UsageError
from .units import atomic_write, parse_shape


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one paragraph, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"cnncost: error: {message}. Try 'cnncost {self.prog.split()[-1]} -h'.\n")
        sys.exit(2)


def _common(p: argparse.ArgumentParser, batch: bool = True) -> None:
    p.add_argument("--input", metavar="CxHxW", help="input size, channels first (3x224x224)")
    if batch:
        p.add_argument("--batch", type=int, default=1, metavar="N", help="batch size (1)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    p.add_argument("--arg", action="append", metavar="KEY=VALUE",
                   help="constructor argument, repeatable (width=0.5)")  # fmt: skip
    _output(p)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", default="text", choices=["text", "markdown", "csv", "json"])
    p.add_argument("--out", metavar="PATH", help="write here (atomically) instead of stdout")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="cnncost",
        description="Exact layer-by-layer cost of CNN architectures: params, MACs, FLOPs, memory.",
    )
    ap.add_argument("--version", action="version", version=f"cnncost {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="every zoo model with params and MACs (computed)")
    _output(p)

    p = sub.add_parser("table", help="layer-by-layer cost table of one model")
    p.add_argument("model", help="zoo name, path/file.py:Name, package.module:Name")
    _common(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--depth", type=int, metavar="N", help="roll rows up to module depth N")
    g.add_argument("--all", action="store_true", help="every module call, ReLUs included")
    p.add_argument("--device", default="meta", help="meta (default: nothing allocated) or cpu")
    p.add_argument("--crosscheck", action="store_true", help="add fvcore's counts (optional extra)")

    p = sub.add_parser("compare", help="design comparisons, or totals of several models")
    p.add_argument("names", nargs="+", metavar="NAME",
                   help="a comparison (bottleneck, stacked3x3, depthwise, residual-bottleneck, "
                        "gap-head, googlenet-stem-vs-vgg) or two or more zoo models")  # fmt: skip
    p.add_argument("--channels", type=int, help="channels (stacked3x3, residual-bottleneck)")
    p.add_argument("--size", type=int, help="spatial size H = W")
    p.add_argument("--kernel", type=int, help="kernel size")
    p.add_argument("--cin", type=int, help="input channels")
    p.add_argument("--cout", type=int, help="output channels")
    p.add_argument("--mid", type=int, help="bottleneck channels")
    p.add_argument("--input", metavar="CxHxW", help="input size for model comparisons")
    p.add_argument("--batch", type=int, default=1, metavar="N")
    _output(p)

    p = sub.add_parser("plot", help="figures: accuracy, accuracy-params, memory, layers, time")
    p.add_argument("kind", choices=["accuracy", "accuracy-params", "memory", "layers", "time"])
    p.add_argument("model", nargs="?", help="the model (memory, layers)")
    p.add_argument("--out", metavar="FILE.png|.svg", required=True)
    p.add_argument("--input", metavar="CxHxW")
    p.add_argument("--batches", default="1,2,4,8,16,32,64,128,256", help="memory: batch sizes")
    p.add_argument("--add", action="append", metavar="TARGET",
                   help="accuracy plots: place your design (file.py:Name) on the plot")  # fmt: skip
    p.add_argument("--top1", action="append", type=float, help="its top-1 accuracy (%%)")
    p.add_argument("--label", action="append", help="its label")
    p.add_argument("--arg", action="append", metavar="KEY=VALUE", help="its constructor args")
    p.add_argument("--timing", metavar="CSV", help="time: a timing CSV from cnncost validate")
    p.add_argument("--debug", action="store_true")

    p = sub.add_parser("report", help="generate the Markdown/PNG report pages")
    p.add_argument("--out", default="reports", metavar="DIR", help="folder (reports/)")
    p.add_argument("--models", help="comma-separated subset of the zoo (default: all)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true")

    p = sub.add_parser("time", help="measured latency (and per-layer times) on cpu or cuda")
    p.add_argument("model", help="zoo name, file.py:Name, package.module:Name")
    p.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    p.add_argument("--batch", default="1", help="batch sizes, comma-separated (1,8,64)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    p.add_argument("--input", metavar="CxHxW")
    p.add_argument("--arg", action="append", metavar="KEY=VALUE")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--tf32", action="store_true", help="allow TF32 for float32 (off by default)")
    p.add_argument("--layers", action="store_true", help="per-layer times")
    p.add_argument("--cold-l2", action="store_true", help="flush L2 before each forward (cuda)")
    p.add_argument("--min-time", type=float, default=0.3, help="seconds of timed calls (0.3)")
    _output(p)

    p = sub.add_parser("peaks", help="measured matmul TFLOP/s, bandwidth, launch floor")
    p.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    p.add_argument("--quick", action="store_true")
    _output(p)

    p = sub.add_parser("validate", help="predicted cost against measured time, written to --out")
    p.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    p.add_argument("--out", default=None, metavar="DIR", help="reports/cuda/ or reports/cpu/")
    p.add_argument("--models", help="comma-separated zoo models (default: zoo on cuda)")
    p.add_argument("--batches", help="comma-separated (default 1,64 on cuda; 1,8 on cpu)")
    p.add_argument("--dtypes", help="comma-separated (default float32,bfloat16 on cuda)")
    p.add_argument("--comparisons", help="comma-separated comparisons to time (default: all)")
    p.add_argument("--quick", action="store_true", help="shorter runs (smoke test)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--debug", action="store_true")

    p = sub.add_parser("audit", help="check a design against MACs/FLOPs/params/memory budgets")
    p.add_argument(
        "model", metavar="TARGET", help="file.py:Name, package.module:Name, zoo or torchvision:name"
    )
    _common(p)
    p.add_argument("--depth", type=int, metavar="N", help="roll the table up to depth N")
    p.add_argument("--max-macs", metavar="N", help="limit on MACs (K/M/G suffixes: 1.5G)")
    p.add_argument("--max-flops", metavar="N", help="limit on FLOPs")
    p.add_argument("--max-params", metavar="N", help="limit on parameters (5M)")
    p.add_argument("--max-memory", metavar="BYTES",
                   help="limit on activation memory (200MB, 1.5GiB)")  # fmt: skip
    p.add_argument("--strict", action="store_true", help="any unsupported op fails the audit")
    p.add_argument("--baseline", metavar="MODEL", help="compare totals and stages with this")
    p.add_argument("--device", default="meta", help="meta (default) or cpu")
    p.add_argument("--train", action="store_true", help="analyse in training mode")
    return ap


def emit(text: str, out: str | None) -> None:
    """stdout, or an atomic write to --out (with a note on stderr)."""
    if out:
        atomic_write(out, text)
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def input_size(args: argparse.Namespace, default: Sequence[int] | None) -> tuple[int, ...]:
    if getattr(args, "input", None) is not None:
        shape = parse_shape(args.input)
        if default is not None and len(shape) != len(default):
            form = {1: "C", 2: "CxL", 3: "CxHxW"}.get(len(default), "CxDxHxW")
            raise UsageError(
                f"--input {args.input!r} has {len(shape)} dimension(s) but {args.model!r} takes "
                f"{len(default)}: expected {form} like {'x'.join(map(str, default))}."
            )
        return shape
    if default is None:
        raise UsageError(
            f"{args.model!r} has no default input size: give one with --input CxHxW "
            "(e.g. --input 3x224x224)."
        )
    return tuple(default)


def cmd_table(args: argparse.Namespace) -> int:
    from . import report, targets
    from .trace import analyze

    if args.batch < 1:
        raise UsageError(f"--batch must be at least 1, got {args.batch}.")
    if args.depth is not None and args.depth < 0:
        raise UsageError(f"--depth must be 0 or more, got {args.depth}.")
    kwargs = targets.parse_args(args.arg)
    device = args.device
    target = targets.resolve(args.model, kwargs, device="meta" if device == "meta" else device)
    size = input_size(args, target.input_size)
    cost = analyze(target.model, size, batch=args.batch, dtype=args.dtype, device=device,
                   name=target.name)  # fmt: skip
    extra = None
    if args.crosscheck:
        from . import crosscheck

        real = targets.resolve(args.model, kwargs, device="cpu")
        by_mod, skipped = crosscheck.fvcore_counts(real.model, cost.input_shape)
        extra = crosscheck.compare(cost, by_mod, skipped)
    text = report.render(cost, args.format, depth=args.depth, all_rows=args.all, extra=extra)
    if extra is not None and "note" in extra.attrs and args.format in ("text", "markdown"):
        text += extra.attrs["note"] + "\n"
    emit(text, args.out)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from . import report, zoo

    rows = zoo.summary()
    emit(report.render_list(rows, args.format), args.out)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from . import report, targets
    from .audit import audit
    from .units import parse_bytes, parse_count

    if args.batch < 1:
        raise UsageError(f"--batch must be at least 1, got {args.batch}.")
    limits = {
        "max_macs": parse_count(args.max_macs) if args.max_macs is not None else None,
        "max_flops": parse_count(args.max_flops) if args.max_flops is not None else None,
        "max_params": parse_count(args.max_params) if args.max_params is not None else None,
        "max_memory": parse_bytes(args.max_memory) if args.max_memory is not None else None,
    }
    for key, value in limits.items():
        if value is not None:  # echo back what was understood, unambiguously
            unit = " bytes" if key == "max_memory" else ""
            print(f"{key.replace('_', '-')}: {value:,}{unit}", file=sys.stderr)
    target = targets.resolve(args.model, targets.parse_args(args.arg), device=args.device)
    size = input_size(args, target.input_size)
    baseline = None
    if args.baseline:
        baseline = targets.resolve(args.baseline, {}, device=args.device).model
    result = audit(
        target.model, size, args.batch, args.dtype, args.device, strict=args.strict,
        baseline=baseline, name=target.name, train=args.train, **limits,
    )  # fmt: skip
    emit(report.render_audit(result, args.format, depth=args.depth), args.out)
    if not result.ok:
        print(f"cnncost audit: {result.message()}", file=sys.stderr)
        return 1
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from . import compare, report

    first = args.names[0]
    opts = {k: getattr(args, k) for k in ("channels", "size", "kernel", "cin", "cout", "mid")}
    opts = {k: v for k, v in opts.items() if v is not None}
    if first in compare.COMPARISONS:
        if len(args.names) > 1:
            raise UsageError(f"Comparison {first!r} takes no further names: {args.names[1:]}.")
        cmp = compare.compare(first, **opts)
        emit(report.render_comparison(cmp, args.format, timing=_saved_timing(first)), args.out)
        return 0
    if opts:
        raise UsageError(f"--{', --'.join(opts)} apply to a comparison, not to model names.")
    if len(args.names) < 2:
        compare._spec(first)  # raises with the closest names
    size = parse_shape(args.input) if args.input else None
    df = compare.compare_models(args.names, size, args.batch)
    emit(report.render_models(df, args.format), args.out)
    return 0


def _saved_timing(name: str) -> object:
    """Measured latencies of a comparison's variants, if `cnncost validate` saved them."""
    try:
        from .timing import load_comparison_timing
    except ImportError:  # pragma: no cover
        return None
    return load_comparison_timing(name)


def cmd_plot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import plots, targets
    from .trace import analyze

    if not args.out.lower().endswith((".png", ".svg")):
        raise UsageError(f"--out {args.out!r} must end in .png or .svg.")
    extra = []
    adds = args.add or []
    if adds and args.kind not in ("accuracy", "accuracy-params"):
        raise UsageError("--add places a design on the accuracy plots only.")
    tops, labels = args.top1 or [], args.label or []
    if len(tops) != len(adds):
        raise UsageError("Give one --top1 for each --add (its ImageNet top-1 accuracy, %).")
    for i, target in enumerate(adds):
        if not 0 <= tops[i] <= 100:
            raise UsageError(f"--top1 {tops[i]} must be a percentage between 0 and 100.")
        t = targets.resolve(target, targets.parse_args(args.arg))
        size = parse_shape(args.input) if args.input else (t.input_size or (3, 224, 224))
        c = analyze(t.model, size, name=t.name)
        label = labels[i] if i < len(labels) else t.name
        extra.append(plots.Point(label, c.macs, c.params, tops[i]))
        print(f"{label}: {c.macs:,} MACs, {c.params:,} params at {size}", file=sys.stderr)
    if args.kind == "accuracy":
        fig = plots.accuracy_figure(extra=extra)
    elif args.kind == "accuracy-params":
        fig = plots.accuracy_params_figure(extra=extra)
    elif args.kind in ("memory", "layers"):
        if not args.model:
            raise UsageError(f"'cnncost plot {args.kind}' needs a zoo model name.")
        size = parse_shape(args.input) if args.input else None
        if args.kind == "memory":
            try:
                batches = [int(b) for b in args.batches.split(",")]
            except ValueError:
                raise UsageError(f"--batches {args.batches!r}: expected 1,8,64.") from None
            if not batches or min(batches) < 1:
                raise UsageError("--batches must be positive integers.")
            fig = plots.memory_figure(args.model, batches, size)
        else:
            fig = plots.layers_figure(args.model, size)
    else:
        import pandas as pd

        if not args.timing or not Path(args.timing).exists():
            raise UsageError("'cnncost plot time' needs --timing CSV (from cnncost validate).")
        fig = plots.time_figure(pd.read_csv(args.timing))
    plots.save(fig, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from . import site, zoo

    models = None
    if args.models:
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        for m in models:
            zoo.get(m)  # unknown names exit 2 with the closest ones
    written = site.generate(args.out, progress=not args.quiet, models=models)
    print(f"wrote {len(written)} files under {args.out}", file=sys.stderr)
    return 0


def _has_cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def _ints(text: str, what: str) -> list[int]:
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(
            f"{what} {text!r}: expected comma-separated integers like 1,8,64."
        ) from None
    if not vals or min(vals) < 1:
        raise UsageError(f"{what} {text!r}: expected positive integers.")
    return vals


def cmd_time(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import targets, timing
    from .report import render_frame

    timing.check_device(args.device)
    batches = _ints(args.batch, "--batch")
    target = targets.resolve(args.model, targets.parse_args(args.arg), device="cpu")
    size = input_size(args, target.input_size)
    model = args.model if target.source == "zoo" and not args.arg else target.model
    rows = []
    for b in batches:
        print(f"timing {target.name} batch {b} on {args.device} ...", file=sys.stderr)
        rows.append(timing.time_model(model, size, b, args.dtype, args.device,
                                      channels_last=args.channels_last, tf32=args.tf32,
                                      min_run_time=args.min_time))  # fmt: skip
    df = pd.DataFrame(rows)
    text = render_frame(df[[c for c in df.columns if not c.startswith("env_")]], args.format,
                        title=f"{target.name} on {args.device}")  # fmt: skip
    if args.format in ("text", "markdown"):
        env = {k[4:]: v for k, v in rows[0].items() if k.startswith("env_")}
        text += "Environment: " + ", ".join(f"{k}={v}" for k, v in env.items()) + "\n"
    if args.layers:
        lay = timing.time_layers(model, size, batches[-1], args.dtype, args.device,
                                 cold_l2=args.cold_l2, tf32=args.tf32)  # fmt: skip
        a = lay.attrs
        text += "\n" + render_frame(lay, args.format, title=(
            f"Per-layer times, batch {batches[-1]}, {a['l2']} L2 ({a['method']}; forward "
            f"{a['forward_ms']:.3f} ms, with hooks {a['forward_hooked_ms']:.3f} ms: overhead "
            f"{a['overhead_ms_per_call']:.4f} ms per timed call)"))  # fmt: skip
    emit(text, args.out)
    return 0


def cmd_peaks(args: argparse.Namespace) -> int:
    import json

    import pandas as pd

    from . import timing
    from .report import render_frame

    pk = timing.peaks(args.device, quick=args.quick)
    if args.format == "json":
        emit(json.dumps(pk.to_dict(), indent=1, default=str), args.out)
        return 0
    rows = [
        {
            "what": f"dense matmul {k}",
            "measured": f"{v:.2f} TFLOP/s",
            "datasheet": (pk.datasheet or {}).get(k, ""),
        }
        for k, v in pk.matmul_tflops.items()
    ]
    rows.append(
        {
            "what": "memory bandwidth (copy)",
            "measured": f"{pk.bandwidth_gbs:.1f} GB/s",
            "datasheet": (pk.datasheet or {}).get("bandwidth", ""),
        }
    )
    rows.append({"what": "launch floor", "measured": f"{pk.launch_us:.2f} us", "datasheet": ""})
    text = render_frame(pd.DataFrame(rows), args.format, title=f"Peaks of {pk.name} ({pk.device})")
    sheet = f"Datasheet: {pk.datasheet_name}, {pk.datasheet['source']} (dense figures)." if (
        pk.datasheet) else "No datasheet entry for this device."  # fmt: skip
    if args.format in ("text", "markdown"):
        text += sheet + " Known datasheets: " + ", ".join(timing.DATASHEETS) + ".\n"
    emit(text, args.out)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from . import validate

    out = args.out or ("reports/cuda" if args.device.startswith("cuda") else "reports/cpu")
    folder = validate.validate(
        args.device, out,
        models=[m.strip() for m in args.models.split(",")] if args.models else None,
        batches=_ints(args.batches, "--batches") if args.batches else None,
        dtypes=[d.strip() for d in args.dtypes.split(",")] if args.dtypes else None,
        comparisons=[c.strip() for c in args.comparisons.split(",")] if args.comparisons else None,
        quick=args.quick, progress=not args.quiet,
    )  # fmt: skip
    print(f"wrote {folder}/summary.md and its CSV and PNG files", file=sys.stderr)
    return 0


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "time": cmd_time,
    "peaks": cmd_peaks,
    "validate": cmd_validate,
    "report": cmd_report,
    "plot": cmd_plot,
    "compare": cmd_compare,
    "audit": cmd_audit,
    "table": cmd_table,
    "list": cmd_list,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    debug = getattr(args, "debug", False)
    try:
        return _HANDLERS[args.command](args)
    except CnncostError as exc:
        if debug:
            raise
        print(f"cnncost {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cnncost: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if debug:
            raise
        print(
            f"cnncost {args.command}: unexpected error: {type(exc).__name__}: {exc}. "
            "Run again with --debug for the traceback.",
            file=sys.stderr,
        )
        return 1
