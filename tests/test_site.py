"""The report generator writes every page and figure, deterministically, and what is committed
under reports/ is what a fresh generation gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnncost import compare, site, zoo

REPORTS = Path(__file__).resolve().parents[1] / "reports"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    # keep the committed measurements (GPU and CPU) visible, as in the repository
    import shutil

    for sub in ("cuda", "cpu"):
        if (REPORTS / sub).exists():
            shutil.copytree(REPORTS / sub, out / sub)
    site.generate(out, progress=False)
    return out


def test_every_page_and_figure_is_written(fresh: Path) -> None:
    for name in zoo.names():
        assert (fresh / "models" / f"{name}.md").read_text().startswith(f"# {name}")
        assert (fresh / "models" / f"{name}.png").stat().st_size > 5_000
    for name in compare.COMPARISONS:
        assert "Every closed form equals" in (fresh / "comparisons" / f"{name}.md").read_text()
    for rel in ("index.md", "zoo.md", "plots.md", "plots/accuracy.png",
                "plots/accuracy-params.png", "plots/memory-resnet50.png"):  # fmt: skip
        assert (fresh / rel).stat().st_size > 500
    zoo_page = (fresh / "zoo.md").read_text()
    assert "62,378,344" in zoo_page and "| 76.13 " in zoo_page  # alexnet params; resnet50 top-1


def test_committed_reports_equal_a_fresh_generation(fresh: Path) -> None:
    generated = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()
                       and p.parts[len(fresh.parts)] not in ("cuda", "cpu"))  # fmt: skip
    same_versions = (REPORTS / "index.md").read_text().splitlines()[2] == (
        fresh / "index.md"
    ).read_text().splitlines()[2]
    for rel in generated:
        committed = REPORTS / rel
        assert committed.exists(), f"reports/{rel} is not committed: run cnncost report"
        if rel.suffix == ".md":
            assert committed.read_text() == (fresh / rel).read_text(), f"reports/{rel} is stale"
        elif same_versions:  # PNG bytes depend on the matplotlib/freetype build
            assert committed.read_bytes() == (fresh / rel).read_bytes(), f"reports/{rel}"


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    site.generate(a, progress=False, models=["alexnet", "lenet5"])
    site.generate(b, progress=False, models=["alexnet", "lenet5"])
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files and all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
