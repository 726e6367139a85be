"""Render a ``ClusterSpec`` to the EMR ``RunJobFlow`` request (the second renderer beside ``cloudformation``).

This is the request that a transient job flow sends through Step Functions' AWS SDK integration
``aws-sdk:emr:runJobFlow`` (which takes the API's own parameter names and shapes), or that boto3's ``run_job_flow``
takes. Every per-field helper is shared with the CloudFormation renderer (``emr_constructs.render.fields``); only
the places where the API's shape differs live here:

- ``Instances.InstanceFleets[]`` with ``InstanceFleetType`` MASTER/CORE/TASK, and ``Instances.InstanceGroups[]``
  with ``InstanceRole`` MASTER/CORE/TASK, instead of CloudFormation's ``MasterInstanceFleet``/``CoreInstanceFleet``/
  ``TaskInstanceFleets`` (and the group equivalents);
- ``Configurations[].Properties`` instead of ``ConfigurationProperties``;
- ``Steps`` in the API's ``StepConfig`` shape (``HadoopJarStep.Properties``, not CloudFormation's
  ``StepProperties``) and the API-only ``StepExecutionRoleArn``.

Checked against botocore's EMR service model (``RunJobFlow`` input shape) by ``tests/render/test_run_job_flow.py``.
``VisibleToAllUsers`` is left out on purpose: the API documents it as no longer supported (always true).

Pure: no CDK import; values may be CDK tokens (strings) that pass through untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emr_constructs.render import fields
from emr_constructs.render.fields import API_PROPERTIES_KEY, Rendered, compact
from emr_constructs.render.wiring import ClusterWiring, wiring_properties
from emr_constructs.spec.cluster import ClusterSpec
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.problems import ProblemCollector

#: The API's ``InstanceFleetType`` for each fleet of ``InstanceFleetsSpec.named()``.
FLEET_TYPES = {"primary": "MASTER", "core": "CORE", "task": "TASK"}


@dataclass(frozen=True)
class JobFlowWiring(ClusterWiring):
    """The references a ``RunJobFlow`` request needs from its surroundings (plain strings or CDK tokens).

    Like ``ClusterWiring`` for CloudFormation. ``steps`` and ``bootstrap_actions`` are already in the API's
    ``StepConfig`` and ``BootstrapActionConfig`` shapes (rendered by the caller, which owns assets and buckets);
    ``step_execution_role_arn`` is the runtime role of exactly those ``steps`` (EMR applies it to no later step).
    ``security_configuration`` is required at render time: the spec's encryption, IMDS and Kerberos settings
    reach the cluster only through it.
    """

    step_execution_role_arn: str | None = None


def render_job_flow_instances(spec: ClusterSpec, wiring: JobFlowWiring) -> Rendered:
    """``Instances`` (JobFlowInstancesConfig) in the API's shape."""
    key = API_PROPERTIES_KEY
    shape: Rendered = {}
    if spec.instance_fleets is not None:
        strategies = spec.allocation_strategies_supported
        shape = {
            "InstanceFleets": [
                {"InstanceFleetType": FLEET_TYPES[role], **fields.instance_fleet(fleet, key, strategies)}
                for role, fleet in spec.instance_fleets.named()
            ],
            "Ec2SubnetIds": list(wiring.subnet_ids),
        }
    elif spec.instance_groups is not None:
        groups = spec.instance_groups
        roles = [("MASTER", groups.primary), ("CORE", groups.core), *(("TASK", task) for task in groups.tasks)]
        shape = {
            "InstanceGroups": [
                {"InstanceRole": role, **fields.instance_group(group, key)}
                for role, group in roles
                if group is not None
            ],
            # Instance groups launch in one subnet (EMR Management Guide, "Configure networking").
            "Ec2SubnetId": wiring.subnet_ids[0] if wiring.subnet_ids else None,
        }
    return compact(
        {
            **shape,
            **fields.instances_common(
                spec,
                primary_security_group=wiring.primary_security_group,
                core_security_group=wiring.core_security_group,
                service_access_security_group=wiring.service_access_security_group,
            ),
        }
    )


def _check(spec: ClusterSpec, wiring: JobFlowWiring) -> None:
    """Rules that join the spec and the wiring; every problem is reported at once (``SpecProblems``)."""
    problems = ProblemCollector()
    if not wiring.subnet_ids:
        problems.add(
            "wiring.subnet_ids",
            list(wiring.subnet_ids),
            "the cluster needs a subnet to launch in",
            "pass the private subnet ids (fleets choose among all of them, groups use the first)",
        )
    if wiring.security_configuration is None:
        problems.add(
            "wiring.security_configuration",
            None,
            "the spec's security settings (encryption, IMDS, Kerberos) reach the cluster only through a security "
            "configuration; without one the cluster would run unencrypted",
            "pass the name of the security configuration rendered from spec.security",
        )
    kerberos = spec.security.kerberos is not None
    if kerberos and wiring.kerberos_attributes is None:
        problems.add(
            "wiring.kerberos_attributes",
            None,
            "the spec enables Kerberos, and EMR requires KerberosAttributes (realm, KDC admin password) with it",
            "pass the Kerberos attributes built for spec.security.kerberos",
        )
    if not kerberos and wiring.kerberos_attributes is not None:
        problems.add(
            "wiring.kerberos_attributes",
            "set",
            "KerberosAttributes without Kerberos in spec.security",
            "remove kerberos_attributes, or configure security.kerberos in the spec",
        )
    if spec.uses_custom_auto_scaling and wiring.auto_scaling_role is None:
        problems.add(
            "wiring.auto_scaling_role",
            None,
            "the spec's instance groups have custom automatic scaling rules, which EMR applies with an "
            "auto-scaling role",
            "pass the ARN of the EMR auto-scaling role",
        )
    if wiring.step_execution_role_arn is not None:
        if not wiring.steps:
            problems.add(
                "wiring.step_execution_role_arn",
                wiring.step_execution_role_arn,
                "StepExecutionRoleArn applies only to the steps in this request, and it has none",
                "pass the steps, or drop step_execution_role_arn (later steps carry their own ExecutionRoleArn)",
            )
        if not spec.security.application_scoped_roles:
            problems.add(
                "wiring.step_execution_role_arn",
                wiring.step_execution_role_arn,
                "runtime roles need a cluster with runtime roles enabled (spec.security.runtime_roles)",
                "add security.runtime_roles to the spec, or drop step_execution_role_arn",
            )
    given = {action.get("Name") for action in wiring.bootstrap_actions}
    missing = [action.name for action in spec.bootstrap_actions if action.name not in given]
    if missing:
        problems.add(
            "wiring.bootstrap_actions",
            missing,
            "the spec declares bootstrap actions that the request would not run",
            "render every spec.bootstrap_actions entry into wiring.bootstrap_actions (BootstrapActionConfig)",
        )
    if not spec.keep_alive_when_no_steps and not wiring.steps:
        problems.add(
            "keep_alive_when_no_steps",
            False,
            "with no steps in the request, the cluster would terminate as soon as it is ready, before any step "
            "reaches it (and a Step Functions job flow, which waits for WAITING to add its steps, would fail)",
            "put the steps in wiring.steps, or keep the cluster alive and terminate it when the work is done",
        )
    problems.raise_if_any()


def render_run_job_flow(
    spec: ClusterSpec,
    wiring: JobFlowWiring,
    configurations: Sequence[ConfigurationSpec] | None = None,
) -> dict[str, Any]:
    """The ``RunJobFlow`` request for ``spec``: every field the spec defines, in the API's shape.

    ``configurations`` defaults to the spec's own, merged; pass the result of ``spec.merged_configurations(...)``
    to include other sources (as for ``render_cluster_properties``). Raises ``SpecProblems`` (a ``ValueError``)
    listing every rule that the spec and the wiring break together (see ``_check``).

    Termination is the spec's, never overridden here: ``Instances.KeepJobFlowAliveWhenNoSteps`` is
    ``spec.keep_alive_when_no_steps`` (the API's own default is false; the spec's is true). A transient cluster
    must always terminate, so its caller chooses one of two shapes:

    - *Steps in the request* (boto3 ``run_job_flow``): pass ``keep_alive_when_no_steps=False`` in the spec and
      the steps in ``wiring.steps``; EMR terminates the cluster after the last step.
    - *Steps added afterwards* (Step Functions: RunJobFlow, wait for WAITING, then ``addStep.sync``): a cluster
      with ``keep_alive_when_no_steps=False`` and no steps ends as soon as it has started and never reaches
      WAITING (Step Functions' own ``createCluster`` even requires ``KeepJobFlowAliveWhenNoSteps`` true and no
      ``Steps``: "Create and manage Amazon EMR clusters with Step Functions"). So keep it true, send no
      ``steps``, terminate the cluster from every path of the state machine, and set
      ``auto_termination_idle_seconds`` in the spec as the backstop for executions that time out or are stopped
      (catch blocks do not run then).

    ``keep_alive_when_no_steps=False`` with no steps is rejected: that cluster would end before doing any work.
    """
    _check(spec, wiring)
    merged = spec.merged_configurations() if configurations is None else configurations
    return compact(
        {
            **fields.cluster_common(spec, merged, API_PROPERTIES_KEY),
            "Instances": render_job_flow_instances(spec, wiring),
            **wiring_properties(wiring),
            "StepExecutionRoleArn": wiring.step_execution_role_arn,
            "Tags": fields.tags(spec, wiring.extra_tags),
        }
    )
