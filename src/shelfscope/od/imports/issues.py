"""What an import found wrong or worth a warning: every issue counted, the first ones listed, and the
rejection that carries the report when nothing may be written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from shelfscope.errors import ShelfscopeError
from shelfscope.od.imports.readers import Entry
from shelfscope.od.imports.schemas import ImportReport, IssueOut, OnInvalid
from shelfscope.od.io.common import Issue, Severity

MAX_LISTED_ISSUES = 1000


class ImportRejected(ShelfscopeError):
    """Invalid entries under on_invalid=fail, or nothing importable: nothing was written."""

    status_code = 422
    kind = "ValidationFailed"

    def __init__(self, detail: str, report: ImportReport, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.report = report


class IssueLog:
    """Every issue counted by kind; the first MAX_LISTED_ISSUES kept for the report."""

    def __init__(self) -> None:
        self.listed: list[Issue] = []
        self.counts: Counter[str] = Counter()
        self.invalid = 0

    def add(self, issue: Issue) -> None:
        self.counts[issue.kind] += 1
        if issue.severity == "invalid":
            self.invalid += 1
        if len(self.listed) < MAX_LISTED_ISSUES:
            self.listed.append(issue)

    def extend(self, issues: Sequence[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    @property
    def truncated(self) -> bool:
        return sum(self.counts.values()) > len(self.listed)

    def fill(self, report: ImportReport) -> None:
        """The report's issue counts, listed issues and truncation flag."""
        report.issue_counts = dict(self.counts)
        report.issues = [IssueOut(**issue.as_dict()) for issue in self.listed]
        report.issues_truncated = self.truncated


def entry_issue(entry: Entry, kind: str, message: str, severity: Severity = "invalid") -> Issue:
    """An issue placed where the entry was read (its file, line and field; else its image path)."""
    return Issue(kind, message, entry.file or entry.path, entry.line, entry.field, severity)


def rejection(detail: str, log: IssueLog, report: ImportReport) -> ImportRejected:
    log.fill(report)
    first = next((i for i in log.listed if i.severity == "invalid"), None)
    extra = {k: v for k, v in (first.as_dict() if first else {}).items() if k in ("file", "line", "field")}
    return ImportRejected(detail, report, invalid=log.invalid, **extra)


def reject_if_invalid(log: IssueLog, on_invalid: OnInvalid, report: ImportReport, stage: str) -> None:
    if on_invalid != "fail" or not log.invalid:
        return
    first = next(i for i in log.listed if i.severity == "invalid")
    more = f" and {log.invalid - 1} more" if log.invalid > 1 else ""
    raise rejection(
        f"The import was rejected while {stage}: {first.message}{more} (on_invalid is 'fail'; nothing was "
        "imported; send on_invalid 'skip' to import the valid entries).",
        log,
        report,
    )
