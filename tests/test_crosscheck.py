"""fvcore as an independent cross-check: conv and linear MACs equal fvcore's exactly on every
model the tests build; every other difference has a named reason."""

from __future__ import annotations

import pytest
from torch import nn

from cnncost import analyze, crosscheck, zoo

pytest.importorskip("fvcore")


def test_fvcore_is_optional_for_import() -> None:
    import importlib
    import sys

    blocked = dict.fromkeys(("fvcore", "fvcore.nn"))
    saved = {k: sys.modules.get(k) for k in blocked}
    sys.modules.update(blocked)  # type: ignore[arg-type]  # None makes import fail
    try:
        assert crosscheck.available() is False
        import cnncost

        importlib.reload(cnncost)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _mac_part(ops: dict) -> int:
    return sum(v for k, v in ops.items() if k in crosscheck.MAC_OPS)


def assert_macs_equal_fvcore(name: str, batch: int = 1) -> None:
    e = zoo.get(name)
    cost = analyze(zoo.build(name), e.input_size, batch=batch)
    real = zoo.build(name, device="cpu")
    by_mod, _ = crosscheck.fvcore_counts(real, cost.input_shape)
    assert _mac_part(by_mod[""]) == cost.macs, name
    leaf = dict(real.named_modules())
    for r in cost.rows:
        if r.is_leaf and isinstance(leaf.get(r.name), (nn.Conv2d, nn.Linear)):
            assert _mac_part(by_mod[r.name]) == r.macs, (name, r.name)


@pytest.mark.parametrize("name", zoo.names())
def test_conv_linear_macs_equal_fvcore(name: str) -> None:
    assert_macs_equal_fvcore(name)


def test_differences_are_named() -> None:
    m = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
    cost = analyze(m, (3, 16, 16))
    by_mod, skipped = crosscheck.fvcore_counts(m, cost.input_shape)
    df = crosscheck.compare(cost, by_mod, skipped).set_index("layer")
    assert df.loc["0", "why"] == "same"
    # fvcore's batchnorm handle: 2 per element with affine, measured: 2 * 8*14*14 = 3,136
    assert "batch norm" in df.loc["1", "why"] and "+3,136" in df.loc["1", "why"]
    assert "adaptive avg pooling" in df.loc["3", "why"]
    assert "fvcore" in df.loc["total", "why"]


def test_cli_crosscheck_names_every_difference(cli) -> None:
    r = cli("table", "resnet18", "--crosscheck")
    assert r.returncode == 0, r.stderr
    assert "Cross-check against fvcore" in r.stdout
    # resnet18's total: conv/linear MACs equal; fvcore adds BN (affine: 2 per element) and
    # the adaptive average pool, and skips the adds and the max pool
    cross = r.stdout.split("Cross-check against fvcore")[1]
    total = next(line for line in cross.splitlines() if line.startswith("total"))
    assert "1,814,073,344" in total and "batch norm" in total and "adaptive avg" in total
    assert "fvcore skips" in r.stdout and "max_pool2d" in r.stdout
