"""Bootstrap actions and steps."""

from emr_constructs.jobs.bootstrap import BootstrapAction
from emr_constructs.jobs.steps import CommandStep, HiveStep, JarStep, SparkStep, Step, step_from_spec

__all__ = ["BootstrapAction", "CommandStep", "HiveStep", "JarStep", "SparkStep", "Step", "step_from_spec"]
