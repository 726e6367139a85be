"""Step and bootstrap-action shapes shared by the CloudFormation and RunJobFlow renderers (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emr_constructs.render.fields import compact

COMMAND_RUNNER = "command-runner.jar"


def spark_submit_args(
    script: str, *, main_class: str | None, args: Sequence[str], conf: Mapping[str, str]
) -> list[str]:
    """``spark-submit`` in cluster mode (EMR Release Guide, "Add a Spark step")."""
    command = ["spark-submit", "--deploy-mode", "cluster"]
    if main_class:
        command += ["--class", main_class]
    for key in sorted(conf):
        command += ["--conf", f"{key}={conf[key]}"]
    return [*command, script, *args]


def hive_script_args(script: str, args: Sequence[str]) -> list[str]:
    """``hive-script --run-hive-script`` (EMR Release Guide, "Submit Hive work").

    Extra ``args`` follow the script (``-d NAME=VALUE`` pairs for variables, typically)."""
    return ["hive-script", "--run-hive-script", "--args", "-f", script, *args]


def hadoop_jar_step(jar: str, args: Sequence[str], main_class: str | None = None) -> dict[str, Any]:
    return compact({"Jar": jar, "MainClass": main_class, "Args": list(args)})


def step_config(name: str, action_on_failure: str, jar_step: Mapping[str, Any]) -> dict[str, Any]:
    """A step in the shape both CloudFormation's ``StepConfig`` and the API's ``StepConfig`` take."""
    return {"Name": name, "ActionOnFailure": action_on_failure, "HadoopJarStep": dict(jar_step)}


def bootstrap_action_config(name: str, path: str, args: Sequence[str]) -> dict[str, Any]:
    """A bootstrap action in the shape both CloudFormation and the API take."""
    return {"Name": name, "ScriptBootstrapAction": compact({"Path": path, "Args": list(args)})}
