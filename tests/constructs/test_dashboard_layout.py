"""The cluster dashboard's layout in the synthesised body: the rendered rows tile the grid from the top left without
overlap, and a widget a user adds to ``EmrMonitoring.dashboard`` lands below them, full width."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch

from emr_constructs import ClusterSpec
from emr_constructs.monitoring import EmrMonitoring
from stacks import project_context
from tests.constructs.test_cluster import ENV
from tests.constructs.test_monitoring import FLEET


@pytest.fixture(scope="module")
def widgets() -> list[dict[str, Any]]:
    app = cdk.App(context=project_context())
    stack = cdk.Stack(app, "Dashboard", env=ENV)
    monitoring = EmrMonitoring(stack, "Monitoring", spec=ClusterSpec.model_validate(FLEET), cluster_id="j-ABCDEF")
    assert monitoring.dashboard is not None
    monitoring.dashboard.add_widgets(cloudwatch.TextWidget(markdown="# Runbook", width=24, height=2))
    template = app.synth().get_stack_by_name("Dashboard").template
    (dashboard,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    body = json.loads("".join(part if isinstance(part, str) else "ref" for part in parts))
    found: list[dict[str, Any]] = body["widgets"]
    return found


def _cells(widget: dict[str, Any]) -> set[tuple[int, int]]:
    return {
        (x, y)
        for x in range(widget["x"], widget["x"] + widget["width"])
        for y in range(widget["y"], widget["y"] + widget["height"])
    }


def test_rendered_rows_tile_the_grid_without_overlap(widgets: list[dict[str, Any]]) -> None:
    *ours, _ = widgets
    assert (ours[0]["x"], ours[0]["y"]) == (0, 0)
    covered: set[tuple[int, int]] = set()
    for widget in ours:
        cells = _cells(widget)
        assert not cells & covered, f"{widget['properties'].get('title')} overlaps another widget"
        assert widget["x"] + widget["width"] <= 24
        covered |= cells
    rows: dict[int, list[dict[str, Any]]] = {}
    for widget in ours:
        rows.setdefault(widget["y"], []).append(widget)
    for row in rows.values():  # left to right, each widget where the one before ends
        assert [w["x"] for w in row] == [sum(v["width"] for v in row[:i]) for i in range(len(row))]


def test_a_widget_the_user_adds_goes_below_the_rendered_rows(widgets: list[dict[str, Any]]) -> None:
    *ours, added = widgets
    assert added["type"] == "text" and added["properties"]["markdown"] == "# Runbook"
    assert (added["x"], added["width"], added["height"]) == (0, 24, 2)
    assert added["y"] == max(w["y"] + w["height"] for w in ours)
