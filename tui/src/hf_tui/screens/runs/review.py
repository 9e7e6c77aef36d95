"""ReviewScreen: human evaluation, one item at a time, one key per answer.

Shows the input and the model's output (or outputs A and B, order hidden), takes an answer with a
single key, stores it at once (so quitting loses nothing and the review resumes where it stopped),
and shows the running summary: counts, agreement with other reviewers, and the human-vs-metric
comparison.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static

from hf_ecosystem.evaluation.human import ANSWER_HELP, ANSWERS, Review, ReviewItem, open_review
from hf_ecosystem.evaluation.human_stats import HumanSummary, summarize
from hf_tui.screens.base import HfScreen

KEY_NAMES = {"=": "equals_sign"}
ALL_ANSWERS = sorted({key for keys in ANSWERS.values() for key in keys})


class ReviewScreen(HfScreen):
    """Review model outputs with single keys; answers are stored as they are given."""

    DEFAULT_CSS = """
    ReviewScreen #review-progress { height: 1; padding: 0 1; background: $boost; }
    ReviewScreen #review-body { height: 1fr; padding: 0 1; }
    ReviewScreen .review-output { width: 1fr; border: round $primary; padding: 0 1; height: auto; }
    ReviewScreen #review-outputs { height: auto; }
    ReviewScreen #review-summary { height: auto; max-height: 8; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "skip", "Skip"),
        Binding("u", "undo", "Previous item"),
        # One key per answer; only the review's own answers are active (check_action).
        *(Binding(KEY_NAMES.get(k, k), f"answer('{k}')", k, show=False) for k in ALL_ANSWERS),
    ]

    def __init__(self, sources: list[Path], reviewer: str, name: str | None = None) -> None:
        super().__init__()
        self.sources = sources
        self.reviewer = reviewer
        self.review_name = name
        self.review: Review | None = None
        self.queue: list[ReviewItem] = []
        self.history: list[ReviewItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-progress")
        with VerticalScroll(id="review-body"):
            yield Static("", id="review-prompt")
            yield Horizontal(id="review-outputs")
            yield Static("", id="review-reference")
        yield Static("", id="review-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.open()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open(self) -> None:
        review = open_review(self.sources, self.reviewer, name=self.review_name)
        self.app.call_from_thread(self._opened, review)

    def _opened(self, review: Review) -> None:
        self.review = review
        self.queue = review.remaining()
        self.sub_title = f"{review.name} · {review.kind} · reviewer {review.reviewer}"
        self.refresh_bindings()
        self._show()
        self.update_summary()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Answer keys of another kind of review fall through (digits still switch screens)."""
        if action == "answer":
            return self.review is not None and parameters[0] in ANSWERS[self.review.kind]
        return True

    @property
    def current(self) -> ReviewItem | None:
        """The item on screen (None when every item is answered)."""
        return self.queue[0] if self.queue else None

    def _show(self) -> None:
        review, item = self.review, self.current
        if review is None:
            return
        done = len(review.items) - len(self.queue)
        self.query_one("#review-progress", Static).update(
            Text(f"{done} / {len(review.items)} answered · {ANSWER_HELP[review.kind]} · s skip")
        )
        outputs = self.query_one("#review-outputs", Horizontal)
        outputs.remove_children()
        if item is None:
            self.query_one("#review-prompt", Static).update(
                Text(f"Every item is answered. Ratings: {review.path}", style="bold")
            )
            self.query_one("#review-reference", Static).update("")
            return
        self.query_one("#review-prompt", Static).update(Text(f"Input\n{item.prompt}"))
        titles = ("A", "B") if review.kind == "pairwise" else ("Model output",)
        for title, text in zip(titles, item.outputs, strict=False):
            box = Static(Text(text), classes="review-output")
            box.border_title = title
            outputs.mount(box)
        extra = ""
        if item.metric_label is not None:
            extra = f"The dataset's label (counted by the metric): {item.metric_label}"
        elif item.reference is not None:
            extra = f"Reference\n{item.reference}"
        self.query_one("#review-reference", Static).update(Text(extra, style="dim"))

    def action_answer(self, key: str) -> None:
        """Store the answer to the item on screen and move on."""
        review, item = self.review, self.current
        if review is None or item is None:
            return
        review.answer(item, key)
        self.history.append(self.queue.pop(0))
        self._show()
        self.update_summary()

    def action_skip(self) -> None:
        """Leave the item for later (it comes back at the end)."""
        if len(self.queue) > 1:
            self.queue.append(self.queue.pop(0))
            self._show()

    def action_undo(self) -> None:
        """Show the previous item again (a new answer replaces the stored one)."""
        if self.history:
            self.queue.insert(0, self.history.pop())
            self._show()

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def update_summary(self) -> None:
        if self.review is not None:  # chrF per item imports sacrebleu: off the event loop
            self.app.call_from_thread(self._summarized, summarize(self.review))

    def _summarized(self, summary: HumanSummary) -> None:
        text = Text()
        if summary.counts:
            text.append("answers: " + "  ".join(f"{k}: {v}" for k, v in summary.counts.items()))
        if summary.mean_rating is not None:
            text.append(f"  · mean rating {summary.mean_rating:.2f}")
        if summary.wins:
            text.append("  · preferred: " + ", ".join(f"{m} {n}" for m, n in summary.wins.items()))
        for agreement in summary.agreements:
            text.append(
                f"\nCohen's kappa {agreement.first} vs {agreement.second}: "
                f"{agreement.kappa:+.2f} over {agreement.items} items"
            )
        for line in summary.comparison:
            text.append(f"\n{line}")
        self.query_one("#review-summary", Static).update(text)

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "open":
            self.query_one("#review-prompt", Static).update(Text(f"{title}\n{hint}", style="red"))


def run_review_app(sources: list[Path], reviewer: str, name: str | None = None) -> None:
    """`hf-tui review`: the review screen on its own, without the rest of the app."""
    from textual.app import App

    class ReviewApp(App[None]):
        TITLE = "hf-tui review"

        def on_mount(self) -> None:
            screen = ReviewScreen(sources, reviewer, name)
            self.push_screen(screen, lambda _: self.exit())

    ReviewApp().run()
