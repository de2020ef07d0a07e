"""Shared fixtures. Prefect keeps its state in a temporary folder for the whole session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="minsheng-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Messages and reports in English whatever the machine's locale; tests of Chinese ask for it.
os.environ["MINSHENG_LANG"] = "en"

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "yueqing-2022-08.txt"
EXPECTED = FIXTURES / "yueqing-2022-08.expected.csv"
SAMPLE_NAME = "2022年8月民生实事项目进展情况.txt"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English, and one that switched language does not leak it."""
    from i18n import use_language

    os.environ["MINSHENG_LANG"] = "en"
    use_language("en")
    yield
    os.environ["MINSHENG_LANG"] = "en"
    use_language("en")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real Prefect API (temporary server and database) for flow runs in tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=300):
        yield


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """The August sample under a name that carries its year and month."""
    target = tmp_path / "in" / SAMPLE_NAME
    target.parent.mkdir()
    shutil.copyfile(SAMPLE, target)
    return target


def sample_lines() -> list[str]:
    return SAMPLE.read_text("utf-8").splitlines()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
