"""Dataset Detail: card, configs/splits, streamed preview, statistics and plots, local files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from textual.widgets import DataTable, Select

from fakehub import FakeHub, FakeRepo
from helpers import add_local_repo, cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.data.types import Distribution
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.dataset_detail import DatasetDetailScreen
from hf_tui.widgets.stats_panel import StatsPanel, histogram

CARD = (
    "---\nlicense: cc-by-4.0\ntask_categories:\n- text-classification\nconfigs:\n"
    "- config_name: default\n  data_files:\n  - split: train\n    path: train.csv\n"
    "  - split: test\n    path: test.csv\n---\n# Reviews\n\nShort product reviews.\n"
)


def _csv(rows: list[tuple[str, str]]) -> bytes:
    return ("text,label\n" + "".join(f'"{t}",{lab}\n' for t, lab in rows)).encode()


def test_histogram_from_quantiles_keeps_the_mass() -> None:
    dist = Distribution(count=100, min=0, max=100, quantiles=((0.25, 25), (0.5, 50), (0.75, 90)))
    labels, counts = histogram(dist, bins=10)
    assert len(labels) == len(counts) == 10
    assert abs(sum(counts) - 100) < 1e-6
    # linear between quantiles: 10 % of the rows in [0, 10), 25 % in [90, 100], 6.25 % in [50, 60)
    assert abs(counts[0] - 10) < 1e-6 and abs(counts[-1] - 25) < 1e-6
    assert abs(counts[5] - 6.25) < 1e-6


async def _open(app: HfTuiApp, pilot, spec: str) -> DatasetDetailScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: app.backend_choice is not None)
    app.open_detail(spec, "dataset")
    await wait_until(pilot, lambda: isinstance(app.screen, DatasetDetailScreen))
    screen = app.screen
    assert isinstance(screen, DatasetDetailScreen)
    return screen


async def test_local_hub_dataset_preview_and_stats(isolated_env: Path) -> None:
    rows = [("great phone", "pos"), ("broke in a day", "neg"), ("fine", "pos"), ("meh", "neg"),
            ("love it so much", "pos"), ("terrible support", "neg"), ("ok", "pos")]  # fmt: skip
    files = {"train.csv": _csv(rows), "test.csv": _csv(rows[:2])}
    add_local_repo(isolated_env / "hftui_home" / "hub", "me/reviews", CARD, files, kind="datasets")
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 50)) as pilot:
        screen = await _open(app, pilot, "me/reviews")
        await wait_until(pilot, lambda: screen.parsed is not None)
        await pilot.press("p")
        await wait_until(pilot, lambda: "first 7 rows" in text_of(pilot, "#preview-status"))
        table = screen.query_one("#preview-table", DataTable)
        assert table.row_count == 7 and table.get_row_at(0) == ["great phone", "pos"]
        assert screen.query_one("#split-select", Select).value == "train"
        await pilot.press("s")
        panel = screen.query_one(StatsPanel)
        await wait_until(pilot, lambda: "7 rows" in str(panel.query_one("#stats-summary").render()))
        stats_table = screen.query_one("#stats-columns", DataTable)
        assert stats_table.row_count == 2
        assert screen.query_one("#stats-labels").display  # label balance plotted
        screen.query_one("#split-select", Select).value = "test"
        await wait_until(pilot, lambda: "2 rows" in str(panel.query_one("#stats-summary").render()))


async def test_hub_dataset_through_the_fake_hub(fake_hub: FakeHub, tmp_path: Path) -> None:
    table = pa.table(
        {"text": [f"row {i}" for i in range(300)], "label": [i % 3 for i in range(300)]}
    )
    pq.write_table(table, tmp_path / "train.parquet")
    fake_hub.add(FakeRepo("acme/rows", kind="dataset", files={
        "README.md": b"---\nlicense: mit\n---\n# rows\n",
        "data/train.parquet": (tmp_path / "train.parquet").read_bytes(),
    }))  # fmt: skip
    app = HfTuiApp(sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 50)) as pilot:
        screen = await _open(app, pilot, "acme/rows")
        await pilot.press("p")
        await wait_until(pilot, lambda: "first 100 rows" in text_of(pilot, "#preview-status"), 20)
        assert screen.query_one("#preview-table", DataTable).row_count == 100


async def test_local_file_opens_as_a_dataset(isolated_env: Path, tmp_path: Path) -> None:
    source = tmp_path / "mine.csv"
    source.write_bytes(_csv([("a", "x"), ("b", "y")]))
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 50)) as pilot:
        await _open(app, pilot, str(source))
        await wait_until(pilot, lambda: "mine.csv" in " ".join(table_ids(pilot, "#files")))
        await pilot.press("p")
        await wait_until(pilot, lambda: "first 2 rows" in text_of(pilot, "#preview-status"))


async def test_bad_dataset_shows_the_error(isolated_env: Path, tmp_path: Path) -> None:
    broken = tmp_path / "empty.csv"
    broken.write_text("")
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 50)) as pilot:
        screen = await _open(app, pilot, str(broken))
        await pilot.press("p")
        await wait_until(pilot, lambda: "empty" in text_of(pilot, "#preview-status").lower())
        assert app.is_running and screen.is_mounted
