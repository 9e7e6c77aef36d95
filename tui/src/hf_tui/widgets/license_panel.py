"""What a license allows, in plain words, from the core's license catalog."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from hf_ecosystem.hub.licenses import LicenseInfo, lookup_license


class LicensePanel(Static):
    """The license's name, summary, what it permits and forbids, and its conditions."""

    DEFAULT_CSS = """
    LicensePanel {
        height: auto;
        padding: 0 1;
        border: round $secondary;
        border-title-color: $secondary;
    }
    """

    def __init__(self, license_id: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "License"
        self.info: LicenseInfo = lookup_license(license_id)

    def on_mount(self) -> None:
        self.show(self.info)

    def show_license(self, license_id: str | None) -> None:
        """Show the catalog entry for `license_id` (missing → unknown)."""
        self.show(lookup_license(license_id))

    def show(self, info: LicenseInfo) -> None:
        """Render one catalog entry."""
        self.info = info
        text = Text()
        text.append(f"{info.name} ", style="bold")
        text.append(f"({info.id})\n", style="dim")
        text.append(info.summary + "\n")
        if info.permits():
            text.append("✔ permits: ", style="green")
            text.append(", ".join(info.permits()) + "\n")
        if info.forbids():
            text.append("✘ forbids: ", style="red")
            text.append(", ".join(info.forbids()) + "\n")
        if info.conditions():
            text.append("! conditions: ", style="yellow")
            text.append(", ".join(info.conditions()) + "\n")
        if info.read_license_file:
            text.append("Read the repo's license file before use.", style="bold yellow")
        self.update(text)
