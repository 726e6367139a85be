"""Find a deployed cluster (by id or by its stack's ``ClusterId`` output) and report its status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from emr_constructs.operations.clients import (
    THROTTLING_CODES,
    OperationError,
    describe_client_error,
    error_code,
    error_message,
    region_of,
)

if TYPE_CHECKING:
    from mypy_boto3_emr import EMRClient
    from mypy_boto3_emr.type_defs import ClusterTypeDef

CLUSTER_ID_OUTPUT = "ClusterId"
"""The output every cluster stack in ``stacks/`` carries (``stacks/cluster_stack.py``)."""
ENDED_STATES = frozenset({"TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS"})


def stack_outputs(cloudformation: Any, stack_name: str) -> tuple[dict[str, str], str]:
    """``stack_name``'s outputs and status (``DescribeStacks``); :class:`OperationError` if there is no such stack."""
    region = region_of(cloudformation)
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if error_code(error) == "ValidationError" and "does not exist" in error_message(error):
            raise OperationError(
                f"stack {stack_name} does not exist in {region}: check the name and --region"
            ) from None
        raise
    if not stacks:
        raise OperationError(f"stack {stack_name} does not exist in {region}: check the name and --region")
    stack: Mapping[str, Any] = stacks[0]
    outputs = {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in stack.get("Outputs", [])}
    return outputs, str(stack.get("StackStatus", "status unknown"))


def cluster_id_from_outputs(stack_name: str, outputs: Mapping[str, str], status: str) -> str:
    """The ``ClusterId`` output's value; :class:`OperationError` naming the outputs there are if it is missing."""
    cluster_id = outputs.get(CLUSTER_ID_OUTPUT, "")
    if not cluster_id:
        present = ", ".join(sorted(outputs)) or "none"
        raise OperationError(
            f"stack {stack_name} ({status}) has no {CLUSTER_ID_OUTPUT} output "
            f"(its outputs: {present}); give the stack of a cluster, or --cluster-id"
        )
    return cluster_id


def cluster_id_from_stack(cloudformation: Any, stack_name: str) -> str:
    """The value of ``stack_name``'s ``ClusterId`` output; :class:`OperationError` if no such stack or output."""
    outputs, status = stack_outputs(cloudformation, stack_name)
    return cluster_id_from_outputs(stack_name, outputs, status)


def describe_cluster(emr: EMRClient, cluster_id: str) -> ClusterTypeDef:
    """``DescribeCluster``, with an unknown id turned into a clear :class:`OperationError`."""
    try:
        return emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    except ClientError as error:
        if error_code(error) in {"InvalidRequestException", "ValidationException"}:
            raise OperationError(
                f"cluster {cluster_id} not found in {region_of(emr)}: {error_message(error)} "
                "(check the id and --region)"
            ) from None
        raise


def format_time(value: datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def table(header: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "  ") -> list[str]:
    """Left-aligned columns, two spaces apart; the last column is not padded."""
    body = [list(header), *(list(row) for row in rows)]
    widths = [max(len(row[i]) for row in body) for i in range(len(header))]
    return [
        indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1] for row in body
    ]


def _state_line(cluster: ClusterTypeDef) -> str:
    status = cluster.get("Status", {})
    reason = status.get("StateChangeReason", {})
    line = status.get("State", "UNKNOWN")
    if reason.get("Message") or reason.get("Code"):
        line += f": {reason.get('Message', '')}".rstrip()
        if reason.get("Code"):
            line += f" ({reason['Code']})"
    return line


def _fleet_rows(emr: EMRClient, cluster_id: str) -> list[list[str]]:
    rows = []
    for page in emr.get_paginator("list_instance_fleets").paginate(ClusterId=cluster_id):
        for fleet in page.get("InstanceFleets", []):
            types = ", ".join(spec.get("InstanceType", "?") for spec in fleet.get("InstanceTypeSpecifications", []))
            rows.append(
                [
                    fleet.get("InstanceFleetType", "?"),
                    fleet.get("Name", "-"),
                    f"{fleet.get('TargetOnDemandCapacity', 0)}/{fleet.get('ProvisionedOnDemandCapacity', 0)}",
                    f"{fleet.get('TargetSpotCapacity', 0)}/{fleet.get('ProvisionedSpotCapacity', 0)}",
                    fleet.get("Status", {}).get("State", "?"),
                    types or "-",
                ]
            )
    return rows


def _group_rows(emr: EMRClient, cluster_id: str) -> list[list[str]]:
    rows = []
    for page in emr.get_paginator("list_instance_groups").paginate(ClusterId=cluster_id):
        for group in page.get("InstanceGroups", []):
            rows.append(
                [
                    group.get("InstanceGroupType", "?"),
                    group.get("Name", "-"),
                    group.get("Market", "?"),
                    f"{group.get('RequestedInstanceCount', 0)}/{group.get('RunningInstanceCount', 0)}",
                    group.get("Status", {}).get("State", "?"),
                    group.get("InstanceType", "?"),
                ]
            )
    return rows


def _optional(call: Any, what: str) -> tuple[Mapping[str, Any] | None, str | None]:
    """A policy read that may be denied or unsupported: its response, or the reason it is unavailable.

    Throttling that outlasts the retries still fails the command: the next read would be throttled too."""
    try:
        return call(), None
    except ClientError as error:
        if error_code(error) in THROTTLING_CODES:
            raise
        return None, f"{what}: unavailable ({describe_client_error(error)})"


def _scaling_line(emr: EMRClient, cluster_id: str) -> str:
    response, unavailable = _optional(lambda: emr.get_managed_scaling_policy(ClusterId=cluster_id), "managed scaling")
    if unavailable is not None or response is None:
        return unavailable or "managed scaling: unavailable"
    limits = response.get("ManagedScalingPolicy", {}).get("ComputeLimits")
    if not limits:
        return "managed scaling: off"
    line = (
        f"managed scaling: {limits.get('MinimumCapacityUnits')}-{limits.get('MaximumCapacityUnits')} "
        f"{limits.get('UnitType', 'units')}"
    )
    extras = []
    if limits.get("MaximumOnDemandCapacityUnits") is not None:
        extras.append(f"on-demand up to {limits['MaximumOnDemandCapacityUnits']}")
    if limits.get("MaximumCoreCapacityUnits") is not None:
        extras.append(f"core up to {limits['MaximumCoreCapacityUnits']}")
    return line + (f" ({', '.join(extras)})" if extras else "")


def _auto_termination_line(emr: EMRClient, cluster_id: str) -> str:
    response, unavailable = _optional(lambda: emr.get_auto_termination_policy(ClusterId=cluster_id), "auto-termination")
    if unavailable is not None or response is None:
        return unavailable or "auto-termination: unavailable"
    idle = response.get("AutoTerminationPolicy", {}).get("IdleTimeout")
    if idle is None:
        return "auto-termination: off"
    return f"auto-termination: after {idle} s idle"


def recent_steps(emr: EMRClient, cluster_id: str, count: int) -> list[list[str]]:
    """The ``count`` most recent steps (``ListSteps`` returns newest first) as id, name, state, created."""
    if count <= 0:
        return []
    rows = []
    paginator = emr.get_paginator("list_steps")
    for page in paginator.paginate(ClusterId=cluster_id, PaginationConfig={"MaxItems": count}):
        for step in page.get("Steps", []):
            status = step.get("Status", {})
            rows.append(
                [
                    step.get("Id", "?"),
                    step.get("Name", "-"),
                    status.get("State", "?"),
                    format_time(status.get("Timeline", {}).get("CreationDateTime")),
                ]
            )
    return rows[:count]


def cluster_status(emr: EMRClient, cluster_id: str, *, steps: int = 10) -> str:
    """A readable report: state, release, applications, capacity, scaling, auto-termination, recent steps."""
    cluster = describe_cluster(emr, cluster_id)
    applications = ", ".join(
        f"{app.get('Name', '?')} {app.get('Version', '')}".rstrip() for app in cluster.get("Applications", [])
    )
    lines = [
        f"cluster {cluster_id} ({cluster.get('Name', 'unnamed')}) in {region_of(emr)}",
        f"  state: {_state_line(cluster)}",
        f"  release: {cluster.get('ReleaseLabel', '-')}",
        f"  applications: {applications or '-'}",
        f"  log uri: {cluster.get('LogUri', '-')}",
        "",
    ]
    if cluster.get("InstanceCollectionType") == "INSTANCE_FLEET":
        header = ["fleet", "name", "on-demand target/provisioned", "Spot target/provisioned", "state", "instance types"]
        lines += ["instance fleets", *table(header, _fleet_rows(emr, cluster_id))]
    else:
        header = ["group", "name", "market", "requested/running", "state", "instance type"]
        lines += ["instance groups", *table(header, _group_rows(emr, cluster_id))]
    lines += ["", _scaling_line(emr, cluster_id), _auto_termination_line(emr, cluster_id), ""]
    if steps > 0:
        rows = recent_steps(emr, cluster_id, steps)
        if rows:
            lines += [f"recent steps (newest first, up to {steps})", *table(["id", "name", "state", "created"], rows)]
        else:
            lines.append("no steps")
    return "\n".join(lines)
