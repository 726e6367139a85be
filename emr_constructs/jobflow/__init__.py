"""Transient job flows: a Step Functions state machine that creates an EMR cluster, runs steps and terminates it."""

from emr_constructs.jobflow.transient import (
    DEFAULT_CLUSTER_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_STEP_TIMEOUT,
    JOB_FLOW_TAG_KEY,
    TransientJobFlow,
)

__all__ = [
    "DEFAULT_CLUSTER_TIMEOUT",
    "DEFAULT_IDLE_TIMEOUT_SECONDS",
    "DEFAULT_STEP_TIMEOUT",
    "JOB_FLOW_TAG_KEY",
    "TransientJobFlow",
]
