"""The session's installed wheel (``tests.packaging.wheel``), for the tests of this directory."""

from __future__ import annotations

import pytest

from tests.packaging.wheel import Installed, installed_wheel


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return installed_wheel(tmp_path_factory)
