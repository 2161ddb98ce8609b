"""Design comparisons: traced counts equal the closed forms for many sizes, and the lecture's
figures appear exactly (../shared/reference/lecture-figures.md, 'Design arithmetic')."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncost import UsageError, compare

FEW = settings(max_examples=15, deadline=None)


def test_lecture_bottleneck_figures() -> None:
    c = compare.compare("bottleneck")
    direct, reduced = c.variants
    assert direct.cost.macs == 120_422_400  # (28x28x32) x (5x5x192), "120M"
    assert reduced.cost.macs == 12_443_648  # 2,408,448 + 10,035,200, "12.4M"
    assert reduced.cost.row("0").macs == 2_408_448 and reduced.cost.row("2").macs == 10_035_200
    assert c.agree and c.ratio(reduced) == Fraction(12_443_648, 120_422_400)


@FEW
@given(st.integers(1, 256), st.integers(1, 64), st.integers(1, 32), st.integers(1, 40),
       st.sampled_from([1, 3, 5, 7]))  # fmt: skip
def test_bottleneck_any_size(cin: int, cout: int, mid: int, size: int, kernel: int) -> None:
    c = compare.compare("bottleneck", cin=cin, cout=cout, mid=mid, size=size, kernel=kernel)
    assert c.agree
    assert c.variants[0].cost.macs == size * size * cout * kernel * kernel * cin


@FEW
@given(st.integers(1, 128), st.integers(7, 64))
def test_stacked3x3_any_size(channels: int, size: int) -> None:
    c = compare.compare("stacked3x3", channels=channels, size=size)
    one, three = c.variants
    assert c.agree
    assert one.cost.params == 49 * channels**2 and three.cost.params == 27 * channels**2
    assert one.receptive_field == three.receptive_field == 7  # same 7x7 receptive field
    assert c.ratio(three) == Fraction(27, 49)


@FEW
@given(st.integers(1, 64), st.integers(1, 128), st.integers(3, 64), st.sampled_from([1, 3, 5]))
def test_depthwise_ratio_is_1_over_n_plus_1_over_k2(cin: int, cout: int, size: int, k: int) -> None:
    c = compare.compare("depthwise", cin=cin, cout=cout, size=size, kernel=k)
    sep = c.variants[1]
    assert c.agree
    # Howard et al. 2017, eq. 5: (Dk^2 M Df^2 + M N Df^2) / (Dk^2 M N Df^2) = 1/N + 1/Dk^2
    assert c.ratio(sep) == Fraction(1, cout) + Fraction(1, k * k)


def test_depthwise_network_version() -> None:
    c = compare.compare("depthwise")
    full, mob = c.variants[2:]
    # Howard et al. 2017, Table 4: 29.3M / 4866M against 4.2M / 569M (FC: see test_zoo)
    assert round(full.cost.params / 1e6, 1) == 29.3 and round(mob.cost.params / 1e6, 1) == 4.2
    assert round(mob.cost.macs / 1e6) == 569
    assert round((full.cost.macs - 1_024_000) / 1e6) == 4866
    assert c.baseline_of(mob) is full


@FEW
@given(st.integers(1, 64).map(lambda x: 4 * x), st.integers(2, 32))
def test_residual_bottleneck_any_width(channels: int, size: int) -> None:
    c = compare.compare("residual-bottleneck", channels=channels, size=size)
    assert c.agree
    w = channels // 4
    assert c.variants[1].cost.macs == size * size * (2 * channels * w + 9 * w * w)


def test_gap_head_and_fc_share() -> None:
    c = compare.compare("gap-head")
    fc, gap = c.variants
    assert fc.cost.params == 62_378_344  # the lecture's AlexNet total
    assert fc.cost.params - gap.cost.params == 58_631_144 - 257_000  # FC head vs 256x1000+1000
    assert "94.0%" in c.notes[0]


def test_stem_vs_vgg_reproduces_the_lecture() -> None:
    c = compare.compare("googlenet-stem-vs-vgg")
    stem, _, vgg6 = c.variants
    assert c.agree
    # lecture-figures.md: memory 43,904 KB = 42.875 MiB, params 1,145,408, MACs 7,485,456,384
    mem = sum(o.output_bytes for _, o in vgg6.cost.ops() if o.category == "conv")
    assert mem == 43_904 * 1024 and vgg6.cost.params == 1_145_408
    assert vgg6.cost.macs == 7_485_456_384
    assert round(mem / (7644 * 1024), 2) == 5.74  # "5.7x"
    assert round(vgg6.cost.params / stem.cost.params, 2) == 9.21  # the lecture's 8.9x slipped
    assert round(vgg6.cost.macs / 480_836_608, 1) == 15.6  # against the true 481 MFLOP


def test_every_comparison_renders_in_every_format() -> None:
    from cnncost import report

    for name in compare.COMPARISONS:
        c = compare.compare(name)
        assert c.agree, name
        text = report.render_comparison(c, "text")
        assert "Every closed form equals the traced count exactly" in text
        assert json.loads(report.render_comparison(c, "json"))["agree"] is True
        assert report.render_comparison(c, "csv").count("\n") == len(c.variants) + 1
        assert "| " in report.render_comparison(c, "markdown")


def test_bad_names_and_sizes() -> None:
    with pytest.raises(UsageError, match="Did you mean bottleneck"):
        compare.compare("bottlenek")
    with pytest.raises(UsageError, match="positive integer"):
        compare.compare("bottleneck", size=0)
    with pytest.raises(UsageError, match="must be odd"):
        compare.compare("depthwise", kernel=4)
    with pytest.raises(UsageError, match="takes no option kernel"):
        compare.compare("stacked3x3", kernel=3)
    with pytest.raises(UsageError, match="divisible by 4"):
        compare.compare("residual-bottleneck", channels=30)


def test_cli_compare(cli) -> None:
    r = cli("compare", "bottleneck", "--format", "json")
    d = json.loads(r.stdout)
    assert d["agree"] and [v["totals"]["macs"] for v in d["variants"]] == [120_422_400, 12_443_648]
    r = cli("compare", "resnet50", "mobilenet_v2", "--format", "csv")
    assert r.returncode == 0 and "mobilenet_v2" in r.stdout
    for bad in (["bottlenek"], ["bottleneck", "--size", "-1"], ["alexnet"],
                ["resnet50", "nosuchnet"], ["stacked3x3", "--kernel", "3"]):  # fmt: skip
        r = cli("compare", *bad)
        assert r.returncode == 2, bad
        assert "Traceback" not in r.stderr and r.stderr.strip()
