"""The command line as a user types it: output, formats, exit codes, one-paragraph errors."""

from __future__ import annotations

import csv
import io
import json

from cnncost.cli import main


def test_table_alexnet_reproduces_the_lecture(cli) -> None:
    r = cli("table", "alexnet")
    assert r.returncode == 0, r.stderr
    assert "62,378,344" in r.stdout  # lecture's total
    for p in ("34,944", "614,656", "885,120", "1,327,488", "884,992", "37,752,832",
              "16,781,312", "4,097,000"):  # fmt: skip
        assert p in r.stdout
    assert "Unsupported ops: none" in r.stdout and "MACs = multiply-accumulates" in r.stdout
    assert r.stderr == ""


def test_json_schema(cli) -> None:
    r = cli("table", "alexnet", "--format", "json", "--batch", "2")
    d = json.loads(r.stdout)  # stdout holds the JSON and nothing else
    assert d["model"] == "alexnet" and d["input_shape"] == [2, 3, 227, 227]
    assert d["dtype"] == "float32" and d["unsupported"] == {}
    assert set(d["totals"]) >= {"params", "memory_bytes", "macs", "flops"}
    row = next(x for x in d["rows"] if x["name"] == "conv1")
    assert row["kind"] == "Conv2d" and row["output_shape"] == [2, 96, 55, 55]
    assert row["params"] == 34944 and row["macs"] == 2 * 105_415_200
    assert row["memory_bytes"] == 2 * 55 * 55 * 96 * 4
    assert sum(x["macs"] for x in d["rows"]) == d["totals"]["macs"]


def test_csv_markdown_and_out(cli, tmp_path) -> None:
    r = cli("table", "googlenet_stem", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["name"] for x in rows] == ["conv1", "maxpool1", "conv2", "conv3", "maxpool2"]
    assert rows[0]["memory_bytes"] == str(3136 * 1024)
    r = cli("table", "googlenet_stem", "--format", "markdown")
    assert "| conv1" in r.stdout and "**googlenet_stem" in r.stdout
    out = tmp_path / "stem.md"
    out.write_text("old")
    r = cli("table", "googlenet_stem", "--format", "markdown", "--out", str(out))
    assert r.returncode == 0 and r.stdout == "" and "| conv1" in out.read_text()
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_depth_and_all_views(cli) -> None:
    r = cli("table", "alexnet", "--all")
    assert "relu1" in r.stdout and "drop6" in r.stdout
    r = cli("table", "alexnet_torchvision", "--depth", "1")
    lines = [line.split()[0] for line in r.stdout.splitlines()[4:8]]
    assert lines == ["features", "avgpool", "classifier", "total"]


def test_unknown_model_exits_2_with_close_names(cli) -> None:
    r = cli("table", "alexnt")
    assert r.returncode == 2 and "alexnet" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_malformed_input_exits_2(cli) -> None:
    for bad in ("3x224", "3by224by224", "0x224x224", "-3x2x2", ""):
        r = cli("table", "alexnet", "--input", bad)
        assert r.returncode == 2, bad
        assert "CxHxW" in r.stderr or "between 1" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    assert cli("table", "alexnet", "--batch", "0").returncode == 2
    assert cli("table", "alexnet", "--format", "yaml").returncode == 2


def test_failing_forward_exits_1_naming_the_layer(cli) -> None:
    r = cli("table", "alexnet", "--input", "3x32x32")
    assert r.returncode == 1
    assert "maxpool2" in r.stderr and "[1, 256, 2, 2]" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = cli("table", "alexnet", "--input", "3x32x32", "--debug")
    assert "Traceback" in r.stderr


def test_main_in_process_returns_codes(capsys) -> None:
    assert main(["table", "googlenet_stem", "--format", "csv"]) == 0
    assert "conv1" in capsys.readouterr().out
    assert main(["table", "nope"]) == 2
    assert main([]) == 2


def test_list_every_model_with_computed_numbers(cli) -> None:
    from cnncost import analyze, zoo

    r = cli("list", "--format", "json")
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert set(rows) == set(zoo.names())
    for name in ("alexnet", "resnet50", "mobilenet_v1"):
        e = zoo.get(name)
        c = analyze(zoo.build(name), e.input_size)
        assert rows[name]["params"] == c.params and rows[name]["macs"] == c.macs
        assert rows[name]["input"] == "x".join(map(str, e.input_size))
    text = cli("list").stdout
    assert "62,378,344" in text and "MACs" in text
