"""The review screen: one key per answer, stored at once, resumed; keys of other kinds of
review fall through to the app; two outputs side by side as A and B."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from helpers import cpu_only_snapshot, text_of, wait_until
from hf_ecosystem.evaluation.human import open_review, read_ratings
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.review import ReviewScreen


def _errors(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with (folder / "errors.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["index", "text", "true", "predicted"])
        writer.writeheader()
        for i in range(3):
            writer.writerow({"index": i, "text": f"headline {i}", "true": "sport",
                             "predicted": "tech"})  # fmt: skip
    return folder


async def test_label_review_with_keys_resumes_and_lets_digits_switch_screens(
    isolated_env,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    folder = _errors(tmp_path / "evaluation" / "job-9")
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(ReviewScreen([folder], "ada"))
        await wait_until(pilot, lambda: "0 / 3 answered" in text_of(pilot, "#review-progress"))
        assert "headline 0" in text_of(pilot, "#review-prompt")
        assert "sport" in text_of(pilot, "#review-reference")  # what the metric counted
        await pilot.press("y")
        await wait_until(pilot, lambda: "1 / 3 answered" in text_of(pilot, "#review-progress"))
        assert "headline 1" in text_of(pilot, "#review-prompt")
        await pilot.press("s")  # skip: headline 2 first, 1 comes back at the end
        assert "headline 2" in text_of(pilot, "#review-prompt")
        await pilot.press("y")
        await pilot.press("u")  # back to headline 2: the new answer replaces the stored one
        assert "headline 2" in text_of(pilot, "#review-prompt")
        await pilot.press("n")
        await wait_until(pilot, lambda: "reviewed errors" in text_of(pilot, "#review-summary"))
        assert "1 of 2 reviewed errors are acceptable" in text_of(pilot, "#review-summary")
        # "5" is not an answer of a label review: it switches to the Runs screen as everywhere.
        await pilot.press("5")
        await wait_until(pilot, lambda: not isinstance(app.screen, ReviewScreen))
    stored = list(read_ratings(folder / "human" / "job-9" / "ada.jsonl"))
    assert [(r.item_id, r.answer) for r in stored] == [("0", "y"), ("2", "y"), ("2", "n")]
    assert [i.item_id for i in open_review([folder], "ada").remaining()] == ["1"]


async def test_pairwise_review_shows_a_and_b_and_stores_the_hidden_model(
    isolated_env,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    for name in ("left", "right"):
        lines = [json.dumps({"index": i, "input": f"q{i}", "output": f"{name} says {i}"})
                 for i in range(2)]  # fmt: skip
        (tmp_path / f"{name}.jsonl").write_text("\n".join(lines), encoding="utf-8")
    sources = [tmp_path / "left.jsonl", tmp_path / "right.jsonl"]
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(ReviewScreen(sources, "bob"))
        await wait_until(pilot, lambda: "0 / 2 answered" in text_of(pilot, "#review-progress"))
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.current is not None
        shown_b = screen.current.models[1]
        boxes = [str(w.render()) for w in screen.query(".review-output").results()]
        assert len(boxes) == 2 and boxes[1].startswith(shown_b)
        await pilot.press("b")
        await pilot.press("equals_sign")
        await wait_until(
            pilot, lambda: "Every item is answered" in text_of(pilot, "#review-prompt")
        )
        await wait_until(pilot, lambda: "preferred" in text_of(pilot, "#review-summary"))
    ratings = list(read_ratings(tmp_path / "human" / "left-vs-right" / "bob.jsonl"))
    assert [r.chosen for r in ratings] == [shown_b, "tie"]


async def test_h_in_the_evaluate_view_opens_a_review_of_its_errors(
    isolated_env,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from runs_fixtures import job_store, make_evaluation

    from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen

    folder = _errors(tmp_path / "evaluation" / "job-7")
    result = {"metrics": {"accuracy": 0.5}, "output_dir": str(folder),
              "confusion": {"labels": ["sport", "tech"], "counts": [[1, 3], [0, 2]]},
              "errors": [{"index": i, "text": f"headline {i}", "true": "sport",
                          "predicted": "tech", "confidence": 0.6} for i in range(3)]}  # fmt: skip
    (tmp_path / "model").mkdir()
    job_id = make_evaluation(job_store(), tmp_path / "model", result=result)
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_evaluation(job_id)
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
        screen = app.screen
        await wait_until(pilot, lambda: bool(screen.result.output_dir))  # type: ignore[attr-defined]
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await wait_until(pilot, lambda: "0 / 3 answered" in text_of(pilot, "#review-progress"))
