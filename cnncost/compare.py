"""Design comparisons: each variant built as a real module and traced, beside the lecture's
closed-form formula for the same quantity. The two must agree exactly; the comparison says so.

``compare(name, **options) -> Comparison``; ``COMPARISONS`` lists them with their options;
``compare_models([...])`` tables any models' totals with ratios against the first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd
import torch
from torch import nn

from . import zoo
from .costs import ModelCost
from .errors import UsageError
from .trace import analyze


@dataclass(frozen=True)
class Formula:
    """A closed form: its text with symbols, the same with numbers, and its value."""

    metric: str  # "macs" or "params"
    text: str
    value: int


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    cost: ModelCost
    formulas: tuple[Formula, ...] = ()
    group: str = ""  # ratios are taken against the first variant of the same group
    module: nn.Module | None = field(default=None, repr=False, compare=False)
    input_size: tuple[int, ...] = ()

    def traced(self, metric: str) -> int:
        return self.cost.totals[metric]

    @property
    def receptive_field(self) -> int | None:
        """Receptive field (in input pixels, along H) of a plain chain of convs and pools."""
        rf, jump = 1, 1
        seen = False
        for _, op in self.cost.ops():
            if op.kernel is None or op.stride is None or op.category not in ("conv", "pool"):
                continue
            seen = True
            rf += (op.kernel[0] - 1) * jump
            jump *= op.stride[0]
        return rf if seen else None


@dataclass(frozen=True)
class Comparison:
    name: str
    title: str
    question: str
    metric: str  # the headline metric: "macs" or "params"
    variants: tuple[Variant, ...]
    options: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def agree(self) -> bool:
        """Every closed form equals the traced count, exactly."""
        return all(f.value == v.traced(f.metric) for v in self.variants for f in v.formulas)

    def baseline_of(self, v: Variant) -> Variant:
        return next(x for x in self.variants if x.group == v.group)

    def ratio(self, v: Variant, metric: str | None = None) -> Fraction:
        """This variant's count over its group's first variant's count."""
        m = metric or self.metric
        base = self.baseline_of(v).traced(m)
        return Fraction(v.traced(m), base) if base else Fraction(0)

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for v in self.variants:
            base = self.baseline_of(v)
            row = {
                "variant": v.name,
                "params": v.cost.params,
                "MACs": v.cost.macs,
                "FLOPs": v.cost.flops,
                "memory_bytes": v.cost.memory_bytes,
                "receptive_field": v.receptive_field,
            }
            for f in v.formulas:
                row[f"{f.metric} formula"] = f.text
                row[f"{f.metric} formula value"] = f.value
                row[f"{f.metric} traced"] = v.traced(f.metric)
                row[f"{f.metric} agree"] = f.value == v.traced(f.metric)
            row[f"{self.metric} ratio vs {base.name}"] = float(self.ratio(v))
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "comparison": self.name,
            "title": self.title,
            "question": self.question,
            "metric": self.metric,
            "options": self.options,
            "agree": self.agree,
            "variants": [
                {
                    "name": v.name,
                    "description": v.description,
                    "group": v.group,
                    "input_shape": list(v.cost.input_shape),
                    "totals": dict(v.cost.totals),
                    "receptive_field": v.receptive_field,
                    "formulas": [
                        {
                            "metric": f.metric,
                            "formula": f.text,
                            "value": f.value,
                            "traced": v.traced(f.metric),
                            "agree": f.value == v.traced(f.metric),
                        }
                        for f in v.formulas
                    ],
                    "ratio": {
                        "vs": self.baseline_of(v).name,
                        "metric": self.metric,
                        "value": float(self.ratio(v)),
                        "exact": str(self.ratio(v)),
                    },
                }
                for v in self.variants
            ],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    build: Callable[..., Comparison]
    options: dict[str, int]  # option -> default


COMPARISONS: dict[str, Spec] = {}


def _register(name: str, title: str, **options: int) -> Callable:
    def deco(fn: Callable[..., Comparison]) -> Callable[..., Comparison]:
        COMPARISONS[name] = Spec(name, title, fn, options)
        return fn

    return deco


def _variant(name: str, desc: str, module: nn.Module, size: Sequence[int],
             formulas: Sequence[Formula] = (), group: str = "") -> Variant:  # fmt: skip
    cost = analyze(module, tuple(size), name=name)
    return Variant(name, desc, cost, tuple(formulas), group, module, tuple(size))


def _conv(cin: int, cout: int, k: int, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, padding=k // 2, groups=groups, bias=False, device="meta")


def _check(**values: int) -> None:
    for k, v in values.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise UsageError(f"Option {k}={v!r} must be a positive integer.")
        if v > 100_000:
            raise UsageError(f"Option {k}={v} is implausibly large (at most 100,000).")


@_register("bottleneck", "5x5 conv against a 1x1 bottleneck then 5x5 (GoogLeNet)",
           cin=192, cout=32, mid=16, size=28, kernel=5)  # fmt: skip
def bottleneck(cin: int, cout: int, mid: int, size: int, kernel: int) -> Comparison:
    _check(cin=cin, cout=cout, mid=mid, size=size, kernel=kernel)
    if kernel % 2 == 0:
        raise UsageError(f"kernel={kernel} must be odd (same padding keeps HxW).")
    h, k = size, kernel
    direct = _variant(
        f"{k}x{k} conv {cin}->{cout}", "one convolution straight from the module input",
        _conv(cin, cout, k), (cin, h, h),
        [Formula("macs", f"({h}x{h}x{cout}) x ({k}x{k}x{cin})", h * h * cout * k * k * cin),
         Formula("params", f"{k}x{k}x{cin}x{cout}", k * k * cin * cout)],
    )  # fmt: skip
    reduced = _variant(
        f"1x1 {cin}->{mid}, then {k}x{k} {mid}->{cout}", "a 1x1 bottleneck first",
        nn.Sequential(_conv(cin, mid, 1), nn.ReLU(), _conv(mid, cout, k)), (cin, h, h),
        [Formula("macs", f"({h}x{h}x{mid}) x (1x1x{cin}) + ({h}x{h}x{cout}) x ({k}x{k}x{mid})",
                 h * h * mid * cin + h * h * cout * k * k * mid),
         Formula("params", f"{cin}x{mid} + {k}x{k}x{mid}x{cout}", cin * mid + k * k * mid * cout)],
    )  # fmt: skip
    return Comparison(
        "bottleneck", COMPARISONS["bottleneck"].title,
        "Why does GoogLeNet put 1x1 convolutions before its 3x3 and 5x5 ones?", "macs",
        (direct, reduced), dict(cin=cin, cout=cout, mid=mid, size=size, kernel=kernel),
        ("The lecture: (28x28x32) x (5x5x192) = 120M against (28x28x16) x (1x1x192) + "
         "(28x28x32) x (5x5x16) = 12.4M multiply-adds; bias excluded.",),
    )  # fmt: skip


@_register("stacked3x3", "one 7x7 conv against three 3x3 convs (VGG)", channels=64, size=56)
def stacked3x3(channels: int, size: int) -> Comparison:
    _check(channels=channels, size=size)
    c, h = channels, size
    one = _variant(
        "one 7x7", f"a single 7x7 conv, {c} channels in and out", _conv(c, c, 7), (c, h, h),
        [Formula("params", f"49 x {c}^2", 49 * c * c),
         Formula("macs", f"{h}x{h} x 49 x {c}^2", h * h * 49 * c * c)],
    )  # fmt: skip
    three = _variant(
        "three 3x3", "three stacked 3x3 convs with ReLU between (same receptive field)",
        nn.Sequential(_conv(c, c, 3), nn.ReLU(), _conv(c, c, 3), nn.ReLU(), _conv(c, c, 3)),
        (c, h, h),
        [Formula("params", f"27 x {c}^2", 27 * c * c),
         Formula("macs", f"{h}x{h} x 27 x {c}^2", h * h * 27 * c * c)],
    )  # fmt: skip
    return Comparison(
        "stacked3x3", COMPARISONS["stacked3x3"].title,
        "Why does VGG stack 3x3 convolutions instead of using larger kernels?", "params",
        (one, three), dict(channels=channels, size=size),
        ("The lecture: 49K^2 weights against 27K^2 for K channels in and out (bias excluded); "
         "both see a 7x7 window of the input, and the stack adds two non-linearities.",),
    )  # fmt: skip


@_register("depthwise", "standard conv against depthwise-separable (MobileNet)",
           cin=32, cout=64, size=112, kernel=3)  # fmt: skip
def depthwise(cin: int, cout: int, size: int, kernel: int) -> Comparison:
    _check(cin=cin, cout=cout, size=size, kernel=kernel)
    if kernel % 2 == 0:
        raise UsageError(f"kernel={kernel} must be odd (same padding keeps HxW).")
    h, k, m, n = size, kernel, cin, cout
    std = _variant(
        f"standard {k}x{k} conv", f"{m}->{n} channels", _conv(m, n, k), (m, h, h),
        [Formula("macs", f"Dk^2 x M x N x Df^2 = {k}^2 x {m} x {n} x {h}^2", k * k * m * n * h * h),
         Formula("params", f"{k}^2 x {m} x {n}", k * k * m * n)],
        group="layer",
    )  # fmt: skip
    sep = _variant(
        "depthwise + pointwise", f"{k}x{k} depthwise ({m} groups) then 1x1 {m}->{n}",
        nn.Sequential(_conv(m, m, k, groups=m), nn.ReLU(), _conv(m, n, 1)), (m, h, h),
        [Formula("macs", f"Dk^2 x M x Df^2 + M x N x Df^2 = {k}^2x{m}x{h}^2 + {m}x{n}x{h}^2",
                 k * k * m * h * h + m * n * h * h),
         Formula("params", f"{k}^2 x {m} + {m} x {n}", k * k * m + m * n)],
        group="layer",
    )  # fmt: skip
    full = _variant(
        "MobileNet v1, full convolutions", "every dw-separable pair replaced by one 3x3 conv",
        zoo.build("mobilenet_v1", depthwise=False), (3, 224, 224), group="network",
    )  # fmt: skip
    mob = _variant(
        "MobileNet v1", "depthwise-separable (width 1.0, 224x224)",
        zoo.build("mobilenet_v1"), (3, 224, 224), group="network",
    )  # fmt: skip
    ratio = Fraction(sep.traced("macs"), std.traced("macs"))
    paper = Fraction(1, n) + Fraction(1, k * k)
    notes = (
        f"Howard et al.: separable/standard = 1/N + 1/Dk^2 = 1/{n} + 1/{k * k} = {paper} = "
        f"{float(paper):.4f}; traced: {ratio} = {float(ratio):.4f} "
        f"({'equal' if ratio == paper else 'NOT equal'}).",
        "MobileNet v1 (Table 4 of the paper): 4.2M params and 569M mult-adds, against 29.3M "
        "and 4866M with full convolutions. Traced: "
        f"{mob.cost.params:,} / {mob.cost.macs:,} against {full.cost.params:,} / "
        f"{full.cost.macs:,}. The paper's 569M includes the 1,024,000 MACs of the FC layer; "
        "its 4866M does not (4,866,269,184 without it).",
    )
    return Comparison(
        "depthwise", COMPARISONS["depthwise"].title,
        "How much do depthwise-separable convolutions save, per layer and per network?",
        "macs", (std, sep, full, mob), dict(cin=cin, cout=cout, size=size, kernel=kernel), notes,
    )  # fmt: skip


@_register("residual-bottleneck", "ResNet basic block against bottleneck block at equal width",
           channels=256, size=56)  # fmt: skip
def residual_bottleneck(channels: int, size: int) -> Comparison:
    from .zoo.resnet import BasicBlock, Bottleneck

    _check(channels=channels, size=size)
    if channels % 4:
        raise UsageError(f"channels={channels} must be divisible by 4 (the bottleneck width).")
    c, h, w = channels, size, channels // 4
    with zoo.meta_build():
        basic, bottle = BasicBlock(c, c), Bottleneck(c, w)
    basic_w = 2 * 9 * c * c
    bottle_w = c * w + 9 * w * w + w * c
    b = _variant(
        "basic block", f"two 3x3 convs {c}->{c} (+BN, ReLU, identity add)", basic, (c, h, h),
        [Formula("params", f"2 x 9 x {c}^2 + 2 x 2 x {c} (BN)", basic_w + 4 * c),
         Formula("macs", f"{h}x{h} x 2 x 9 x {c}^2", h * h * basic_w)],
    )  # fmt: skip
    k = _variant(
        "bottleneck block", f"1x1 {c}->{w}, 3x3 {w}->{w}, 1x1 {w}->{c} (+BN, ReLU, add)",
        bottle, (c, h, h),
        [Formula("params", f"{c}x{w} + 9x{w}^2 + {w}x{c} + 2 x (2x{w} + {c}) (BN)",
                 bottle_w + 2 * (2 * w + c)),
         Formula("macs", f"{h}x{h} x ({c}x{w} + 9x{w}^2 + {w}x{c})", h * h * bottle_w)],
    )  # fmt: skip
    return Comparison(
        "residual-bottleneck", COMPARISONS["residual-bottleneck"].title,
        "Why do ResNet-50 and deeper use bottleneck blocks?", "macs", (b, k),
        dict(channels=channels, size=size),
        ("Both blocks map CxHxW to CxHxW with an identity shortcut; the bottleneck squeezes to "
         "C/4 channels around its 3x3 conv (He et al. 2016, Fig. 5).",),
    )  # fmt: skip


class _GapHead(nn.Module):
    def __init__(self, features: nn.Module, channels: int, num_classes: int) -> None:
        super().__init__()
        self.features = features
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.features(x)).flatten(1))


@_register("gap-head", "AlexNet's FC head against a global-average-pooling head")
def gap_head() -> Comparison:
    alex = zoo.build("alexnet")
    names = list(dict(alex.named_children()))
    with zoo.meta_build():
        features = nn.Sequential(*[getattr(alex, n) for n in names[: names.index("flatten")]])
        gap = _GapHead(features, 256, 1000)
    conv = 34_944 + 614_656 + 885_120 + 1_327_488 + 884_992  # the lecture's table, conv1..5
    fc = (9216 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    a = _variant(
        "AlexNet, FC head", "fc6 9216->4096, fc7 4096->4096, fc8 4096->1000", alex,
        (3, 227, 227),
        [Formula("params", "convs + (9216x4096 + 4096) + (4096x4096 + 4096) + (4096x1000 + 1000)",
                 conv + fc)],
    )  # fmt: skip
    g = _variant(
        "AlexNet, GAP head", "global average pool 6x6 -> 1x1, then one FC 256->1000", gap,
        (3, 227, 227), [Formula("params", "convs + (256x1000 + 1000)", conv + 256 * 1000 + 1000)],
    )  # fmt: skip
    share = Fraction(fc, conv + fc)
    return Comparison(
        "gap-head", COMPARISONS["gap-head"].title,
        "Where do AlexNet's parameters sit, and what does a NiN/GoogLeNet-style head save?",
        "params", (a, g), {},
        (f"FC layers hold {fc:,} of {conv + fc:,} parameters: {100 * float(share):.1f}% (the "
         "lecture: 'about 57M, about 95%').",
         f"MACs barely move ({a.cost.macs:,} against {g.cost.macs:,}): the FC layers are "
         f"{100 * 58_621_952 / a.cost.macs:.1f}% of AlexNet's MACs."),
    )  # fmt: skip


def _vgg_prefix(convs: int, pools: bool = True) -> nn.Sequential:
    """VGG-16's first ``convs`` 3x3 convolutions (with ReLU) and the 2x2 pools between them."""
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M"]
    layers: list[nn.Module] = []
    cin, done = 3, 0
    with zoo.meta_build():
        for v in cfg:
            if done == convs and (v != "M" or not pools):
                break
            if v == "M":
                if pools:
                    layers.append(nn.MaxPool2d(2, 2))
                continue
            layers += [nn.Conv2d(cin, int(v), 3, padding=1), nn.ReLU(inplace=True)]
            cin, done = int(v), done + 1
    return nn.Sequential(*layers)


@_register("googlenet-stem-vs-vgg", "the GoogLeNet stem against VGG-16's layers down to 28x28")
def stem_vs_vgg() -> Comparison:
    def conv_terms(spec: list[tuple[int, int, int]]) -> tuple[int, int]:
        params = sum(9 * ci * co + co for ci, co, _ in spec)
        macs = sum(hw * hw * 9 * ci * co for ci, co, hw in spec)
        return params, macs

    six = [(3, 64, 224), (64, 64, 224), (64, 128, 112), (128, 128, 112), (128, 256, 56),
           (256, 256, 56)]  # fmt: skip
    p6, m6 = conv_terms(six)
    p7, m7 = conv_terms([*six, (256, 256, 56)])
    stem = _variant(
        "GoogLeNet stem", "conv 7x7/2, pool, conv 1x1, conv 3x3, pool: 224 -> 28",
        zoo.build("googlenet_stem"), (3, 224, 224),
        [Formula("params", "(7x7x3+1)x64 + (64+1)x64 + (3x3x64+1)x192",
                 (147 + 1) * 64 + 65 * 64 + 577 * 192),
         Formula("macs", "112^2x64x147 + 56^2x64x64 + 56^2x192x576",
                 112 * 112 * 64 * 147 + 56 * 56 * 64 * 64 + 56 * 56 * 192 * 576)],
        group="",
    )  # fmt: skip
    vgg7 = _variant(
        "VGG-16 to 28x28", "conv1_1 .. conv3_3 and three 2x2 pools: 224 -> 28",
        _vgg_prefix(7, True), (3, 224, 224),
        [Formula("params", "sum of (3x3xCin + 1) x Cout over conv1_1..conv3_3", p7),
         Formula("macs", "sum of H^2 x 9 x Cin x Cout over conv1_1..conv3_3", m7)],
    )  # fmt: skip
    vgg6 = _variant(
        "VGG-16 conv1_1..conv3_2 (the lecture's count)",
        "the six convolutions whose totals the lecture quotes (its two pools run but are not "
        "counted in the memory)",
        _vgg_prefix(6, True), (3, 224, 224),
        [Formula("params", "sum of (3x3xCin + 1) x Cout over conv1_1..conv3_2", p6),
         Formula("macs", "sum of H^2 x 9 x Cin x Cout over conv1_1..conv3_2", m6)],
    )  # fmt: skip
    mem_stem = 7644 * 1024  # the lecture's stem rows: 3136 + 784 + 784 + 2352 + 588 KB
    mem6 = sum(o.output_bytes for _, o in vgg6.cost.ops() if o.category == "conv")
    r = (mem6 / mem_stem, vgg6.cost.params / stem.cost.params, vgg6.cost.macs / stem.cost.macs)
    return Comparison(
        "googlenet-stem-vs-vgg", COMPARISONS["googlenet-stem-vs-vgg"].title,
        "How aggressive is GoogLeNet's stem compared with VGG's first layers?", "macs",
        (stem, vgg7, vgg6), {},
        (f"The lecture's 'Compare VGG-16: Memory 42.9 MB (5.7x), Params 1.1M (8.9x), MFLOP 7485 "
         f"(17.8x)' is reproduced by VGG-16's first six convolutions: memory "
         f"{mem6 // 1024:,} KB = {mem6 / 2**20:.3f} MiB, params {vgg6.cost.params:,}, MACs "
         f"{vgg6.cost.macs:,}. Against the stem's 7,644 KB, 124,416 params and 477,675,520 conv "
         f"MACs the ratios are {r[0]:.2f}x, {r[1]:.2f}x and {r[2]:.2f}x; against the stem's "
         f"true lecture-column total of 481 MFLOP (pools included) the MAC ratio is "
         f"{vgg6.cost.macs / 480_836_608:.1f}x. The lecture's 8.9x and 17.8x use its slipped "
         "totals (its stem 'MFLOP: 418' is a digit swap of 481).",),
    )  # fmt: skip


def options_for(name: str) -> dict[str, int]:
    return dict(_spec(name).options)


def _spec(name: str) -> Spec:
    if name not in COMPARISONS:
        import difflib

        close = difflib.get_close_matches(name, list(COMPARISONS), n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(
            f"Unknown comparison {name!r}.{hint} Comparisons: {', '.join(COMPARISONS)}; or "
            "give two or more zoo model names."
        )
    return COMPARISONS[name]


def compare(name: str, **options: Any) -> Comparison:
    """Run a built-in comparison; ``options`` override its defaults (sizes, channels)."""
    spec = _spec(name)
    unknown = set(options) - set(spec.options)
    if unknown:
        opts = ", ".join(f"{k}={v}" for k, v in spec.options.items()) or "none"
        raise UsageError(
            f"Comparison {name!r} takes no option {', '.join(sorted(unknown))}; it takes: {opts}."
        )
    return spec.build(**{**spec.options, **options})


def compare_models(
    names: Sequence[str], input_size: Sequence[int] | None = None, batch: int = 1
) -> pd.DataFrame:
    """Totals of several zoo models with ratios against the first."""
    if len(names) < 2:
        raise UsageError("Give at least two models to compare.")
    rows = []
    for n in names:
        e = zoo.get(n)
        c = analyze(zoo.build(n), tuple(input_size or e.input_size), batch=batch, name=n)
        rows.append({"model": n, "input": "x".join(map(str, c.input_shape[1:])),
                     "params": c.params, "MACs": c.macs, "FLOPs": c.flops,
                     "memory_bytes": c.memory_bytes})  # fmt: skip
    df = pd.DataFrame(rows)
    for k in ("params", "MACs", "FLOPs", "memory_bytes"):
        first = df[k].iloc[0]
        df[f"{k} vs {names[0]}"] = [v / first if first else math.nan for v in df[k]]
    return df
