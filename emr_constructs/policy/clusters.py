"""One view of an EMR cluster, whether CloudFormation creates it (``AWS::EMR::Cluster``) or a Step Functions state
machine does (the ``RunJobFlow`` request of an ``elasticmapreduce:createCluster`` task or of an
``aws-sdk:emr:runJobFlow`` task, which never appears as an ``AWS::EMR::Cluster``). Rules read the view in the
API's spelling."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emr_constructs.policy.templates import UNRESOLVED, Attr, Ref, Resource, TemplateSet

#: Tags that mark a cluster for the rules: multi-tenant clusters need Kerberos or runtime roles; long-running
#: ones fail the replacement guard.
MULTI_TENANT_TAG = "emr-constructs:multi-tenant"
LONG_RUNNING_TAG = "emr-constructs:long-running"
#: Task resources that send a RunJobFlow request: the optimized integration and the AWS SDK integration (whose
#: parameters are the API's, in PascalCase: Step Functions Developer Guide, "AWS SDK service integrations").
_CREATE_CLUSTER = re.compile(r":states:::(elasticmapreduce:createCluster(\.sync)?|aws-sdk:emr:runJobFlow)$")
_PLACEHOLDER = "@@emr-constructs-intrinsic-{}@@"


@dataclass
class ClusterView:
    """A cluster's properties (API names: ``InstanceFleets`` with ``InstanceFleetType``, ``InstanceGroups`` with
    ``InstanceRole``), the resource that creates it and the template to resolve its references in."""

    resource: Resource
    where: str  # the logical id, and the state's name for a job flow
    source: str  # "AWS::EMR::Cluster" or "RunJobFlow"
    properties: dict[str, Any]
    templates: TemplateSet

    def get(self, *path: str) -> Any:
        """The resolved value at ``path`` (None when absent, ``UNRESOLVED`` when unknowable)."""
        value: Any = self.properties
        for key in path:
            value = self.resolve(value)
            if not isinstance(value, dict):
                return UNRESOLVED if value is UNRESOLVED else None
            value = value.get(key)
            if value is None:
                return None
        return self.resolve(value)

    def resolve(self, value: Any) -> Any:
        return self.templates.resolve(self.resource.template, value)

    @property
    def instances(self) -> dict[str, Any]:
        value = self.get("Instances")
        return value if isinstance(value, dict) else {}

    def fleets(self) -> list[tuple[str, dict[str, Any]]]:
        """(MASTER/CORE/TASK, fleet) pairs."""
        fleets = self.instances.get("InstanceFleets")
        if isinstance(fleets, list):
            return [(str(f.get("InstanceFleetType")), f) for f in fleets if isinstance(f, dict)]
        pairs = [
            ("MASTER", self.instances.get("MasterInstanceFleet")),
            ("CORE", self.instances.get("CoreInstanceFleet")),
        ]
        pairs += [("TASK", f) for f in self.instances.get("TaskInstanceFleets") or []]
        return [(role, fleet) for role, fleet in pairs if isinstance(fleet, dict)]

    def groups(self) -> list[tuple[str, dict[str, Any]]]:
        """(MASTER/CORE/TASK, group) pairs, including ``AWS::EMR::InstanceGroupConfig`` task groups of the set."""
        groups = self.instances.get("InstanceGroups")
        if isinstance(groups, list):
            return [(str(g.get("InstanceRole")), g) for g in groups if isinstance(g, dict)]
        pairs = [
            ("MASTER", self.instances.get("MasterInstanceGroup")),
            ("CORE", self.instances.get("CoreInstanceGroup")),
        ]
        pairs += [("TASK", g) for g in self.instances.get("TaskInstanceGroups") or []]
        for config in self.templates.resources("AWS::EMR::InstanceGroupConfig"):
            target = self.templates.resolve(config.template, config.properties.get("JobFlowId"))
            if isinstance(target, Ref) and target.resource == self.resource:
                pairs.append((str(config.properties.get("InstanceRole", "TASK")), config.properties))
        return [(role, group) for role, group in pairs if isinstance(group, dict)]

    def tags(self) -> dict[str, Any]:
        tags = self.get("Tags")
        if not isinstance(tags, list):
            return {}
        return {str(t.get("Key")): t.get("Value") for t in tags if isinstance(t, dict)}

    def marked(self, tag: str) -> bool:
        return str(self.tags().get(tag, "")).lower() == "true"

    def security_configuration(self) -> dict[str, Any] | Any | None:
        """The security configuration document: a dict, None when the cluster names none, ``UNRESOLVED`` when it
        names one outside the template set (by parameter, or by a literal name)."""
        named = self.get("SecurityConfiguration")
        if named is None:
            return None
        resource = named.resource if isinstance(named, Ref) else None
        if resource is None and isinstance(named, str):
            resource = next(
                (
                    r
                    for r in self.templates.resources("AWS::EMR::SecurityConfiguration")
                    if self.templates.resolve(r.template, r.properties.get("Name")) == named
                ),
                None,
            )
        if resource is None or resource.type != "AWS::EMR::SecurityConfiguration":
            return UNRESOLVED
        document = self.templates.resolve(resource.template, resource.properties.get("SecurityConfiguration"))
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                return UNRESOLVED
        return document if isinstance(document, dict) else UNRESOLVED

    def role(self, field: str) -> Resource | None:
        """The ``AWS::IAM::Role`` behind ``JobFlowRole`` (through its instance profile) or ``ServiceRole``."""
        value = self.get(field)
        target = value.resource if isinstance(value, Ref | Attr) else None
        if target is None and isinstance(value, str):
            target = self._by_name(value, field)
        if target is not None and target.type == "AWS::IAM::InstanceProfile":
            roles = self.templates.resolve(target.template, target.properties.get("Roles"))
            target = roles[0].resource if isinstance(roles, list) and roles and isinstance(roles[0], Ref) else None
        return target if target is not None and target.type == "AWS::IAM::Role" else None

    def _by_name(self, value: str, field: str) -> Resource | None:
        kind = "AWS::IAM::InstanceProfile" if field == "JobFlowRole" else "AWS::IAM::Role"
        name_key = "InstanceProfileName" if field == "JobFlowRole" else "RoleName"
        short = value.rsplit("/", 1)[-1]
        for resource in self.templates.resources(kind):
            if self.templates.resolve(resource.template, resource.properties.get(name_key)) == short:
                return resource
        return None


def _definition(templates: TemplateSet, machine: Resource) -> dict[str, Any] | None:
    """The state machine's definition with each CloudFormation intrinsic kept as a value of its own."""
    body = machine.properties.get("DefinitionString")
    if body is None and isinstance(machine.properties.get("Definition"), dict):
        return machine.properties["Definition"]  # type: ignore[no-any-return]
    pieces: list[Any]
    if isinstance(body, str):
        pieces = [body]
    elif isinstance(body, dict) and "Fn::Join" in body and body["Fn::Join"][0] == "":
        pieces = list(body["Fn::Join"][1])
    else:
        return None
    intrinsics: dict[str, Any] = {}
    text = ""
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            text += piece
        else:
            marker = _PLACEHOLDER.format(index)
            intrinsics[marker] = piece
            text += marker
    try:
        definition = json.loads(text)
    except ValueError:
        return None
    return _restore(definition, intrinsics)  # type: ignore[no-any-return]


def _restore(value: Any, intrinsics: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _restore(v, intrinsics) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v, intrinsics) for v in value]
    if isinstance(value, str) and "@@emr-constructs-intrinsic-" in value:
        if value in intrinsics:
            return intrinsics[value]
        parts = re.split(r"(@@emr-constructs-intrinsic-\d+@@)", value)
        return {"Fn::Join": ["", [intrinsics.get(p, p) for p in parts if p]]}
    return value


def _states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in (definition.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        yield name, state
        for branch in state.get("Branches") or []:
            yield from _states(branch)
        if isinstance(state.get("Iterator"), dict):
            yield from _states(state["Iterator"])
        if isinstance(state.get("ItemProcessor"), dict):
            yield from _states(state["ItemProcessor"])


def literal_text(value: Any) -> str:
    """A string, or the literal parts of an ``Fn::Join`` with ``*`` for each intrinsic (enough to read an ARN's
    service part, such as ``arn:${Partition}:states:::elasticmapreduce:createCluster.sync``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        delimiter, parts = value["Fn::Join"]
        return str(delimiter).join(p if isinstance(p, str) else "*" for p in parts)
    return ""


def cluster_views(templates: TemplateSet) -> Iterator[ClusterView]:
    """Every cluster the templates create: each ``AWS::EMR::Cluster``, and each ``createCluster`` or
    ``aws-sdk:emr:runJobFlow`` task of a state machine (its request in ``Parameters``)."""
    for cluster in templates.resources("AWS::EMR::Cluster"):
        yield ClusterView(cluster, cluster.logical_id, "AWS::EMR::Cluster", cluster.properties, templates)
    for machine in templates.resources("AWS::StepFunctions::StateMachine"):
        definition = _definition(templates, machine)
        if definition is None:
            continue
        for name, state in _states(definition):
            resource = literal_text(state.get("Resource"))
            if state.get("Type") == "Task" and _CREATE_CLUSTER.search(resource):
                request = state.get("Parameters")
                if isinstance(request, dict):
                    yield ClusterView(machine, f"{machine.logical_id}/{name}", "RunJobFlow", request, templates)
