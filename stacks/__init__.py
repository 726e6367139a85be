"""Stacks that compose the emr_constructs library into a deployable app (stateful apart from stateless)."""

from stacks.app_builder import DEFAULT_CONFIG, build_app, project_context
from stacks.cluster_stack import ClusterStack
from stacks.stateful_stack import StatefulStack

__all__ = ["DEFAULT_CONFIG", "ClusterStack", "StatefulStack", "build_app", "project_context"]
