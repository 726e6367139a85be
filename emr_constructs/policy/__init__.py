"""The EMR policy rules, written once and run by the ``EmrChecks`` cdk-nag pack and ``emr-constructs check``."""

from emr_constructs.policy.engine import Finding, check_templates
from emr_constructs.policy.rules import RULES, Options, Rule
from emr_constructs.policy.templates import TemplateSet, load_templates

__all__ = ["RULES", "Finding", "Options", "Rule", "TemplateSet", "check_templates", "load_templates"]
