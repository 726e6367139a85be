"""The replacement guard: which EMR resources CloudFormation would replace between two sets of templates.

Sources of truth:

- the ``createOnlyProperties`` of the resource schemas that cfn-lint ships (any resource type), and
- a cited supplement for ``AWS::EMR::Cluster``: CloudFormation's legacy resource specification marked these
  ``Instances`` fields immutable, though the registry schema lists no create-only path under ``Instances``
  (EMR-FACTS, "CloudFormation's legacy spec"): the subnets, the key pair, the EMR-managed and additional
  security groups, the primary fleet or group, ``Placement``, ``KeepJobFlowAliveWhenNoSteps`` and
  ``HadoopVersion``.

A property that refers to a replaced resource changes too, though its text does not: a replaced security
configuration replaces the cluster that names it, and a replaced subnet replaces the cluster launched in it, also
across stacks through ``Fn::ImportValue`` and ``Fn::GetStackOutput``. Removed resources and changed logical ids
(a delete and a create) are reported as well, and so is an EMR Serverless application updated in place, which must
be stopped first.

A cluster is long-running when termination protection is on or it is tagged ``emr-constructs:long-running=true``;
replacing one fails the guard unless the candidate template acknowledges it with a reason
(``Metadata.emr-constructs.acknowledge-replacement``, written by ``ClusterSpec.acknowledge_replacement``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from emr_constructs.policy.clusters import LONG_RUNNING_TAG
from emr_constructs.policy.templates import TemplateSet

EMR_TYPES = frozenset(
    {
        "AWS::EMR::Cluster",
        "AWS::EMR::SecurityConfiguration",
        "AWS::EMR::InstanceFleetConfig",
        "AWS::EMR::InstanceGroupConfig",
        "AWS::EMR::Step",
        "AWS::EMR::Studio",
        "AWS::EMR::StudioSessionMapping",
        "AWS::EMRServerless::Application",
        "AWS::EMRContainers::VirtualCluster",
        "AWS::EMRContainers::SecurityConfiguration",
        "AWS::EMRContainers::Endpoint",
        "AWS::EMRContainers::JobTemplate",
    }
)
SERVERLESS_APPLICATION = "AWS::EMRServerless::Application"
#: EMR Serverless API Reference, UpdateApplication and DeleteApplication: "An application has to be in a stopped or
#: created state in order to be updated" (and likewise deleted); CloudFormation does not stop it first.
SERVERLESS_STOP_FIRST = (
    "EMR Serverless updates and deletes only a stopped application, and CloudFormation does not stop it: stop it "
    "first (aws emr-serverless stop-application --application-id <id>, once no job runs), or the deploy fails and "
    "rolls back"
)
ACKNOWLEDGMENT_KEY = "emr-constructs"
ACKNOWLEDGMENT_FIELD = "acknowledge-replacement"

#: Create-only paths the registry schema of AWS::EMR::Cluster lacks (see the module docstring).
CLUSTER_SUPPLEMENT = (
    "/properties/Instances/Ec2SubnetId",
    "/properties/Instances/Ec2SubnetIds",
    "/properties/Instances/Ec2KeyName",
    "/properties/Instances/EmrManagedMasterSecurityGroup",
    "/properties/Instances/EmrManagedSlaveSecurityGroup",
    "/properties/Instances/ServiceAccessSecurityGroup",
    "/properties/Instances/AdditionalMasterSecurityGroups",
    "/properties/Instances/AdditionalSlaveSecurityGroups",
    "/properties/Instances/MasterInstanceFleet",
    "/properties/Instances/MasterInstanceGroup",
    "/properties/Instances/Placement",
    "/properties/Instances/KeepJobFlowAliveWhenNoSteps",
    "/properties/Instances/HadoopVersion",
)

Key = tuple[str, str]  # (template, logical id)


@cache
def create_only_paths(resource_type: str) -> tuple[tuple[str, ...], ...]:
    """The create-only property paths of ``resource_type``, as key tuples (``("Instances", "Ec2SubnetIds")``)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except Exception:
        paths: list[str] = []
    else:
        paths = list(schema.get("createOnlyProperties") or [])
    if resource_type == "AWS::EMR::Cluster":
        paths += CLUSTER_SUPPLEMENT
    return tuple(tuple(p.removeprefix("/properties/").split("/")) for p in paths)


@dataclass(frozen=True)
class Replacement:
    template: str
    logical_id: str
    type: str
    kind: Literal["replaced", "removed", "renamed", "updated"]
    reasons: tuple[str, ...]
    long_running: bool = False
    acknowledged: str | None = None
    new_logical_id: str | None = None
    protected: bool = False

    @property
    def blocking(self) -> bool:
        """Fails the guard: a long-running cluster that the candidate does not acknowledge replacing, or a cluster
        whose deployed version has termination protection on (its replacement would leave it running)."""
        return (self.long_running and self.acknowledged is None) or self.protected


@dataclass
class _Comparison:
    baseline: TemplateSet
    candidate: TemplateSet
    replaced: dict[Key, list[str]] = field(default_factory=dict)

    def _same(self, old: Any, new: Any, template: str) -> bool:
        """Equal values, where a reference is equal only if it points at the same, not replaced, resource (and a
        cross-stack reference at the same output whose value is the same)."""
        if isinstance(old, dict) and isinstance(new, dict):
            if len(new) == 1 and set(new) == set(old):
                (key,) = new
                if key == "Ref" and isinstance(new[key], str):
                    return old[key] == new[key] and (template, new[key]) not in self.replaced
                if key == "Fn::GetAtt":
                    target = new[key].split(".")[0] if isinstance(new[key], str) else new[key][0]
                    return old[key] == new[key] and (template, target) not in self.replaced
                if key == "Fn::GetStackOutput":
                    return old[key] == new[key] and self._same_output(new[key])
                if key == "Fn::ImportValue":
                    return old[key] == new[key] and self._same_export(new[key])
            return set(old) == set(new) and all(self._same(old[k], new[k], template) for k in new)
        if isinstance(old, list) and isinstance(new, list):
            return len(old) == len(new) and all(self._same(a, b, template) for a, b in zip(old, new, strict=True))
        return bool(old == new)

    def _same_output(self, reference: Any) -> bool:
        if not isinstance(reference, dict):
            return True
        name, output = reference.get("StackName"), reference.get("OutputName")
        for template in self.candidate.templates.values():
            if name in (template.stack_name, template.name):
                old_template = self.baseline.templates.get(template.name)
                old = ((old_template.body.get("Outputs") or {}) if old_template else {}).get(output)
                new = (template.body.get("Outputs") or {}).get(output)
                if old is None or new is None:
                    return False
                return self._same(old.get("Value"), new.get("Value"), template.name)
        return True  # an output of a stack outside the sets: unknown, assumed unchanged

    def _same_export(self, name: Any) -> bool:
        for template in self.candidate.templates.values():
            for output_name, output in (template.body.get("Outputs") or {}).items():
                if output.get("Export", {}).get("Name") == name:
                    old_template = self.baseline.templates.get(template.name)
                    old = ((old_template.body.get("Outputs") or {}) if old_template else {}).get(output_name)
                    return old is not None and self._same(old.get("Value"), output.get("Value"), template.name)
        return True

    def reasons(self, key: Key) -> list[str]:
        template, logical_id = key
        old_body = self.baseline.templates[template].resources[logical_id]
        new_body = self.candidate.templates[template].resources[logical_id]
        if old_body.get("Type") != new_body.get("Type"):
            return [f"type changed from {old_body.get('Type')} to {new_body.get('Type')}"]
        old_props, new_props = old_body.get("Properties") or {}, new_body.get("Properties") or {}
        found = []
        for path in create_only_paths(str(new_body.get("Type"))):
            old_value, new_value = _at(old_props, path), _at(new_props, path)
            if not self._same(old_value, new_value, template):
                note = _cause(self, new_value, template)
                if path == ("BootstrapActions",) and not note:
                    note = "; a script's content (its asset key is the content hash), arguments or the list changed"
                found.append(f"{'.'.join(path)} changed (create-only{note})")
        return found


def _at(properties: Any, path: tuple[str, ...]) -> Any:
    value = properties
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _references(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield target.split(".")[0] if isinstance(target, str) else target[0]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _cause(comparison: _Comparison, value: Any, template: str) -> str:
    replaced = sorted({ref for ref in _references(value) if (template, ref) in comparison.replaced})
    return f"; refers to replaced {', '.join(replaced)}" if replaced else ""


def _long_running(body: dict[str, Any]) -> bool:
    properties = body.get("Properties") or {}
    if (properties.get("Instances") or {}).get("TerminationProtected") is True:
        return True
    tags = properties.get("Tags") or []
    return any(
        isinstance(t, dict) and t.get("Key") == LONG_RUNNING_TAG and str(t.get("Value")).lower() == "true" for t in tags
    )


#: What replacing a protected cluster does, and how to do it cleanly. EMR refuses to terminate a cluster with
#: termination protection ("To terminate a cluster that has been locked by setting SetTerminationProtection to
#: true, you must first unlock the job flow by a subsequent call to SetTerminationProtection in which you set the
#: value to false", EMR API Reference, SetTerminationProtection), and CloudFormation
#: deletes a replaced resource after creating its successor, in the update's clean-up, where a failure does not
#: roll back: the old cluster keeps running beside the new one.
PROTECTED_PROCEDURE = (
    "termination protection is on in the deployed cluster: EMR refuses to terminate it, so CloudFormation cannot "
    "delete it after creating the replacement and both clusters keep running",
    "do it in two deploys: (1) set termination_protection: false (nothing else; CloudFormation turns protection off "
    "in place; for three primaries, where EMR forces it on, run aws emr modify-cluster-attributes --cluster-id "
    "<id> --no-termination-protected), deploy; (2) deploy the replacing change, with termination_protection: true "
    "again and acknowledge_replacement",
)


def _protected(body: dict[str, Any]) -> bool:
    return ((body.get("Properties") or {}).get("Instances") or {}).get("TerminationProtected") is True


def _acknowledgment(body: dict[str, Any]) -> str | None:
    reason = ((body.get("Metadata") or {}).get(ACKNOWLEDGMENT_KEY) or {}).get(ACKNOWLEDGMENT_FIELD)
    return str(reason).strip() or None if reason else None


def _stripped(body: dict[str, Any]) -> dict[str, Any]:
    return {"Type": body.get("Type"), "Properties": body.get("Properties") or {}}


def compare(baseline: TemplateSet, candidate: TemplateSet) -> list[Replacement]:
    """Every EMR resource that the change from ``baseline`` to ``candidate`` replaces or removes."""
    comparison = _Comparison(baseline, candidate)
    shared = [
        (name, logical_id)
        for name, template in candidate.templates.items()
        if name in baseline.templates
        for logical_id in template.resources
        if logical_id in baseline.templates[name].resources
    ]
    changed = True
    while changed:  # replacement spreads through references until nothing more changes
        changed = False
        for key in shared:
            if key in comparison.replaced:
                continue
            reasons = comparison.reasons(key)
            if reasons:
                comparison.replaced[key] = reasons
                changed = True
    result: list[Replacement] = []
    for (template, logical_id), reasons in sorted(comparison.replaced.items()):
        body = candidate.templates[template].resources[logical_id]
        if body.get("Type") in EMR_TYPES:
            is_cluster = body.get("Type") == "AWS::EMR::Cluster"
            deployed = baseline.templates[template].resources[logical_id]
            result.append(
                Replacement(
                    template,
                    logical_id,
                    str(body.get("Type")),
                    "replaced",
                    tuple(reasons) + ((SERVERLESS_STOP_FIRST,) if body.get("Type") == SERVERLESS_APPLICATION else ()),
                    is_cluster and (_long_running(body) or _long_running(deployed)),
                    _acknowledgment(body),
                    protected=is_cluster and _protected(deployed),
                )
            )
    result.extend(_serverless_updates(baseline, candidate, comparison, shared))
    for name, old_template in baseline.templates.items():
        new_template = candidate.templates.get(name)
        for logical_id, body in old_template.resources.items():
            if body.get("Type") not in EMR_TYPES:
                continue
            if new_template is not None and logical_id in new_template.resources:
                continue
            long_running = body.get("Type") == "AWS::EMR::Cluster" and _long_running(body)
            renamed = next(
                (
                    new_id
                    for new_id, new_body in (new_template.resources.items() if new_template else [])
                    if new_id not in old_template.resources and _stripped(new_body) == _stripped(body)
                ),
                None,
            )
            if renamed is not None:
                reason = f"logical id changed to {renamed}: CloudFormation deletes {logical_id} and creates {renamed}"
                ack = _acknowledgment(new_template.resources[renamed]) if new_template else None
                result.append(
                    Replacement(
                        name,
                        logical_id,
                        str(body.get("Type")),
                        "renamed",
                        (reason,),
                        long_running,
                        ack,
                        renamed,
                        protected=body.get("Type") == "AWS::EMR::Cluster" and _protected(body),
                    )
                )
            else:
                where = "its template is gone" if new_template is None else "it is no longer in the template"
                why: tuple[str, ...] = (f"removed: {where}",)
                if body.get("Type") == SERVERLESS_APPLICATION:
                    why += (SERVERLESS_STOP_FIRST,)
                result.append(Replacement(name, logical_id, str(body.get("Type")), "removed", why, long_running))
    return result


def _serverless_updates(
    baseline: TemplateSet, candidate: TemplateSet, comparison: _Comparison, shared: list[Key]
) -> list[Replacement]:
    """EMR Serverless applications that the change updates in place (properties or tags differ, no replacement)."""
    found = []
    for key in shared:
        template, logical_id = key
        body = candidate.templates[template].resources[logical_id]
        deployed = baseline.templates[template].resources[logical_id]
        if body.get("Type") != SERVERLESS_APPLICATION or key in comparison.replaced:
            continue
        if body.get("Properties") != deployed.get("Properties"):
            found.append(
                Replacement(
                    template, logical_id, SERVERLESS_APPLICATION, "updated", ("updated in place", SERVERLESS_STOP_FIRST)
                )
            )
    return found


def render(replacements: list[Replacement]) -> str:
    if not replacements:
        return "no EMR resource is replaced or removed"
    lines = []
    for item in replacements:
        if item.blocking:
            verdict = "FAIL"
        elif item.long_running:
            verdict = "ACKNOWLEDGED"
        else:
            verdict = "WARN"
        what = "long-running cluster" if item.long_running else item.type
        lines.append(f"{verdict:12} {item.template}:{item.logical_id} ({what}) {item.kind}")
        for reason in item.reasons:
            lines.append(f"             - {reason}")
        if item.protected:
            problem, procedure = PROTECTED_PROCEDURE
            lines.append(f"             ! {problem}")
            lines.append(f"             fix: {procedure}")
        if item.acknowledged:
            lines.append(f"             acknowledged: {item.acknowledged}")
    blocking = sum(1 for r in replacements if r.blocking)
    updated = sum(1 for r in replacements if r.kind == "updated")
    changed = len(replacements) - updated
    summary = f"{changed} EMR resource(s) replaced or removed, {blocking} blocking"
    lines.append(summary + (f"; {updated} EMR Serverless application(s) updated (stop them first)" if updated else ""))
    return "\n".join(lines)
