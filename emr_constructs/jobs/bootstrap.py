"""``BootstrapAction``: scripts that every node runs before its applications start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from emr_constructs.render.steps import bootstrap_action_config
from emr_constructs.spec.jobs import BootstrapActionSpec


def grant_object_read(grantee: iam.IGrantable, bucket: s3.IBucket, key: str) -> None:
    """``s3:GetObject`` on exactly one object: what a node needs to fetch a script."""
    iam.Grant.add_to_principal(grantee=grantee, actions=["s3:GetObject"], resource_arns=[bucket.arn_for_objects(key)])


def local_asset(scope: Construct, id: str, path: str) -> s3_assets.Asset:
    """A repository file as a CDK asset; a missing file is an error naming it."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(
            f"{id}: {path!r} is not a file (looked in {Path.cwd()}). Fix: give the path of a file in the repository, "
            "relative to the directory the CDK app runs in, or an s3:// URI"
        )
    return s3_assets.Asset(scope, id, path=str(file))


def script_location(scope: Construct, id: str, script: str, grantee: iam.IGrantable) -> str:
    """Where a job reads ``script``: a repository file becomes the asset ``id`` under ``scope`` that only
    ``grantee`` may read (``s3:GetObject`` on that object); an s3:// URI passes through."""
    if script.startswith("s3://"):
        return script
    asset = local_asset(scope, id, script)
    grant_object_read(grantee, asset.bucket, asset.s3_object_key)
    return asset.s3_object_url


@dataclass(frozen=True)
class BootstrapAction:
    """A bootstrap action. Build it with ``from_asset`` (a repository script, shipped as a CDK asset and
    readable by exactly the instance role) or ``from_s3``; ``run_if`` wraps one in EMR's run-if action.

    ``BootstrapActions`` is create-only: editing a shipped script changes its asset key and so replaces the
    cluster.

    The fields, which the class methods fill in (prefer them to the constructor):

    :param name: the action's name in the cluster (required).
    :param path: a local script, shipped as a CDK asset.
        Default: ``None`` (then ``bucket`` and ``key`` name the script).
    :param bucket: the bucket of a script in S3.
        Default: ``None``.
    :param key: the object key of a script in S3.
        Default: ``None``.
    :param args: the script's arguments.
        Default: ``()``, none.
    :param condition: the run-if condition of a ``run_if`` action.
        Default: ``None``, run on every node.
    """

    name: str
    path: str | None = None
    bucket: s3.IBucket | None = None
    key: str | None = None
    args: tuple[str, ...] = ()
    condition: str | None = None
    _wrapped: tuple[BootstrapAction, ...] = field(default=())

    @classmethod
    def from_asset(cls, path: str, *, args: Sequence[str] = (), name: str | None = None) -> BootstrapAction:
        """A repository script, shipped as a CDK asset that only the cluster's instance role may read.

        :param path: the script, relative to the directory the CDK app runs in (required).
        :param args: the script's arguments.
            Default: ``()``, none.
        :param name: the action's name.
            Default: the file name without its suffix.
        """
        return cls(name=name or Path(path).stem, path=path, args=tuple(args))

    @classmethod
    def from_s3(
        cls, bucket: s3.IBucket, key: str, *, args: Sequence[str] = (), name: str | None = None
    ) -> BootstrapAction:
        """A script already in S3; the cluster's instance role is granted ``s3:GetObject`` on that object only.

        :param bucket: the bucket (required).
        :param key: the object key (required).
        :param args: the script's arguments.
            Default: ``()``, none.
        :param name: the action's name.
            Default: the key's file name without its suffix.
        """
        return cls(name=name or Path(key).stem, bucket=bucket, key=key, args=tuple(args))

    @classmethod
    def run_if(cls, condition: str, action: BootstrapAction) -> BootstrapAction:
        """Run ``action`` only where ``condition`` holds, e.g. ``instance.isMaster=true``."""
        return cls(name=action.name, condition=condition, _wrapped=(action,))

    @classmethod
    def from_spec(cls, scope: Construct, spec: BootstrapActionSpec) -> BootstrapAction:
        """The action for a YAML bootstrap action (an s3:// script's bucket is imported under ``scope``)."""
        if spec.script.startswith("s3://"):
            bucket_name, _, key = spec.script.removeprefix("s3://").partition("/")
            bucket = s3.Bucket.from_bucket_name(scope, f"BootstrapBucket-{spec.name}", bucket_name)
            action = cls.from_s3(bucket, key, args=spec.args, name=spec.name)
        else:
            action = cls.from_asset(spec.script, args=spec.args, name=spec.name)
        return cls.run_if(spec.run_if, action) if spec.run_if else action

    def bind(self, scope: Construct, grantee: iam.IGrantable) -> dict[str, Any]:
        """Ship the script if needed, grant ``grantee`` read on it, and render the action."""
        if self._wrapped:
            (inner,) = self._wrapped
            rendered = inner.bind(scope, grantee)["ScriptBootstrapAction"]
            region = Stack.of(scope).region
            run_if = f"s3://{region}.elasticmapreduce/bootstrap-actions/run-if"
            return bootstrap_action_config(
                self.name, run_if, [self.condition or "", rendered["Path"], *rendered.get("Args", [])]
            )
        if self.path is not None:
            asset = local_asset(scope, f"Bootstrap-{self.name}", self.path)
            grant_object_read(grantee, asset.bucket, asset.s3_object_key)
            return bootstrap_action_config(self.name, asset.s3_object_url, self.args)
        if self.bucket is None or self.key is None:
            raise ValueError(f"BootstrapAction {self.name!r}: give a local path or an S3 bucket and key")
        grant_object_read(grantee, self.bucket, self.key)
        return bootstrap_action_config(self.name, self.bucket.s3_url_for_object(self.key), self.args)
