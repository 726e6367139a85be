"""CloudFormation custom resource: untie EMR-managed security groups from each other before they are deleted.

EMR adds ingress rules to its managed security groups at run time that reference the other managed groups.
CloudFormation does not know them, so deleting the groups fails with ``DependencyViolation``. On ``Delete``
this handler revokes every ingress and egress rule of the given groups that references one of them; on
``Create`` and ``Update`` it only answers. It answers CloudFormation through the pre-signed ``ResponseURL``
in every case (``FAILED`` with the reason on any error) so that a stack never waits for it.

Standard library and boto3 only: this file is shipped as is, without bundling.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

#: Short timeouts and bounded retries: the function must answer CloudFormation well within its own timeout.
BOTO_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 5, "mode": "standard"})
#: Errors that mean the rule (or its group) is already gone, which is what a delete wants.
NOT_FOUND_CODES = frozenset(
    {"InvalidSecurityGroupRuleId.NotFound", "InvalidPermission.NotFound", "InvalidGroup.NotFound"}
)
#: CloudFormation rejects response bodies over 4 KiB; keep the reason well below that.
MAX_REASON_CHARS = 1000
RESPONSE_TIMEOUT_SECONDS = 15
#: Physical id given when Create fails, so that the Delete of the rollback can tell there is nothing to clean.
FAILED_CREATE_PREFIX = "emr-sg-cleanup-failed-create:"
RESPONSE_ATTEMPTS = 3


def handler(event: Mapping[str, Any], context: Any) -> None:
    """Lambda entry point for ``AWS::CloudFormation::CustomResource`` events."""
    log_stream = getattr(context, "log_stream_name", "unknown")
    physical_id = str(event.get("PhysicalResourceId") or "")
    status, reason = "SUCCESS", f"See CloudWatch log stream {log_stream}"
    try:
        if event["RequestType"] == "Delete" and physical_id.startswith(FAILED_CREATE_PREFIX):
            reason = f"Create had failed, nothing to clean. {reason}"
        elif event["RequestType"] == "Delete":
            group_ids = _group_ids(event)
            revoked = revoke_cross_references(_ec2_client(), group_ids)
            reason = f"Revoked {len(revoked)} cross-referencing rule(s). {reason}"
        else:
            # A new set of groups gives a new physical id, so CloudFormation deletes the old resource (and
            # cleans the old groups) after an update that replaced them.
            physical_id = physical_resource_id(_group_ids(event))
    except Exception as error:
        LOGGER.exception("Request failed")
        status, reason = "FAILED", f"{type(error).__name__}: {error}. See CloudWatch log stream {log_stream}"
    send_response(event, status, reason, physical_id or f"{FAILED_CREATE_PREFIX}{log_stream}")


def physical_resource_id(group_ids: Iterable[str]) -> str:
    """A stable id derived from the groups the resource cleans."""
    return "emr-sg-cleanup:" + ",".join(sorted(group_ids))


def revoke_cross_references(ec2: Any, group_ids: list[str]) -> list[str]:
    """Revoke the rules of ``group_ids`` that reference one of ``group_ids``; return the revoked rule ids."""
    wanted = set(group_ids)
    batches: dict[tuple[str, bool], list[str]] = {}
    paginator = ec2.get_paginator("describe_security_group_rules")
    for page in paginator.paginate(Filters=[{"Name": "group-id", "Values": sorted(wanted)}]):
        for rule in page.get("SecurityGroupRules", []):
            referenced = rule.get("ReferencedGroupInfo", {}).get("GroupId")
            if rule.get("GroupId") in wanted and referenced in wanted:
                key = (rule["GroupId"], bool(rule.get("IsEgress")))
                batches.setdefault(key, []).append(rule["SecurityGroupRuleId"])
    revoked: list[str] = []
    for (group_id, is_egress), rule_ids in sorted(batches.items()):
        revoke = ec2.revoke_security_group_egress if is_egress else ec2.revoke_security_group_ingress
        LOGGER.info("Revoking %s %s rule(s) of %s: %s", len(rule_ids), _kind(is_egress), group_id, rule_ids)
        try:
            revoke(GroupId=group_id, SecurityGroupRuleIds=rule_ids)
            revoked.extend(rule_ids)
        except ClientError as error:
            if _error_code(error) not in NOT_FOUND_CODES:
                raise
            # Someone (CloudFormation deleting its own rule resources) removed one meanwhile: go one by one.
            revoked.extend(_revoke_each(revoke, group_id, rule_ids))
    return revoked


def send_response(event: Mapping[str, Any], status: str, reason: str, physical_id: str) -> None:
    """PUT the result to CloudFormation's pre-signed URL, retrying briefly; never raise."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:MAX_REASON_CHARS],
            "PhysicalResourceId": physical_id,
            "StackId": event.get("StackId"),
            "RequestId": event.get("RequestId"),
            "LogicalResourceId": event.get("LogicalResourceId"),
            "NoEcho": False,
            "Data": {},
        }
    ).encode("utf-8")
    url = str(event.get("ResponseURL", ""))
    if not url.startswith("https://"):
        LOGGER.error("No https ResponseURL in the event; cannot answer CloudFormation")
        return
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    for attempt in range(1, RESPONSE_ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS) as response:
                LOGGER.info("Answered %s to CloudFormation (HTTP %s)", status, response.status)
                return
        except Exception:
            LOGGER.exception("Answering CloudFormation failed (attempt %s of %s)", attempt, RESPONSE_ATTEMPTS)
            if attempt < RESPONSE_ATTEMPTS:
                time.sleep(2**attempt)


def _group_ids(event: Mapping[str, Any]) -> list[str]:
    group_ids = event.get("ResourceProperties", {}).get("SecurityGroupIds")
    if not isinstance(group_ids, list) or not group_ids or not all(isinstance(g, str) for g in group_ids):
        raise ValueError(f"ResourceProperties.SecurityGroupIds must be a non-empty list of ids, got {group_ids!r}")
    return list(group_ids)


def _revoke_each(revoke: Any, group_id: str, rule_ids: list[str]) -> list[str]:
    revoked: list[str] = []
    for rule_id in rule_ids:
        try:
            revoke(GroupId=group_id, SecurityGroupRuleIds=[rule_id])
            revoked.append(rule_id)
        except ClientError as error:
            if _error_code(error) not in NOT_FOUND_CODES:
                raise
            LOGGER.info("Rule %s of %s is already gone", rule_id, group_id)
    return revoked


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _kind(is_egress: bool) -> str:
    return "egress" if is_egress else "ingress"


def _ec2_client() -> Any:
    return boto3.client("ec2", config=BOTO_CONFIG)
