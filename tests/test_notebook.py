"""The tour notebook runs top to bottom (so it cannot rot) and shows the lecture's numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "cnn_architectures_tour.ipynb"


def test_tour_notebook_executes() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    where = {"metadata": {"path": str(NOTEBOOK.parent)}}
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources=where)
    client.execute()
    text, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            text.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
            images += "image/png" in out.get("data", {})
    joined = "\n".join(text)
    assert "62,378,344" in joined  # the lecture's AlexNet total
    assert "FC parameters: 58,631,144 of 62,378,344 = 94.0%" in joined
    assert "120,422,400" in joined and "12,443,648" in joined  # the bottleneck arithmetic
    assert images >= 3  # the per-layer chart, the accuracy plot, the memory plot
