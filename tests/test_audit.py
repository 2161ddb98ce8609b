"""Auditing a user's design: budgets, exit codes, and hostile or awkward input. Each case gets a
correct result or a one-paragraph error with the right exit code, and leaves files as they were."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from cnncost import UsageError, analyze, assert_within_budget, audit, zoo
from cnncost.units import parse_bytes, parse_count, parse_shape

NET = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, width: int = 8, num_classes: int = 10):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.bn = nn.BatchNorm2d(width)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.conv(x))).mean((2, 3)))


def make(width: int = 8):
    return Net(width)


class Needs(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.layers = nn.Sequential(*[nn.Linear(4, 4) for _ in range(depth)])

    def forward(self, x):
        return self.layers(x)


class Branchy(nn.Module):
    def forward(self, x):
        return x * 2 if x.sum() > 0 else x


class Outputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        y = self.conv(x)
        y.relu_()
        return {"logits": y.flatten(1), "aux": (y.mean(), y.amax())}


NOT_A_MODULE = 42


def not_a_factory():
    return "hello"
"""
# Net at 3x32x32: conv 32*32*8 outputs x 27 taps; fc 8 x 10 (closed form)
NET_MACS = 32 * 32 * 8 * 27 + 8 * 10
NET_PARAMS = (3 * 9 * 8 + 8) + 2 * 8 + (8 * 10 + 10)


@pytest.fixture
def design(tmp_path: Path) -> Path:
    f = tmp_path / "design.py"
    f.write_text(textwrap.dedent(NET))
    return f


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_within_and_over_budget_exit_codes(cli, design: Path) -> None:
    before = snapshot(design.parent)
    target = f"{design}:Net"
    ok = cli("audit", target, "--input", "3x32x32", "--max-macs", f"{NET_MACS}",
             "--max-params", "1K", "--format", "json")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    d = json.loads(ok.stdout)
    assert d["ok"] is True and d["totals"]["macs"] == NET_MACS
    assert d["budget"]["macs"] == {**d["budget"]["macs"], "limit": NET_MACS, "headroom": 0}
    assert d["budget"]["params"]["actual"] == NET_PARAMS and d["budget"]["params"]["limit"] == 1000
    over = cli("audit", target, "--input", "3x32x32", "--max-macs", f"{NET_MACS - 1}")
    assert over.returncode == 1
    assert "OVER BUDGET" in over.stdout and "exceeds the limit" in over.stderr
    assert "Traceback" not in over.stderr
    assert snapshot(design.parent) == before  # no __pycache__, nothing written


def test_size_suffixes_are_echoed(cli, design: Path) -> None:
    r = cli("audit", f"{design}:Net", "--input", "3x32x32", "--max-macs", "1.5G",
            "--max-memory", "200MB", "--max-params", "5M")  # fmt: skip
    assert r.returncode == 0
    assert "max-macs: 1,500,000,000" in r.stderr and "max-memory: 200,000,000 bytes" in r.stderr
    assert "max-params: 5,000,000" in r.stderr


def test_factory_args_and_baseline(cli, design: Path) -> None:
    r = cli("audit", f"{design}:make", "--arg", "width=16", "--input", "3x32x32",
            "--baseline", f"{design}:Net", "--format", "json")  # fmt: skip
    d = json.loads(r.stdout)
    total = d["baseline"]["stages"][-1]
    assert total["macs_diff"] == (32 * 32 * 16 * 27 + 16 * 10) - NET_MACS
    assert d["baseline"]["model"] == "Net"


@pytest.mark.parametrize(
    ("target", "code", "words"),
    [
        ("missing.py:Net", 2, "File not found"),
        ("{f}:Nett", 2, "Did you mean Net"),
        ("{f}:NOT_A_MODULE", 2, "not an nn.Module class or a factory"),
        ("{f}:not_a_factory", 2, "returned a str, not an nn.Module"),
        ("{f}:Needs", 2, "It needs: depth"),
        ("{f}", 2, "names a file but not what to build"),
        ("no_such_package.mod:Net", 2, "No module named"),
    ],
)
def test_bad_targets(cli, design: Path, target: str, code: int, words: str) -> None:
    r = cli("audit", target.format(f=design), "--input", "3x32x32")
    assert r.returncode == code, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_import_error_inside_the_file(cli, tmp_path: Path) -> None:
    f = tmp_path / "broken.py"
    f.write_text("import torch\nimport not_a_real_module_xyz\n")
    r = cli("audit", f"{f}:Net")
    assert r.returncode == 2 and "Importing" in r.stderr and "not_a_real_module_xyz" in r.stderr
    assert not (tmp_path / "__pycache__").exists()


def test_input_the_model_rejects_names_the_layer(cli, design: Path) -> None:
    r = cli("audit", f"{design}:Net", "--input", "4x32x32")
    assert r.returncode == 1 and "layer 'conv'" in r.stderr and "[1, 4, 32, 32]" in r.stderr


def test_value_dependent_forward_says_use_cpu(cli, design: Path) -> None:
    r = cli("audit", f"{design}:Branchy", "--input", "3x8x8")
    assert r.returncode == 1 and "--device cpu" in r.stderr
    r = cli("audit", f"{design}:Branchy", "--input", "3x8x8", "--device", "cpu")
    assert r.returncode == 0


def test_dict_and_tuple_outputs_and_inplace_ops(cli, design: Path) -> None:
    r = cli("audit", f"{design}:Outputs", "--input", "3x8x8", "--format", "json")
    d = json.loads(r.stdout)
    assert d["output_shapes"] == [[1, 144], [], []]
    assert d["totals"]["macs"] == 4 * 6 * 6 * 27


def test_no_traceback_without_debug_but_with_it(cli, design: Path) -> None:
    r = cli("audit", f"{design}:Net", "--input", "4x32x32", "--debug")
    assert "Traceback" in r.stderr


def test_module_reused_many_times() -> None:
    class Reuse(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(16, 16)

        def forward(self, x):
            for _ in range(50):
                x = self.lin(x)
            return x

    c = analyze(Reuse(), (16,))
    assert [r.name for r in c.rows[1:4]] == ["lin", "lin#2", "lin#3"] and c.rows[
        -1
    ].name == "lin#50"
    assert c.params == 16 * 16 + 16 and c.macs == 50 * 256


def test_thousand_layer_model() -> None:
    m = nn.Sequential(*[nn.Linear(8, 8) for _ in range(1000)])
    c = analyze(m, (8,), batch=4)
    assert len(c.rows) == 1001 and c.macs == 1000 * 4 * 64 and c.params == 1000 * 72


def test_model_without_parameters() -> None:
    c = analyze(nn.Sequential(nn.ReLU(), nn.MaxPool2d(2)), (3, 8, 8))
    assert c.params == 0 and c.flops == 3 * 8 * 8 + 3 * 4 * 4 * 3


def test_ten_billion_parameters_on_meta() -> None:
    with zoo.meta_build():
        m = nn.Sequential(nn.Linear(100_000, 100_000), nn.Linear(100_000, 10))
    c = analyze(m, (100_000,))
    assert c.params == 100_000 * 100_000 + 100_000 + 1_000_010  # > 10 billion, in megabytes
    assert c.macs == 10**10 + 10**6


def test_batch_norm_in_training_mode_is_analysed_in_eval() -> None:
    m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
    r = audit(m, (3, 8, 8))
    assert r.cost.row("1").flops == 2 * 4 * 6 * 6  # eval: 2 per element
    assert r.notes and m.training and m[1].training
    rt = audit(m, (3, 8, 8), train=True)
    assert rt.cost.row("1").flops == 5 * 4 * 6 * 6 + 1  # training stats + num_batches_tracked


def test_python_api_and_pytest_helper() -> None:
    m = zoo.build("mobilenet_v2")
    r = audit(m, max_macs=400_000_000, max_params=4_000_000)
    assert r.ok and [c.name for c in r.checks] == ["macs", "params"]
    assert r.hotspots("macs", 3)[0].share > 0
    with pytest.raises(AssertionError, match="over budget: macs 300,774,272"):
        assert_within_budget(m, (3, 224, 224), max_macs=300_000_000)
    assert assert_within_budget(m, max_params=3_504_872).ok  # exactly at the limit is within


def test_strict_fails_on_unsupported_ops() -> None:
    class Cum(nn.Module):
        def forward(self, x):
            return torch.cumsum(x, 1)

    assert audit(Cum(), (4,)).ok
    r = audit(Cum(), (4,), strict=True)
    assert not r.ok and "unsupported ops under --strict: aten.cumsum.default x1" in r.message()


def test_torchvision_target_is_optional(cli) -> None:
    r = cli("audit", "torchvision:resnet18")
    # either torchvision works here, or the user is told how to get it: never a traceback
    assert r.returncode in (0, 2) and "Traceback" not in r.stderr
    if r.returncode == 2:
        assert "torchvision" in r.stderr


# --- parsers, fuzzed -------------------------------------------------------------


def test_parsers_known_values() -> None:
    assert parse_count("1.5G") == 1_500_000_000 and parse_count("5M") == 5_000_000
    assert parse_count("62,378,344") == 62_378_344 and parse_count("2e3") == 2000
    assert parse_bytes("200MB") == 200_000_000 and parse_bytes("1.5GiB") == 1_610_612_736
    assert parse_bytes("512") == 512 and parse_bytes("64 KiB") == 65536
    assert parse_shape("3x224x224") == (3, 224, 224) and parse_shape("3X32X32") == (3, 32, 32)
    for bad in ("", "G", "1.5X", "--1", "nan", "inf", "1e999G"):
        with pytest.raises(UsageError):
            parse_count(bad)
    for bad in ("", "MB", "5 MiBs", "1.2.3MB"):
        with pytest.raises(UsageError):
            parse_bytes(bad)


@given(st.text(max_size=30))
def test_parsers_never_crash(text: str) -> None:
    for parse in (parse_count, parse_bytes, parse_shape):
        try:
            value = parse(text)
        except UsageError:
            continue
        assert value is not None


@given(st.integers(0, 10**15), st.sampled_from(["", "K", "M", "G"]))
def test_count_roundtrip(n: int, suffix: str) -> None:
    scale = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[suffix]
    assert parse_count(f"{n}{suffix}") == n * scale


@given(st.lists(st.integers(1, 5000), min_size=1, max_size=4))
def test_shape_roundtrip(dims: list[int]) -> None:
    assert parse_shape("x".join(map(str, dims))) == tuple(dims)
