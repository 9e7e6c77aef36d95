"""What a publish job's outcome reads as on the Publish screen."""

from __future__ import annotations

from rich.text import Text

from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.publishing.results import PublishJobResult
from hf_tui.format import STATUS_STYLES


def outcome_text(record: JobRecord) -> tuple[Text, bool]:
    """The job's status, its error or where it published; and whether it succeeded."""
    text = Text(f"Job {record.id} ", style="bold")
    text.append(record.status, style=STATUS_STYLES.get(record.status, ""))
    result = result_as(record, PublishJobResult) or PublishJobResult()
    published = result.published
    if record.error:
        text.append(f"\n{record.error.get('title', '')}: {record.error.get('hint', '')}", "red")
        return text, False
    if record.status != "succeeded":
        return text, False
    where = published.location or "?"
    text.append(f"\nPublished {published.repo_id} → {where}", style="green")
    if not published.local and published.private is not None:
        changed = " (visibility changed)" if published.visibility_changed else ""
        text.append(f"\n{'private' if published.private else 'public'} repo{changed}")
    if result.versions:
        text.append(f"\nversions: {', '.join(result.versions)}")
    if published.local:
        name = published.repo_id.rsplit("/", 1)[-1]
        text.append(f"\nFind it on Models (1): search '{name}'.", style="dim")
    return text, True
