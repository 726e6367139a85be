"""Stacks that compose the emr_constructs library into a deployable app (stateful apart from stateless)."""

from stacks.account_baseline_stack import AccountBaselineStack
from stacks.app_builder import DEFAULT_CONFIG, build_app, project_context
from stacks.cluster_stack import ClusterStack
from stacks.stateful_stack import StatefulStack

__all__ = ["DEFAULT_CONFIG", "AccountBaselineStack", "ClusterStack", "StatefulStack", "build_app", "project_context"]
