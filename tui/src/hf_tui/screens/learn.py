"""Learn mode: the course outline (courses, modules, lessons) from the notebooks' metadata, each
lesson's objective and outcomes, how to open it in Jupyter, and "do it here"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Static, Tree
from textual.widgets.tree import TreeNode

from hf_ecosystem.course.lessons import Lesson
from hf_ecosystem.course.outline import (
    CourseOutline,
    default_lessons_root,
    jupyter_command,
    read_outline,
)
from hf_ecosystem.errors import HfEcoError
from hf_tui.screens.base import HfScreen
from hf_tui.screens.learn_text import Entry, do_text, entry_text, jupyter_text, tree_label


class LearnScreen(HfScreen):
    """The course outline as a tree; the pane shows the highlighted course, module or lesson."""

    AUTO_FOCUS = "#learn-tree"
    BINDINGS = [
        Binding("d", "do_here", "Do it here", tooltip="Open the screen that does this step"),
        Binding(
            "c", "copy_command", "Copy command", tooltip="Copy the command that opens it in Jupyter"
        ),
        Binding("ctrl+r", "reload", "Reload"),
    ]

    @dataclass
    class Loaded(Message):
        """The outline was read from the notebooks."""

        outline: tuple[CourseOutline, ...]

    def __init__(self, root: Path | None = None) -> None:
        """`root`: the lessons folder (default: the repository's notebooks/)."""
        super().__init__()
        self.root = root or default_lessons_root()
        self.entry: Entry | None = None  # the highlighted course, module, lesson or problem

    @property
    def lesson(self) -> Lesson | None:
        """The highlighted lesson, if a lesson is highlighted."""
        return self.entry if isinstance(self.entry, Lesson) else None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="learn-body"):
            tree: Tree[Entry] = Tree("Course", id="learn-tree")
            tree.show_root = False
            tree.border_title = "Outline"
            yield tree
            with VerticalScroll(id="learn-pane"):
                yield Static("Reading the lessons…", id="lesson-text")
                yield Static("", id="lesson-jupyter", classes="learn-box")
                yield Static("", id="lesson-do", classes="learn-box")
                with Horizontal(id="learn-actions"):
                    yield Button("Do it here (d)", variant="primary", id="do-here", disabled=True)
                    yield Button("Copy command (c)", id="copy-command", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lesson-jupyter").border_title = "Open in Jupyter"
        self.query_one("#lesson-do").border_title = "Do it here"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lessons")
    def load(self) -> None:
        """Read every notebook's metadata off the event loop."""
        self.post_message(self.Loaded(read_outline(self.root)))

    def action_reload(self) -> None:
        """Read the lessons again (after editing a notebook)."""
        self.load()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        tree: Tree[Entry] = self.query_one("#learn-tree", Tree)
        keep = self.lesson.id if self.lesson else None
        tree.clear()
        first: TreeNode[Entry] | None = None
        for course in message.outline:
            course_node = tree.root.add(tree_label(course), course, expand=True)
            for group in course.modules:
                node = course_node.add(tree_label(group), group, expand=True)
                node.allow_expand = bool(group.lessons)
                for lesson in group.lessons:
                    leaf = node.add_leaf(tree_label(lesson), lesson)
                    if first is None or lesson.id == keep:
                        first = leaf
            for problem in course.problems:
                course_node.add_leaf(tree_label(problem), problem)
        if first is None and tree.root.children:
            first = tree.root.children[0]
        if first is not None:
            self._show(first.data)
            # asking for a line lays the new tree out (a node's own line is known only later)
            lines = range(tree.last_line + 1)
            tree.cursor_line = next(n for n in lines if tree.get_node_at_line(n) is first)

    @on(Tree.NodeHighlighted, "#learn-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        self._show(event.node.data)

    def _show(self, entry: Entry | None) -> None:
        self.entry = entry
        lesson = self.lesson
        self.query_one("#lesson-text", Static).update(entry_text(entry) if entry else "")
        for box in ("#lesson-jupyter", "#lesson-do"):
            self.query_one(box).display = lesson is not None
        self.query_one("#learn-actions").display = lesson is not None
        if lesson is None:
            return
        self.query_one("#lesson-jupyter", Static).update(jupyter_text(lesson, self.root))
        self.query_one("#lesson-do", Static).update(do_text(lesson))
        self.query_one("#do-here", Button).disabled = lesson.in_hf_tui.do is None
        self.query_one("#copy-command", Button).disabled = False

    # -- actions ------------------------------------------------------------------------------

    @on(Button.Pressed, "#do-here")
    async def action_do_here(self) -> None:
        """Open the screen that does the lesson's step, its inputs filled in."""
        from hf_tui.screens.do_here import open_do_here

        lesson = self.lesson
        if lesson is None or lesson.in_hf_tui.do is None:
            self.notify("Highlight a lesson with a step to open here.", severity="warning")
            return
        try:
            await open_do_here(self.hf_app, lesson.in_hf_tui.do)
        except HfEcoError as exc:
            # the lesson's metadata names something this app cannot open: said in the pane
            error = Text(f"{exc.title}\n{exc.hint}", style="red")
            self.query_one("#lesson-do", Static).update(error)
            self.notify(exc.hint or exc.title, title=exc.title, severity="error", markup=False)

    @on(Button.Pressed, "#copy-command")
    def action_copy_command(self) -> None:
        """Copy the command that opens the lesson in Jupyter Lab."""
        lesson = self.lesson
        if lesson is None:
            self.notify("Highlight a lesson first.", severity="warning")
            return
        command = jupyter_command(lesson, self.root)
        self.app.copy_to_clipboard(command)
        self.notify(command, title="Copied to the clipboard", markup=False)

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "lessons":
            self.query_one("#lesson-text", Static).update(Text(f"{title}\n{hint}", style="red"))
