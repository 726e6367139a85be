"""Property test of build_app: a mutated shipped config that load_config accepts builds, or raises ConfigError.

The mutants are those of tests/spec/test_config_properties.py, with at most two mutations so that more of them
load; inputs that load_config rejects are discarded (that module tests them). A build costs about half a second
once jsii runs, so the sample is small (``max_examples=8``). The app is built without the policy packs and is not
synthesised. Known build bugs are in that module's ``KNOWN_BUGS`` (stage "build").
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import aws_cdk as cdk
import pytest
from hypothesis import HealthCheck, assume, given, note, settings

from emr_constructs.spec import ConfigError, load_config
from stacks import build_app, project_context
from tests.spec.test_config_properties import (
    KNOWN_BUGS,
    REPO,
    KnownBug,
    KnownBugHits,
    Mutant,
    Reproducer,
    bad_problem_lines,
    mutants,
)

# About one mutant in seven loads; the others are discarded, which Hypothesis would otherwise report.
SAMPLE = settings(max_examples=8, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def build(config: Path, directory: Path) -> None:
    app = cdk.App(context=project_context(), outdir=tempfile.mkdtemp(dir=directory))
    build_app(config, app, policy_checks=False)


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build from the project root, as the CDK CLI does (relative script paths are taken from there)."""
    monkeypatch.chdir(REPO)


@pytest.mark.usefixtures("in_project")
def test_an_accepted_mutant_builds_or_raises_config_error(tmp_path: Path) -> None:
    path = tmp_path / "mutant.yaml"
    hits = KnownBugHits("build")

    @SAMPLE
    @given(mutant=mutants(max_mutations=2))
    def builds_or_raises_config_error(mutant: Mutant) -> None:
        path.write_text(mutant.text, encoding="utf-8")
        try:
            load_config(path)
        except Exception:  # ConfigError, or a load bug that tests/spec/test_config_properties.py reports
            assume(False)
        note(f"{mutant}\n{mutant.text}")
        try:
            build(path, tmp_path)
        except ConfigError as error:
            for line in bad_problem_lines(error, mutant.document):
                hits.handle(line, str(mutant))
        except Exception as error:
            hits.handle(error, str(mutant))

    builds_or_raises_config_error()
    hits.xfail_if_any()


def build_reproducer(reproducer: Reproducer, tmp_path: Path) -> None:
    path = tmp_path / "reproducer.yaml"
    path.write_bytes(reproducer.render())
    load_config(path)  # the bug is in building a config that loads
    try:
        build(path, tmp_path)
    except ConfigError as error:
        assert not bad_problem_lines(error, reproducer.document())


@pytest.mark.usefixtures("in_project")
@pytest.mark.parametrize(
    "bug",
    [
        pytest.param(bug, id=bug.id, marks=pytest.mark.xfail(raises=bug.exception, reason=bug.summary, strict=False))
        for bug in KNOWN_BUGS
        if bug.stage == "build"
    ],
)
def test_known_build_bug_reproducer(bug: KnownBug, tmp_path: Path) -> None:
    build_reproducer(bug.reproducer, tmp_path)
