"""A set of CloudFormation templates, and a resolver that follows references between their resources.

``Ref`` and ``Fn::GetAtt`` point at resources of the same template; ``Fn::ImportValue`` at another template's
exported output; ``Fn::GetStackOutput`` (the CDK's weak cross-stack references) at another stack's output.
``Fn::Join``, ``Fn::Sub`` (without variables left) and ``Fn::Select`` of resolved parts are evaluated. Anything
else (parameters, pseudo parameters, outputs of stacks outside the set) is ``UNRESOLVED``: rules treat it as not
applicable, never as a failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class _Unresolved:
    """The value of something the template set cannot tell (a parameter, an outside stack's output)."""

    _instance: _Unresolved | None = None

    def __new__(cls) -> _Unresolved:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNRESOLVED"

    def __bool__(self) -> bool:
        return False


UNRESOLVED: Any = _Unresolved()


class TemplateError(Exception):
    """A file that is not a readable CloudFormation template; the message names the file."""


@dataclass(frozen=True)
class Resource:
    """One resource of one template."""

    template: str
    logical_id: str
    type: str
    properties: dict[str, Any]
    metadata: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.template}:{self.logical_id}"


@dataclass(frozen=True)
class Ref:
    """A resolved ``Ref`` to a resource of the set (its physical id is unknown before deploy)."""

    resource: Resource


@dataclass(frozen=True)
class Attr:
    """A resolved ``Fn::GetAtt`` of a resource of the set."""

    resource: Resource
    attribute: str


@dataclass
class Template:
    name: str
    path: str
    body: dict[str, Any]
    stack_name: str | None = None

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.body.get("Resources") or {}
        return resources


@dataclass
class TemplateSet:
    """Templates by name (the file name without ``.template.json``), with the stack names of a cloud assembly."""

    templates: dict[str, Template] = field(default_factory=dict)

    def add(self, template: Template) -> None:
        self.templates[template.name] = template

    def resources(self, *types: str) -> Iterator[Resource]:
        for template in self.templates.values():
            for logical_id, body in template.resources.items():
                if isinstance(body, dict) and (not types or body.get("Type") in types):
                    yield self.resource(template.name, logical_id)

    def resource(self, template: str, logical_id: str) -> Resource:
        body = self.templates[template].resources[logical_id]
        return Resource(
            template,
            logical_id,
            str(body.get("Type")),
            body.get("Properties") or {},
            body.get("Metadata") or {},
        )

    def find(self, template: str, logical_id: str) -> Resource | None:
        found = self.templates.get(template)
        if found is None or logical_id not in found.resources:
            return None
        return self.resource(template, logical_id)

    def _output(self, template: Template, name: str) -> Any:
        output = (template.body.get("Outputs") or {}).get(name)
        return UNRESOLVED if output is None else output.get("Value", UNRESOLVED)

    def _export(self, name: Any) -> tuple[Template, Any] | None:
        for template in self.templates.values():
            for output in (template.body.get("Outputs") or {}).values():
                export = output.get("Export", {}).get("Name")
                if export is not None and self.resolve(template.name, export) == name:
                    return template, output.get("Value", UNRESOLVED)
        return None

    def _stack(self, stack_name: Any) -> Template | None:
        for template in self.templates.values():
            if stack_name in (template.stack_name, template.name):
                return template
        return None

    def resolve(self, template: str, value: Any) -> Any:
        """``value`` with every intrinsic the set can answer replaced: strings, numbers, lists, dicts, ``Ref`` and
        ``Attr`` objects, and ``UNRESOLVED`` for the rest. Dicts that are not intrinsics resolve key by key."""
        if isinstance(value, list):
            return [self.resolve(template, item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(template, item) for key, item in value.items()}
        ((key, argument),) = value.items()
        resources = self.templates[template].resources if template in self.templates else {}
        if key == "Ref":
            if isinstance(argument, str) and argument in resources:
                return Ref(self.resource(template, argument))
            return UNRESOLVED
        if key == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(parts, list) and len(parts) == 2 and parts[0] in resources:
                return Attr(self.resource(template, parts[0]), str(self.resolve(template, parts[1])))
            return UNRESOLVED
        if key == "Fn::ImportValue":
            found = self._export(self.resolve(template, argument))
            return UNRESOLVED if found is None else self.resolve(found[0].name, found[1])
        if key == "Fn::GetStackOutput":
            arguments = self.resolve(template, argument)
            if not isinstance(arguments, dict):
                return UNRESOLVED
            other = self._stack(arguments.get("StackName"))
            if other is None:
                return UNRESOLVED
            return self.resolve(other.name, self._output(other, str(arguments.get("OutputName"))))
        if key == "Fn::Join":
            delimiter, items = argument if isinstance(argument, list) and len(argument) == 2 else (None, None)
            parts = self.resolve(template, items)
            if not isinstance(delimiter, str) or not isinstance(parts, list):
                return UNRESOLVED
            if all(isinstance(part, str | int | float) for part in parts):
                return delimiter.join(str(part) for part in parts)
            return UNRESOLVED
        if key == "Fn::Select":
            index, items = argument if isinstance(argument, list) and len(argument) == 2 else (None, None)
            items = self.resolve(template, items)
            index = self.resolve(template, index)
            if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
                return items[int(index)]
            return UNRESOLVED
        if key == "Fn::Sub":
            text = argument if isinstance(argument, str) else None
            return text if text is not None and "${" not in text else UNRESOLVED
        if key.startswith("Fn::") or key == "Condition":
            return UNRESOLVED
        return {key: self.resolve(template, argument)}


def _stack_names(directory: Path) -> dict[str, str]:
    """Template file name -> stack name, from a cloud assembly's ``manifest.json``."""
    manifest = directory / "manifest.json"
    names: dict[str, str] = {}
    if not manifest.exists():
        return names
    try:
        artifacts = json.loads(manifest.read_text()).get("artifacts", {})
    except ValueError:
        return names
    for artifact_id, artifact in artifacts.items():
        properties = artifact.get("properties") or {}
        template_file = properties.get("templateFile")
        if artifact.get("type") == "aws:cloudformation:stack" and template_file:
            names[template_file] = properties.get("stackName") or artifact_id
    return names


def _template_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = sorted(path.glob("*.template.json"))
    if found:
        return found
    return sorted(p for p in path.iterdir() if p.suffix in (".json", ".yaml", ".yml", ".template"))


def load_templates(paths: Iterable[Path]) -> TemplateSet:
    """Templates from files or directories (a ``cdk.out`` reads its ``*.template.json`` and stack names). JSON and
    YAML with short-form intrinsics (``!Ref``, ``!GetAtt``, ``!Sub``) are read with cfn-lint's decoder."""
    from cfnlint.decode import decode  # the decoder cfn-lint uses, so both see the same template

    result = TemplateSet()
    for path in paths:
        if not path.exists():
            raise TemplateError(f"{path}: no such file or directory")
        names = _stack_names(path) if path.is_dir() else {}
        files = _template_files(path)
        if not files:
            raise TemplateError(f"{path}: no CloudFormation templates (*.template.json, *.json, *.yaml) in it")
        for file in files:
            body, errors = decode(str(file))
            if errors or not isinstance(body, dict):
                detail = "; ".join(str(getattr(e, "message", e)) for e in errors or [])
                raise TemplateError(f"{file}: not a readable CloudFormation template ({detail or 'not a mapping'})")
            if not isinstance(body.get("Resources"), dict):
                raise TemplateError(f"{file}: not a CloudFormation template (no Resources section)")
            name = file.name.removesuffix(".template.json")
            name = name if name != file.name else file.stem
            result.add(Template(name, str(file), _plain(body), names.get(file.name)))
    return result


def _plain(value: Any) -> Any:
    """cfn-lint's decoded nodes as plain dicts, lists and strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
