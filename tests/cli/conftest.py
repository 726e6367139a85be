"""Shared by the command tests: no request may leave the machine, and AWS settings that point nowhere real."""

from __future__ import annotations

from typing import Any

import pytest

REGION = "eu-west-1"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that moto, a Stubber or a test hook did not answer fails the test instead of leaving."""

    def refuse(self: Any, request: Any) -> None:
        pytest.fail(f"a request reached the network layer: {request.method} {request.url}")

    monkeypatch.setattr("botocore.httpsession.URLLib3Session.send", refuse)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
