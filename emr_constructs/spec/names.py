"""Names that AWS derives from a config, checked against each service's documented pattern and length.

Sources (each API reference's request parameter, as in botocore's service models):
- CloudFormation ``CreateStack`` StackName: letters, digits and hyphens, starting with a letter, at most 128.
- CloudWatch ``PutDashboard`` DashboardName: A-Z, a-z, 0-9, '-' and '_', at most 255.
- CloudWatch Logs ``CreateLogGroup`` logGroupName: ``[.\\-_/#A-Za-z0-9]+``, 1 to 512.
- IAM ``CreateRole`` RoleName: ``[\\w+=,.@-]+``, 1 to 64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Purpose suffixes of role names when a role-name prefix is given: ``<prefix>-<suffix>``.
SERVICE_ROLE_SUFFIX = "EmrServiceRole"
INSTANCE_ROLE_SUFFIX = "EmrInstanceRole"
AUTO_SCALING_ROLE_SUFFIX = "EmrAutoScalingRole"
RUNTIME_ROLE_SUFFIX = "EmrRuntime"


@dataclass(frozen=True)
class NameRule:
    """One kind of AWS name: what it is, its pattern and maximum length, and the characters it allows."""

    what: str
    pattern: re.Pattern[str]
    max_length: int
    allowed: str

    def problem(self, name: str) -> str | None:
        """Why ``name`` is not a valid name of this kind, or None."""
        if len(name) > self.max_length:
            return f"the {self.what} {name!r} has {len(name)} characters, over the limit of {self.max_length}"
        if not self.pattern.fullmatch(name):
            return f"the {self.what} {name!r} is invalid: {self.allowed}"
        return None


STACK_NAME = NameRule(
    "CloudFormation stack name",
    re.compile(r"[A-Za-z][A-Za-z0-9-]*"),
    128,
    "only letters, digits and hyphens, starting with a letter",
)
DASHBOARD_NAME = NameRule(
    "CloudWatch dashboard name", re.compile(r"[A-Za-z0-9_-]+"), 255, "only letters, digits, '-' and '_'"
)
LOG_GROUP_NAME = NameRule(
    "CloudWatch log group name", re.compile(r"[.\-_/#A-Za-z0-9]+"), 512, "only letters, digits and . - _ / #"
)
ROLE_NAME = NameRule(
    "IAM role name", re.compile(r"[\w+=,.@-]+", re.ASCII), 64, "only ASCII letters, digits and _+=,.@-"
)


def role_name_problem(prefix: str, suffixes: list[str]) -> str | None:
    """Why ``<prefix>-<suffix>`` is not a valid IAM role name for the longest suffix (every reason, with the room
    left for the prefix), or None."""
    reasons = []
    if not ROLE_NAME.pattern.fullmatch(prefix):
        reasons.append(
            f"the role-name prefix {prefix!r} has characters IAM role names do not allow: {ROLE_NAME.allowed}"
        )
    longest = max(suffixes, key=len)
    name = f"{prefix}-{longest}"
    if len(name) > ROLE_NAME.max_length:
        room = ROLE_NAME.max_length - len(longest) - 1
        reasons.append(
            f"the role name {name!r} has {len(name)} characters, over IAM's limit of {ROLE_NAME.max_length}; "
            f"use a prefix of at most {room} characters"
        )
    return "; ".join(reasons) or None
