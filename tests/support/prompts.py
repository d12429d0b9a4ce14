"""Prompts for tests: confirmations answered from a script, reports kept for the test to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget


@dataclass
class ScriptedPrompts:
    """Answers each confirmation with the next scripted answer and keeps every report.

    A question nobody scripted an answer for fails the test, so an unexpected prompt is never
    answered silently.

    Attributes:
        answers: the answers still to give, in order.
        asked: (title, question, serious) of every confirmation asked.
        reports: (title, message, serious) of every report shown.
        save_paths: the answers to "where should this be saved?", in order (None: cancel).
        save_questions: (title, suggested, filters) of every such question.
        crashes: the report of every unexpected error announced.
    """

    answers: list[bool] = field(default_factory=list)
    asked: list[tuple[str, str, bool]] = field(default_factory=list)
    reports: list[tuple[str, str, bool]] = field(default_factory=list)
    save_paths: list[Path | None] = field(default_factory=list)
    save_questions: list[tuple[str, Path, str]] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def confirm(
        self, parent: QWidget | None, title: str, question: str, *, serious: bool = False
    ) -> bool:
        """Record the question and give the next scripted answer."""
        self.asked.append((title, question, serious))
        if not self.answers:
            raise AssertionError(f"no answer scripted for the question {title!r}")
        return self.answers.pop(0)

    def report(
        self, parent: QWidget | None, title: str, message: str, *, serious: bool = False
    ) -> None:
        """Record the report."""
        self.reports.append((title, message, serious))

    def choose_save_path(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        """Record the question and give the next scripted path."""
        self.save_questions.append((title, suggested, filters))
        if not self.save_paths:
            raise AssertionError(f"no path scripted for the question {title!r}")
        return self.save_paths.pop(0)

    def crashed(self, parent: QWidget | None, report: str) -> None:
        """Record the crash report."""
        self.crashes.append(report)

    @property
    def messages(self) -> list[str]:
        """Return the message of every report, in order."""
        return [message for _, message, _ in self.reports]
