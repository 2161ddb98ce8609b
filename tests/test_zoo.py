"""Every zoo model against its published figures.

torchvision models: ``../shared/reference/torchvision_weights_meta.csv`` (torchvision 0.29.1's
weights metadata: ``num_params`` exactly, ``gflops_ops`` = GMACs at its three decimals).
Others: the paper's tables, cited per test.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest

from cnncost import analyze, report, zoo

META = Path(__file__).resolve().parents[2] / "shared" / "reference" / "torchvision_weights_meta.csv"


@cache
def published() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    with open(META, newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["model"], row)  # the weight sets of a model share its architecture
    return out


@cache
def cost(name: str, batch: int = 1):
    e = zoo.get(name)
    return analyze(zoo.build(name), e.input_size, batch=batch, name=name)


TV = [e.name for e in zoo.entries() if e.torchvision]


def test_the_lecture_families_are_all_there() -> None:
    need = {"lenet5", "alexnet", "alexnet_torchvision", "vgg11", "vgg13", "vgg16", "vgg19",
            "vgg11_bn", "vgg16_bn", "nin", "googlenet", "inception_v3", "resnet18", "resnet34",
            "resnet50", "resnet101", "resnet152", "densenet121", "densenet169", "densenet201",
            "mobilenet_v1", "mobilenet_v2", "squeezenet1_0", "shufflenet_v2_x1_0",
            "efficientnet_b0"}  # fmt: skip
    assert need <= set(zoo.names())
    for e in zoo.entries():
        assert e.description and e.source and len(e.input_size) == 3


@pytest.mark.parametrize("name", TV)
def test_params_equal_torchvision_exactly(name: str) -> None:
    pub = published()[zoo.get(name).torchvision]
    assert cost(name).params == int(pub["num_params"])


@pytest.mark.parametrize("name", TV)
def test_macs_equal_torchvision_gflops_to_three_decimals(name: str) -> None:
    pub = published()[zoo.get(name).torchvision]
    assert round(cost(name).macs / 1e9, 3) == float(pub["gflops_ops"])


@pytest.mark.parametrize("name", zoo.names())
def test_output_shape_and_nothing_unsupported(name: str) -> None:
    c = cost(name, batch=2)
    n_out = {"lenet5": 10}.get(name, 1000)
    expected = (2, 192, 28, 28) if name == "googlenet_stem" else (2, n_out)
    assert c.output_shapes[0] == expected
    assert c.unsupported == ()
    assert report.sums_match(c, report.lecture_view(c))


@pytest.mark.parametrize("name", zoo.names())
def test_table_renders_in_every_format(name: str) -> None:
    c = cost(name)
    text = report.render(c, "text")
    assert f"{c.params:,}" in text and "Unsupported ops: none" in text
    assert "| " in report.render(c, "markdown", depth=1)
    assert report.render(c, "csv").count("\n") == len(report.lecture_view(c)) + 1
    d = json.loads(report.render(c, "json", all_rows=True))
    assert d["totals"]["macs"] == c.macs and len(d["rows"]) == len(c.rows)


def test_num_classes_argument() -> None:
    c = analyze(zoo.build("resnet18", num_classes=10), (3, 224, 224))
    # fc: 512*10 + 10 instead of 512*1000 + 1000 (torchvision resnet18: 11,689,512)
    assert c.params == 11_689_512 - (512 * 1000 + 1000) + (512 * 10 + 10)
    assert c.output_shapes == ((1, 10),)


def test_unknown_builder_argument_is_a_usage_error() -> None:
    from cnncost import UsageError

    with pytest.raises(UsageError, match="takes no argument 'widht'"):
        zoo.build("mobilenet_v1", widht=0.5)


# Howard et al. 2017 (arXiv:1704.04861): Table 6 (width at 224), Table 7 (resolution at 1.0),
# Table 4 (full convolutions). Million mult-adds and million params as published.
@pytest.mark.parametrize(
    ("width", "res", "macs_m", "params_m"),
    [(1.0, 224, 569, 4.2), (0.75, 224, 325, 2.6), (0.5, 224, 149, 1.3), (0.25, 224, 41, 0.5),
     (1.0, 192, 418, 4.2), (1.0, 128, 186, 4.2)],
)  # fmt: skip
def test_mobilenet_v1_published_figures(
    width: float, res: int, macs_m: int, params_m: float
) -> None:
    c = analyze(zoo.build("mobilenet_v1", width=width), (3, res, res))
    assert round(c.macs / 1e6) == macs_m
    assert round(c.params / 1e6, 1) == params_m


def test_mobilenet_v1_exact_and_the_papers_fc_inconsistency() -> None:
    c = analyze(zoo.build("mobilenet_v1"), (3, 224, 224))
    assert c.params == 4_231_976  # conv weights + BN affine + FC 1024x1000 (+bias)
    # 567,716,352 conv MACs + 1,024,000 FC = 568,740,352: the paper's "569" includes the FC...
    assert c.macs == 568_740_352 and c.row("fc").macs == 1_024_000
    # ...but its 160x160 figure (Table 7, "290") and its full-convolution figure (Table 4,
    # "4866") are the conv layers alone: with the FC they would round to 291 and 4867
    c160 = analyze(zoo.build("mobilenet_v1"), (3, 160, 160))
    assert round((c160.macs - c160.row("fc").macs) / 1e6) == 290
    assert round(c160.macs / 1e6) == 291
    full = analyze(zoo.build("mobilenet_v1", depthwise=False), (3, 224, 224))
    assert round((full.macs - full.row("fc").macs) / 1e6) == 4866
    assert round(full.params / 1e6, 1) == 29.3  # Table 4: 29.3M parameters


def test_lenet5_layers_match_the_paper() -> None:
    # LeCun et al. 1998, Section II.B: C1 156, C5 48,120, F6 10,164 trainable parameters.
    # C3 is fully connected here (6*16*25 + 16 = 2,416); the paper's sparse table gives 1,516.
    c = cost("lenet5")
    assert [c.row(n).params for n in ("c1", "c3", "c5", "f6")] == [156, 2_416, 48_120, 10_164]
    assert c.row("output").params == 84 * 10 + 10
    # C1: 28x28x6 outputs x 25 taps; C3: 10x10x16 x 150; C5: 120 x 400; F6 120x84; out 84x10
    assert c.macs == 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 120 * 400 + 120 * 84 + 84 * 10


def test_nin_closed_form() -> None:
    # D2L's NiN: blocks (3->96 k11, 96->256 k5, 256->384 k3, 384->1000 k3), each + two 1x1
    def block(cin: int, cout: int, k: int) -> int:
        return cin * cout * k * k + cout + 2 * (cout * cout + cout)

    c = cost("nin")
    assert c.params == block(3, 96, 11) + block(96, 256, 5) + block(256, 384, 3) + block(
        384, 1000, 3
    )
    # spatial sizes at 224: 54, (pool) 26, 26, (pool) 12, 12, (pool) 5, 5
    macs = (
        54 * 54 * 96 * (3 * 121 + 2 * 96)
        + 26 * 26 * 256 * (96 * 25 + 2 * 256)
        + 12 * 12 * 384 * (256 * 9 + 2 * 384)
        + 5 * 5 * 1000 * (384 * 9 + 2 * 1000)
    )
    assert c.macs == macs


def test_alexnet_variants_and_stem_are_exact() -> None:
    assert cost("alexnet").params == 62_378_344  # the lecture's table
    assert cost("googlenet_stem").params == 124_416  # the lecture's stem, "124K"


def test_inception_v3_aux_head_is_counted_but_not_called() -> None:
    c = cost("inception_v3")
    (name, p), *_ = c.uncalled
    assert name == "AuxLogits" and p > 0  # torchvision keeps it in num_params
    assert c.params == 27_161_264


def test_depth_views_read_naturally() -> None:
    g = report.depth_view(cost("googlenet"), 1)
    names = list(g["name"])
    assert [n for n in names if n.startswith("inception")] == [
        "inception3a", "inception3b", "inception4a", "inception4b", "inception4c",
        "inception4d", "inception4e", "inception5a", "inception5b",
    ]  # fmt: skip
    r = report.depth_view(cost("resnet50"), 2)
    blocks = [n for n in r["name"] if n.startswith("layer")]
    assert len(blocks) == 3 + 4 + 6 + 3 and blocks[0] == "layer1.0"
    # the residual add is charged to the block that issued it: layer1.0 adds 256x56x56
    b = cost("resnet50").row("layer1.0")
    assert any(o.op == "aten.add_.Tensor" and o.flops == 256 * 56 * 56 for o in b.ops)
    d = report.depth_view(cost("densenet121"), 2)
    assert "features.denseblock1" in set(d["name"])
    # DenseNet's concatenations are charged where they happen: one in each of the 58 dense
    # layers (its input) and one at the end of each of the 4 dense blocks
    rows = cost("densenet121").rows
    cats = [(r_.kind, o) for r_ in rows for o in r_.ops if o.op == "aten.cat.default"]
    assert len(cats) == 6 + 12 + 24 + 16 + 4
    assert {k for k, _ in cats} == {"DenseLayer", "DenseBlock"}
