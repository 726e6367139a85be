from __future__ import annotations

from pathlib import Path

import pytest

from tests.bootstrap.harness import Node


@pytest.fixture
def node(tmp_path: Path) -> Node:
    """A fake node with stub commands; everything lives under tmp_path."""
    return Node(tmp_path)
