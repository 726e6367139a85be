"""``EmrNetwork``: a private network for EMR on EC2, new or existing, with EMR's managed security groups."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from emr_constructs.network.cleanup import SecurityGroupRuleCleanup
from emr_constructs.network.endpoints import add_endpoints
from emr_constructs.network.security_groups import create_emr_security_groups
from emr_constructs.tagging import EMR_MANAGED_POLICY_TAG_KEY, tag_for_emr_managed_policy

_AZ_PATTERN = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+-\d+[a-z]$|^[a-z]{2}(-[a-z0-9]+)+-\d+(-[a-z0-9]+)+-\d+[a-z]$")
```
