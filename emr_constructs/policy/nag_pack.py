"""``EmrChecks``: the EMR rules as a cdk-nag v3 ``NagPack`` (a CDK policy-validation plugin).

Register it beside cdk-nag's packs::

    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), EmrChecks(app))

Findings are reported as ``EmrChecks-<rule>`` and acknowledged like any other plugin's
(``Validations.of(resource).acknowledge(Acknowledgment(id="EmrChecks::EmrChecks-EMR-OPS2", reason=...))``). The
pack reads every stack of the app once, as the ``check`` command reads a ``cdk.out``: ``Fn::ImportValue`` and weak
cross-stack references resolved across stacks.

Each stack is read once, from its template as synthesis wrote it (CDK runs validation plugins after writing the
cloud assembly): ``Stage.of(stack).outdir`` / ``stack.template_file``, one file read instead of a walk of the
stack's constructs. This is public API only (aws-cdk-lib offers no public way to render an L1's properties from the
construct tree), and it includes raw overrides (``add_property_override``). Only non-compliant outcomes go to
cdk-nag (its ``applyRule`` records nothing else), so a compliant resource costs one callback. ``validate_scope``
must therefore run on a synthesised app.

A stack whose template is not written yet is read from its construct tree, resource by resource; a resource of a
type the rules read whose properties cannot be read is never judged as empty: it is reported as
``EmrChecks-EMR-READ1`` (an error, naming why), and the rules do not run on it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import jsii
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct
from jsii.errors import JSIIError

from emr_constructs.policy.clusters import ClusterView, cluster_views
from emr_constructs.policy.engine import PACK
from emr_constructs.policy.rules import JUDGED_RULES, READ_RULE, RULES, Options, Outcome, Rule, fail
from emr_constructs.policy.rules_deploy import judge_resources
from emr_constructs.policy.templates import Template, TemplateSet

_TYPES = ("AWS::EMR::Cluster", "AWS::StepFunctions::StateMachine")
#: The types the resource rules judge (``rules_deploy``, ``serverless_rules``, ``studio_rules``, ``eks_rules``) and
#: read. Execution roles are judged wherever they are (an application does not name them), so an app with any IAM
#: role is read.
_JUDGED = frozenset(
    {
        "AWS::SNS::Topic",
        "AWS::Lambda::Function",
        "AWS::EMRServerless::Application",
        "AWS::IAM::Role",
        "AWS::EMR::Studio",
        "AWS::EMRContainers::VirtualCluster",
    }
)
_RESOURCE_READ = frozenset(
    {
        *_JUDGED,
        "AWS::S3::Bucket",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::TopicInlinePolicy",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::CloudWatch::Alarm",
        "AWS::Events::Rule",
        "AWS::Logs::LogGroup",
        "AWS::EMRContainers::SecurityConfiguration",
        "AWS::EKS::PodIdentityAssociation",
    }
)
#: The resource types the rules read; others are listed by type only (their properties are never read).
_READ = frozenset(
    {
        *_TYPES,
        "AWS::EMR::SecurityConfiguration",
        "AWS::EMR::InstanceGroupConfig",
        "AWS::IAM::Role",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::EC2::Subnet",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::Route",
        *_RESOURCE_READ,
    }
)


class TemplateNotWritten(RuntimeError):
    """The stack's template, or the resource in it, is not in the cloud assembly (the app is not synthesised)."""


#: What reading raises. jsii turns every JavaScript error (a token that fails to resolve) and every exception of a
#: Python callback it runs into a ``RuntimeError`` (``TemplateNotWritten`` is one), and its own kernel faults (a
#: value it cannot marshal) into a ``JSIIError``.
_RENDER_ERRORS = (RuntimeError, JSIIError)
#: The error text kept in an EMR-READ1 finding, at most.
_ERROR_TEXT = 400


@lru_cache(maxsize=32)
def _written(path: str, modified: int, size: int) -> dict[str, Any]:
    """The template at ``path``, read once per version of the file (keyed by its modification time and size)."""
    template: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return template


def _render(stack: cdk.Stack, resource: cdk.CfnResource) -> Any:
    """The resource's ``Properties`` as synthesis wrote them into its stack's template (``None`` when it has none):
    resolved, rendered and with raw overrides applied, exactly what CloudFormation receives."""
    stage = cdk.Stage.of(stack)
    if stage is None:
        raise TemplateNotWritten(f"{stack.node.path} is in no App or Stage, so it has no cloud assembly")
    path = Path(stage.outdir) / stack.template_file
    try:
        status = path.stat()
    except FileNotFoundError:
        raise TemplateNotWritten(f"{path} is not written: synthesise the app (app.synth()) first") from None
    logical_id = stack.resolve(resource.logical_id)
    body = _written(str(path), status.st_mtime_ns, status.st_size).get("Resources", {}).get(logical_id)
    if body is None:
        raise TemplateNotWritten(f"{path} has no resource {logical_id}: synthesise the app again")
    return copy.deepcopy(body.get("Properties"))


def _written_template(stack: cdk.Stack) -> dict[str, Any] | None:
    """The stack's template as synthesis wrote it, or ``None`` when it is not written (yet)."""
    stage = cdk.Stage.of(stack)
    if stage is None:
        return None
    path = Path(stage.outdir) / stack.template_file
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    # A copy: the file's parse is cached across packs and synths, and the rules must not share it.
    return copy.deepcopy(_written(str(path), status.st_mtime_ns, status.st_size))


def _error_text(error: Exception) -> str:
    text = " ".join(str(error).split())
    if len(text) > _ERROR_TEXT:
        text = text[: _ERROR_TEXT - 3] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _properties(stack: cdk.Stack, resource: cdk.CfnResource) -> tuple[dict[str, Any], str | None]:
    """``(properties, None)``, or ``({}, why)`` for a resource of a type the rules read that cannot be read."""
    if resource.cfn_resource_type not in _READ:
        return {}, None
    try:
        rendered = _render(stack, resource)
    except _RENDER_ERRORS as error:
        return {}, _error_text(error)
    if rendered is None:
        return {}, None
    if not isinstance(rendered, Mapping):
        return {}, f"the properties are a {type(rendered).__name__}, not an object"
    return dict(rendered), None


@jsii.implements(IApplyRule)
class _AppliedRule:
    """One rule's outcome for one resource, in the shape ``NagPack.applyRule`` takes."""

    def __init__(self, node: cdk.CfnResource, rule: Rule, outcome: Outcome) -> None:
        self._node = node
        self._rule = rule
        self._outcome = outcome

    @property
    def node(self) -> cdk.CfnResource:
        return self._node

    @property
    def rule_suffix_override(self) -> str:
        return self._rule.id

    @property
    def info(self) -> str:
        detail = f": {self._outcome.message}" if self._outcome.message else ""
        return f"{self._rule.title}{detail}. Fix: {self._rule.fix}"

    @property
    def explanation(self) -> str:
        return self._rule.explanation

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR if self._rule.level == "error" else NagMessageLevel.WARN

    def rule(self, node: cdk.CfnResource) -> NagRuleCompliance:
        return NagRuleCompliance(self._outcome.status)


def _template(stack: cdk.Stack, unreadable: dict[str, str]) -> dict[str, Any]:
    """The stack as a template from its construct tree (when its written template is missing): each resource's
    properties and metadata, and its outputs. The resources that cannot be read are left empty and recorded in
    ``unreadable`` (construct path -> why)."""
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for child in stack.node.find_all():
        if cdk.Stack.of(child) is not stack:
            continue
        if isinstance(child, cdk.CfnResource):
            properties, why = _properties(stack, child)
            if why is not None:
                unreadable[child.node.path] = why
            body: dict[str, Any] = {"Type": child.cfn_resource_type, "Properties": properties}
            metadata = child.get_metadata("cdk_nag")
            if metadata:
                body["Metadata"] = {"cdk_nag": stack.resolve(metadata)}
            resources[stack.get_logical_id(child)] = body
        elif isinstance(child, cdk.CfnOutput):
            output: dict[str, Any] = {"Value": stack.resolve(child.value)}
            if child.export_name:
                output["Export"] = {"Name": stack.resolve(child.export_name)}
            outputs[stack.resolve(child.logical_id)] = output
    return {"Resources": resources, "Outputs": outputs}


class EmrChecks(NagPack):
    """The EMR policy rules (``emr_constructs.policy.rules``) for any CDK app: raw ``CfnCluster`` resources and
    the ``RunJobFlow`` requests of Step Functions state machines. ``release_floor`` and ``as_of`` as in
    ``emr-constructs check``."""

    def __init__(self, scope: IConstruct | None = None, *, options: Options | None = None) -> None:
        super().__init__(scope)
        self._pack_name = PACK
        self._options = options or Options()
        self._templates: TemplateSet | None = None
        self._unreadable: dict[str, str] = {}
        self._judged: dict[tuple[str, str, str], Outcome] | None = None
        self._cluster_views: dict[tuple[str, str], list[ClusterView]] | None = None

    @property
    def name(self) -> str:
        return PACK

    def _template_set(self, node: cdk.CfnResource) -> TemplateSet:
        """Every stack of the app, read once: its written template when synthesis wrote it (one file read, no
        walk of its constructs), else rebuilt from the construct tree with its resources marked unreadable."""
        if self._templates is None:
            templates = TemplateSet()
            unreadable: dict[str, str] = {}
            for child in node.node.root.node.find_all():
                if isinstance(child, cdk.Stack) and not isinstance(child, cdk.NestedStack):
                    body = _written_template(child)
                    if body is None:
                        body = _template(child, unreadable)
                    templates.add(Template(child.artifact_id, child.artifact_id, body, child.stack_name))
            self._templates, self._unreadable = templates, unreadable
        return self._templates

    def _views(self, templates: TemplateSet) -> dict[tuple[str, str], list[ClusterView]]:
        """The clusters of the app by (stack, logical id) of the resource that creates them, computed once."""
        if self._cluster_views is None:
            views: dict[tuple[str, str], list[ClusterView]] = {}
            for view in cluster_views(templates):
                views.setdefault((view.resource.template, view.resource.logical_id), []).append(view)
            self._cluster_views = views
        return self._cluster_views

    def _apply(self, node: cdk.CfnResource, rule: Rule, outcome: Outcome) -> None:
        """Report a non-compliant outcome. cdk-nag's ``applyRule`` records nothing for the others (v3 keeps no
        compliance report), so they cost no round trip into it."""
        if outcome.status != "NON_COMPLIANT":
            return
        # jsii reads the properties; mypy wants the protocol's setters, which jsii never calls.
        self._apply_rule(cast(IApplyRule, _AppliedRule(node, rule, outcome)))

    def _check_resource(self, node: cdk.CfnResource) -> None:
        kind = node.cfn_resource_type
        if kind not in _READ:
            return
        templates = self._template_set(node)
        why = self._unreadable.get(node.node.path) if self._unreadable else None
        if why is not None:
            # The rules would judge an empty resource; report that it was not read instead.
            self._apply(
                node,
                READ_RULE,
                fail(f"the pack could not read this resource's properties from its synthesised template ({why})"),
            )
            return
        if kind in _JUDGED:
            self._check_judged(node, templates)
        if kind not in _TYPES:
            return
        stack = cdk.Stack.of(node)
        views = self._views(templates).get((stack.artifact_id, stack.resolve(node.logical_id)), [])
        if not views:
            return
        for rule in RULES:
            outcomes = [rule.check(view, self._options) for view in views]
            failed = [o for o in outcomes if o.status == "NON_COMPLIANT"]
            if failed:
                outcome = Outcome("NON_COMPLIANT", "; ".join(o.message for o in failed))
            elif any(o.status == "COMPLIANT" for o in outcomes):
                outcome = Outcome("COMPLIANT")
            else:
                outcome = Outcome("NOT_APPLICABLE")
            self._apply(node, rule, outcome)

    def _check_judged(self, node: cdk.CfnResource, templates: TemplateSet) -> None:
        """The resource rules' outcomes for ``node`` (computed once over the whole app)."""
        if self._judged is None:
            self._judged = {
                (rule.id, resource.template, resource.logical_id): outcome
                for rule, resource, outcome in judge_resources(templates, self._options, JUDGED_RULES)
            }
        stack = cdk.Stack.of(node)
        key = (stack.artifact_id, stack.resolve(node.logical_id))
        for rule in JUDGED_RULES:
            outcome = self._judged.get((rule.id, *key))
            if outcome is not None:
                self._apply(node, rule, outcome)
