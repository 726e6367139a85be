from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest

from stacks import DEFAULT_CONFIG, build_app, project_context


@dataclass(frozen=True)
class SynthesisedApp:
    app: cdk.App
    assembly: cdk.cx_api.CloudAssembly
    templates: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def dev_app() -> SynthesisedApp:
    """The default app (config/dev.yaml) with every policy check, synthesised once per session."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="dev-app-"), context=project_context())
    build_app(DEFAULT_CONFIG, app)
    assembly = app.synth()
    templates = {stack.stack_name: stack.template for stack in assembly.stacks}
    return SynthesisedApp(app, assembly, templates)
