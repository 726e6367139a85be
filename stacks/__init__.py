"""Stacks that compose the emr_constructs library into a deployable app (stateful apart from stateless).

``AccountBaselineStack`` is imported on first use: its custom resource loads ``aws_cdk.custom_resources``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stacks.app_builder import DEFAULT_CONFIG, build_app, project_context
from stacks.cluster_stack import ClusterStack
from stacks.stateful_stack import StatefulStack

if TYPE_CHECKING:
    from stacks.account_baseline_stack import AccountBaselineStack

__all__ = ["DEFAULT_CONFIG", "AccountBaselineStack", "ClusterStack", "StatefulStack", "build_app", "project_context"]


def __getattr__(name: str) -> Any:
    if name == "AccountBaselineStack":
        from stacks.account_baseline_stack import AccountBaselineStack

        return AccountBaselineStack
    raise AttributeError(f"module 'stacks' has no attribute {name!r}")
