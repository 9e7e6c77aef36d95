"""What a publish would upload: files and sizes, skipped leftovers, or why it is refused."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from hf_ecosystem.publishing.plan import PublishPlan, SecretFileError
from hf_tui.format import human_bytes
from hf_tui.widgets.data_table import DataTable


class PublishPlanView(Vertical):
    """A refusal panel, a one-line summary, the files table and notes (skipped, warnings)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="publish-refusal")
        yield Static("Planning the upload…", id="publish-summary")
        yield DataTable(id="publish-files", show_cursor=False, zebra_stripes=True)
        yield Static("", id="publish-notes")

    def on_mount(self) -> None:
        files = self.query_one("#publish-files", DataTable)
        files.add_column("file", key="file")
        files.add_column("size", key="size")
        files.border_title = "Files to upload"

    def show(self, plan: PublishPlan | None, refusal: SecretFileError | None) -> None:
        """The plan's files and notes, or the secrets that refuse the folder."""
        files = self.query_one("#publish-files", DataTable)
        files.clear()
        files.display = plan is not None
        if refusal is not None:
            text = Text(f"{refusal.title}\n", style="bold")
            for path, why in refusal.findings:
                text.append(f"  {path}: {why}\n")
            text.append(refusal.hint)
            self.refuse(text)
        else:
            self.query_one("#publish-refusal", Static).display = False
        if plan is not None:
            for planned in plan.files:
                files.add_row(planned.path, human_bytes(planned.size), key=planned.path)
            self.query_one("#publish-summary", Static).update(
                f"{len(plan.files)} files, {human_bytes(plan.total_bytes)} in all "
                "(plus the model card)"
            )
            notes = Text()
            for skipped in plan.skipped:
                notes.append(f"skipped {skipped.path} ({skipped.reason})\n", style="dim")
            for warning in plan.warnings:
                notes.append(f"warning: {warning}\n", style="yellow")
            self.query_one("#publish-notes", Static).update(notes)

    def refuse(self, reason: Text) -> None:
        """Nothing can be published, and why."""
        panel = self.query_one("#publish-refusal", Static)
        panel.update(reason)
        panel.display = True
        self.query_one("#publish-summary", Static).update("Nothing can be published.")
        self.query_one("#publish-notes", Static).update("")
