"""Timing harness, peaks, roofline and validation on the CPU (structure and sanity of the
numbers, never thresholds on time); CUDA-only tests are marked and skip without a GPU."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from cnncost import analyze, timing, zoo

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")


def test_measure_median_iqr_count() -> None:
    calls = []
    m = timing.measure(lambda: calls.append(1), "cpu", warmup=2, min_run_time=0.0, min_reps=7)
    assert m.count == 7 and len(calls) == 9  # warm-up calls are not timed
    assert m.median >= 0 and m.iqr >= 0
    d = m.to_dict()
    assert set(d) == {"median_ms", "iqr_ms", "count", "warmup"}


def test_settings_are_restored() -> None:
    before = (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32)
    with timing.settings("cpu", cudnn_benchmark=not before[0], tf32=not before[1]):
        assert torch.backends.cuda.matmul.allow_tf32 != before[1]
    assert (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32) == before


def test_time_model_cpu() -> None:
    r = timing.time_model("lenet5", batch=4, device="cpu", min_run_time=0.01)
    assert r["model"] == "lenet5" and r["batch"] == 4 and r["count"] >= 5
    assert r["images_per_s"] == pytest.approx(4 / (r["median_ms"] / 1e3))
    assert r["env_device"] == "cpu" and r["env_torch"] == torch.__version__


def test_time_layers_cpu() -> None:
    df = timing.time_layers("lenet5", batch=2, device="cpu", reps=3)
    leaves = [n for n, m in zoo.build("lenet5").named_modules() if n and not m._modules]
    assert sorted(df["layer"]) == sorted(leaves)
    assert (df["median_ms"] >= 0).all() and df.attrs["overhead_ms_per_call"] >= 0
    assert df.attrs["l2"] == "warm" and "perf_counter" in df.attrs["method"]


@pytest.mark.parametrize(
    ("name", "sheet"),
    [("NVIDIA H100 80GB HBM3", "H100 SXM"), ("NVIDIA H100 PCIe", "H100 PCIe"),
     ("NVIDIA H200", "H200 SXM"), ("NVIDIA A100-SXM4-80GB", "A100 SXM 80GB"),
     ("NVIDIA L4", "L4"), ("NVIDIA GeForce RTX 4090", None)],
)  # fmt: skip
def test_datasheet_lookup(name: str, sheet: str | None) -> None:
    got = timing.datasheet_for(name)
    assert (got[0] if got else None) == sheet


def test_peaks_cpu_are_measured_not_looked_up() -> None:
    pk = timing.peaks("cpu", quick=True)
    assert pk.matmul_tflops["fp32"] > 0 and pk.bandwidth_gbs > 0 and pk.launch_us > 0
    assert pk.datasheet is None  # no datasheet is ever passed off as a measurement


def test_roofline_closed_form() -> None:
    pk = timing.Peaks("cpu", "test", {"fp32": 1.0}, bandwidth_gbs=100.0, launch_us=10.0)
    conv = torch.nn.Conv2d(16, 32, 3, padding=1, bias=False, device="meta")
    cost = analyze(conv, (16, 32, 32))
    r = timing.roofline(cost, pk)
    (op,) = r.itertuples()
    flops = 2 * 32 * 32 * 32 * 16 * 9  # 2 x MACs, no bias
    moved = 4 * (16 * 32 * 32 + 32 * 16 * 9 + 32 * 32 * 32)  # input + weight read, output write
    assert op.flops == flops and op.bytes == moved
    assert op.predicted_s == pytest.approx(max(flops / 1e12, moved / 1e11) + 10e-6)
    assert op.bound == ("compute" if flops / 1e12 > moved / 1e11 else "memory")
    assert timing.predict_seconds(cost, pk) == pytest.approx(op.predicted_s)


def test_spearman_and_error() -> None:
    assert timing.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert timing.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert timing.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, rel=1e-6)
    assert math.isnan(timing.spearman([1], [1]))
    assert timing.median_abs_pct_error([1.1, 2.0, 2.5], [1.0, 2.0, 5.0]) == pytest.approx(10.0)


def test_validate_cpu_writes_everything(tmp_path: Path) -> None:
    from cnncost import validate

    folder = validate.validate("cpu", tmp_path, models=["lenet5", "alexnet"], batches=[1, 2],
                               layer_models=["lenet5"], comparisons=["bottleneck"], quick=True,
                               progress=False)  # fmt: skip
    for f in ("timing.csv", "layers.csv", "layer_overhead.csv", "comparisons.csv", "memory.csv",
              "peaks.json", "summary.md", "measured_vs_predicted.png", "latency_vs_macs.png",
              "latency_vs_batch.png", "comparisons_speedup.png"):  # fmt: skip
        assert (folder / f).stat().st_size > 0, f
    import pandas as pd

    t = pd.read_csv(folder / "timing.csv")
    assert len(t) == 4 and (t["predicted_ms"] > 0).all() and (t["median_ms"] > 0).all()
    assert set(t["macs"]) == {416_520, 2 * 416_520, 1_135_256_096, 2 * 1_135_256_096}
    lay = pd.read_csv(folder / "layers.csv")
    assert {"achieved_tflops", "pct_of_peak", "predicted_ms", "bound"} <= set(lay.columns)
    c = pd.read_csv(folder / "comparisons.csv")
    assert list(c["mac_ratio_vs_first"]) == pytest.approx([1.0, 12_443_648 / 120_422_400])
    summary = (folder / "summary.md").read_text()
    assert "Spearman rho" in summary and "Peaks (measured)" in summary
    assert json.loads((folder / "peaks.json").read_text())["device"] == "cpu"


def test_saved_comparison_timing_is_found(tmp_path: Path) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "comparisons.csv").write_text(
        "comparison,variant,median_ms\nbottleneck,a,2.0\nbottleneck,b,1.0\n"
    )
    df = timing.load_comparison_timing("bottleneck", tmp_path)
    assert list(df["median_ms"]) == [2.0, 1.0]
    assert timing.load_comparison_timing("stacked3x3", tmp_path) is None


def test_cli_time_and_bad_device(cli) -> None:
    r = cli("time", "lenet5", "--device", "cpu", "--batch", "1,2", "--min-time", "0.01",
            "--format", "json")  # fmt: skip
    rows = json.loads(r.stdout)
    assert [x["batch"] for x in rows] == [1, 2] and r.returncode == 0
    if not torch.cuda.is_available():
        r = cli("time", "lenet5", "--device", "cuda")
        assert r.returncode == 2 and "no CUDA device" in r.stderr
    r = cli("time", "lenet5", "--device", "cpu", "--batch", "0")
    assert r.returncode == 2


@CUDA
@pytest.mark.cuda
def test_cuda_timing_and_memory() -> None:
    r = timing.time_model("resnet18", batch=8, device="cuda", min_run_time=0.05)
    assert r["env_gpu"] and r["median_ms"] > 0
    m = timing.peak_memory("resnet18", 8, "float32", "cuda")
    assert m["measured_peak_bytes"] > m["weight_bytes"]
    lay = timing.time_layers("resnet18", batch=8, device="cuda", reps=5, cold_l2=True)
    assert lay.attrs["l2"] == "cold" and "CUDA events" in lay.attrs["method"]
    pk = timing.peaks("cuda", quick=True)
    assert pk.matmul_tflops["bf16"] > pk.matmul_tflops["fp32"]
