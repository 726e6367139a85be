"""One cold synth in a fresh process, timed by the parent (``synth_bench.py --cold``): the default app with every
policy pack (``ours``), or the equal-content L1 rebuild of its templates with cdk-nag's three packs (``l1``).

The rebuild writes every resource as a ``CfnResource``; a plain L1 app writes ``emr.CfnCluster``, ``iam.CfnRole`` and
so on, so ``l1`` also imports the aws-cdk-lib module of every resource type it builds (``aws_cdk.aws_emr`` for
``AWS::EMR::Cluster``), as such an app must: about 0.4 seconds for the default app's thirteen services.

``python -m benchmarks.cold_child ours OUTDIR`` or ``python -m benchmarks.cold_child l1 OUTDIR TEMPLATES.json``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_DEPRECATED", "quiet")
ROOT = Path(__file__).resolve().parent.parent


def _l1_modules(templates: dict[str, Any]) -> list[str]:
    """The aws-cdk-lib modules that hold the L1 classes of the templates' resource types."""
    services = {
        kind.split("::")[1].lower()
        for body, _ in templates.values()
        for kind in (resource["Type"] for resource in body["Resources"].values())
        if kind.startswith("AWS::") and not kind.startswith("AWS::CDK::")
    }
    return sorted(
        f"aws_cdk.aws_{service}" for service in services if importlib.util.find_spec(f"aws_cdk.aws_{service}")
    )


def main(argv: list[str]) -> int:
    mode, outdir = argv[0], argv[1]
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    if mode == "ours":
        import aws_cdk as cdk

        from stacks import build_app

        app = cdk.App(outdir=outdir, analytics_reporting=False, context=context)
        build_app(None, app)
        app.synth()
        return 0
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

    from benchmarks.l1_equal import build_l1_equal

    source = json.loads(Path(argv[2]).read_text())
    for module in _l1_modules(source["templates"]):
        importlib.import_module(module)
    app = cdk.App(outdir=outdir, analytics_reporting=False, context=context)
    env = cdk.Environment(account=source["account"], region=source["region"])
    build_l1_equal(app, {k: (v[0], v[1]) for k, v in source["templates"].items()}, env, source["qualifier"])
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app))
    try:
        app.synth()
    except RuntimeError as error:  # findings the rebuilt templates do not acknowledge: the packs ran all the same
        if "Validation failed" not in str(error):
            raise
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
