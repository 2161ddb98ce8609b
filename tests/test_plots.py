"""Plots: the data behind each figure equals cnncost's own numbers; files are written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cnncost import analyze, plots, zoo

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_accuracy_data_file_is_sound() -> None:
    df = plots.accuracy_table()
    assert set(df["model"]) <= set(zoo.names())  # every row names a zoo model
    assert df["model"].is_unique
    assert df["top1"].between(0, 100).all() and df["top5"].dropna().between(0, 100).all()
    assert (df["top5"].dropna() >= df.loc[df["top5"].notna(), "top1"]).all()
    assert df["resolution"].isin([224, 227, 299]).all() and df["source"].str.len().gt(5).all()
    # torchvision rows are the published V1 figures of the shared reference CSV, exactly
    with open(SHARED / "torchvision_weights_meta.csv", newline="") as f:
        pub = {r["weights"]: r for r in csv.DictReader(f)}
    tv = df[df["source"].str.startswith("torchvision ")]
    assert len(tv) >= 25
    for r in tv.itertuples():
        p = pub[r.source.removeprefix("torchvision ")]
        assert float(p["acc1"]) == r.top1 and float(p["acc5"]) == r.top5
    # papers: Krizhevsky 2012 Table 2 '1 CNN' 40.7% / 18.2% error; Howard 2017 Table 8 70.6%
    row = df.set_index("model")
    assert row.loc["alexnet", "top1"] == pytest.approx(100 - 40.7)
    assert row.loc["mobilenet_v1", "top1"] == 70.6


def test_accuracy_figure_plots_traced_macs(tmp_path: Path) -> None:
    extra = [plots.Point("mine", 123_000_000, 4_000_000, 71.0)]
    fig = plots.accuracy_figure(extra=extra)
    data = fig.cnncost_data.set_index("model")
    for name in ("resnet50", "mobilenet_v2", "inception_v3"):
        e = zoo.get(name)
        res = int(data.loc[name, "resolution"])
        c = analyze(zoo.build(name), (3, res, res))
        assert data.loc[name, "macs"] == c.macs and data.loc[name, "params"] == c.params
    assert data.loc["inception_v3", "resolution"] == 299 and e is not None
    assert data.loc["mine", "macs"] == 123_000_000
    for ext in ("png", "svg"):
        out = plots.save(fig if ext == "png" else plots.accuracy_figure(), tmp_path / f"a.{ext}")
        assert out.stat().st_size > 10_000


def test_accuracy_params_density() -> None:
    fig = plots.accuracy_params_figure()
    d = fig.cnncost_data.set_index("model")
    assert d.loc["resnet50", "top1_per_mparam"] == pytest.approx(
        d.loc["resnet50", "top1"] / (25_557_032 / 1e6)
    )


def test_memory_and_layers_data_match_the_trace(tmp_path: Path) -> None:
    fig = plots.memory_figure("resnet18", [1, 4])
    d = fig.cnncost_data.set_index("batch")
    c4 = analyze(zoo.build("resnet18"), (3, 224, 224), batch=4)
    assert d.loc[4, "sum_of_outputs_bytes"] == c4.memory_bytes
    assert d.loc[4, "predicted_peak_bytes"] == c4.predicted_peak_bytes
    fig2 = plots.layers_figure("alexnet")
    lay = fig2.cnncost_data.set_index("name")
    assert lay.loc["fc6", "params"] == 37_752_832 and lay.loc["conv2", "macs"] == 447_897_600
    assert plots.save(fig2, tmp_path / "l.png").stat().st_size > 10_000
    with pytest.raises(Exception, match=r"\.png or \.svg"):
        plots.save(fig, tmp_path / "x.jpg")


def test_time_figure_fit() -> None:
    import pandas as pd

    t = pd.DataFrame({"model": list("abcd"), "macs": [1e9, 2e9, 3e9, 4e9],
                      "median_ms": [1.0, 2.0, 3.0, 4.0]})  # fmt: skip
    fig = plots.time_figure(t)
    fit = fig.cnncost_fits.iloc[0]
    assert fit["slope_ms_per_gmac"] == pytest.approx(1.0) and fit["r2"] == pytest.approx(1.0)


def test_cli_plot(cli, tmp_path: Path) -> None:
    net = tmp_path / "net.py"
    net.write_text("import torch.nn as nn\n\nclass Net(nn.Sequential):\n    def __init__(self):\n"
                   "        super().__init__(nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(1),"
                   " nn.Flatten(), nn.Linear(8, 1000))\n")  # fmt: skip
    out = tmp_path / "acc.png"
    r = cli("plot", "accuracy", "--add", f"{net}:Net", "--top1", "42", "--label", "tiny",
            "--out", str(out))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10_000 and oct(out.stat().st_mode & 0o777) != "0o600"
    r = cli("plot", "memory", "resnet18", "--batches", "1,2", "--out", str(tmp_path / "m.svg"))
    assert r.returncode == 0 and (tmp_path / "m.svg").exists()
    bad = [
        [
            "plot",
            "accuracy",
            "--add",
            f"{tmp_path}/missing.py:Net",
            "--top1",
            "5",
            "--out",
            "x.png",
        ],
        ["plot", "accuracy", "--add", f"{net}:Nope", "--top1", "5", "--out", "x.png"],
        ["plot", "accuracy", "--add", f"{net}:Net", "--out", "x.png"],
        ["plot", "accuracy", "--add", f"{net}:Net", "--top1", "500", "--out", "x.png"],
        ["plot", "layers", "--out", "x.png"],
        ["plot", "accuracy", "--out", "x.jpg"],
    ]
    for argv in bad:
        r = cli(*argv, cwd=tmp_path)
        assert r.returncode == 2, (argv, r.stderr)
        assert "Traceback" not in r.stderr
    assert not (tmp_path / "x.png").exists()
