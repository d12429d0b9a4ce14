"""Fixtures of the feed tests, and the corpus layer: its marker and a line in the run's summary.

Whether the corpus layer ran must be visible at a glance: a fresh clone (no ``../shared``) says the
layer was not run, a run with the corpora says how many of its tests passed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import httpx
import pytest

from sessionclock.core.feed.fetch import make_client
from tests.support.corpus import MARKER, SHARED, corpus_dir, required
from tests.support.feed_server import CertificateFiles

_corpus_of: dict[str, str] = {}
"""The corpus (``ics``, ``peer-ics``) each collected corpus test reads, by node id."""


@pytest.fixture
def client(test_ca: CertificateFiles) -> Iterator[httpx.Client]:
    """Return a feed client that trusts the test CA."""
    with make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}, read_timeout=5) as made:
        yield made


def pytest_configure(config: pytest.Config) -> None:
    """Register the corpus marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name): reads the real-world corpus ../shared/<name> (skips when it is absent, "
        "required when CI=true)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Note which corpus each corpus test reads."""
    for item in items:
        marker = item.get_closest_marker(MARKER)
        if marker is not None:
            _corpus_of[item.nodeid] = str(marker.args[0])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say whether the corpus layer ran, and what it found."""
    outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for outcome, reports in terminalreporter.stats.items():
        if outcome not in ("passed", "failed", "skipped", "error"):
            continue
        for report in reports:
            name = _corpus_of.get(getattr(report, "nodeid", ""))
            if name is not None:
                outcomes[name][outcome] += 1
    if not outcomes:
        return
    terminalreporter.write_sep("-", "corpus layer")
    for name, counts in sorted(outcomes.items()):
        folder = corpus_dir(name)
        if folder is None:
            terminalreporter.write_line(
                f"corpus layer NOT run: {SHARED / name} is absent; {counts['skipped']} tests "
                "skipped (they run when the folder is there and are required with CI=true)"
            )
            continue
        files = sum(1 for path in folder.rglob("*") if path.is_file() and path.suffix != ".md")
        terminalreporter.write_line(
            f"corpus layer ran over {folder} ({files} files): {counts['passed']} passed, "
            f"{counts['failed']} failed, {counts['error']} errors, {counts['skipped']} skipped"
            + (" (required: CI=true)" if required() else "")
        )
