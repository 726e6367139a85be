"""The equal-content L1 baseline: synthesised templates rebuilt as an L1 user writes them.

Imports aws-cdk-lib only (not the library), so that a cold process building it pays what a plain L1 app pays.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

#: Stack name -> (template, artifact id).
Templates = dict[str, tuple[dict[str, Any], str]]
#: Top-level keys of a resource copied with ``add_override``.
RESOURCE_OPTIONS = ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "Metadata", "Condition")


def build_l1_equal(app: cdk.App, templates: Templates, env: cdk.Environment, qualifier: str) -> None:
    """Every template as an L1 stack: one ``CfnResource`` per resource (same type and logical id, its properties
    written out as data in one call), the same resource options and the same outputs."""
    for name, (template, artifact_id) in templates.items():
        stack = cdk.Stack(
            app,
            artifact_id,
            stack_name=name,
            env=env,
            synthesizer=cdk.DefaultStackSynthesizer(qualifier=qualifier),
        )
        for logical_id, body in template.get("Resources", {}).items():
            resource = cdk.CfnResource(stack, logical_id, type=body["Type"], properties=body.get("Properties"))
            resource.override_logical_id(logical_id)
            for option in RESOURCE_OPTIONS:
                if option in body:
                    resource.add_override(option, body[option])
        for output_id, output in template.get("Outputs", {}).items():
            value = output["Value"]
            text = value if isinstance(value, str) else cdk.Token.as_string(value)
            cfn_output = cdk.CfnOutput(stack, output_id, value=text, description=output.get("Description"))
            cfn_output.override_logical_id(output_id)
