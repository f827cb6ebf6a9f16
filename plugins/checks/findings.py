"""A finding: what is wrong, where, and how to fix it."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    path: str
    line: int | None
    problem: str
    fix: str
    error: bool = True

    @property
    def where(self) -> str:
        return f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)

    def __str__(self) -> str:
        level = "error" if self.error else "warning"
        return f"{self.where}: {level}: {self.problem} Fix: {self.fix}"


class ContentError(ValueError):
    """A content file cannot be built; the message says where and how to fix it."""

    def __init__(self, finding: Finding):
        super().__init__(str(finding))
        self.finding = finding


def display_path(path: str) -> str:
    """The path as staff would type it: relative to the current folder when inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
