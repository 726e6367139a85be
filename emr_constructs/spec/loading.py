"""Reading a config file: YAML with file, line and column in every syntax error; validation that reports every
problem in one run, across nesting levels; the project root that local files must stay inside.

Pydantic does not run a model's own checks when one of its fields fails, so a single pass shows a nested error
and hides its parents' checks. ``validate_all`` therefore validates in rounds: after each round it removes the
values that failed (an optional field falls back to its default, a failed item of a list of instance types,
volumes, rules, configurations, steps or bootstrap actions is left out) and validates again. A later round adds
only problems whose path does not touch a removed value, so a check that merely reacts to the removal (a list
now too short, a block now missing) is never shown.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from emr_constructs.spec.local_files import PROJECT_ROOT as PROJECT_ROOT
from emr_constructs.spec.messages import Finding, describe, field_required, format_path, model_at, without_echoes
from emr_constructs.spec.problems import ConfigError, SpecProblems, checks_deferred, settled
from emr_constructs.spec.tokens import STRICT

M = TypeVar("M", bound=BaseModel)

#: The file whose directory is a CDK project's root (the CDK CLI runs the app there).
PROJECT_MARKER = "cdk.json"
MAX_ROUNDS = 8
#: Deeper than any config needs (the deepest path of the shipped configs has 9 levels); bounds every walk.
MAX_DEPTH = 64
#: Lists whose failed items may be left out to look further: nothing refers to their items by name.
_DROPPABLE_ITEMS = frozenset(
    {
        "instance_types",
        "volumes",
        "rules",
        "configurations",
        "steps",
        "bootstrap_actions",
        "serverless_jobs",
        "eks_jobs",
    }
)


def find_project_root(config_path: str | Path | None = None) -> Path:
    """The directory holding ``cdk.json``: the nearest one above the config file, else above the working directory,
    else the working directory itself."""
    starts = [Path(config_path).resolve().parent] if config_path is not None else []
    for start in [*starts, Path.cwd().resolve()]:
        for directory in (start, *start.parents):
            if (directory / PROJECT_MARKER).is_file():
                return directory
    return Path.cwd().resolve()


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is not text (YAML reads it as {type(key).__name__})", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                f"the key {key!r} first given on line {seen[key] + 1}",
                None,
                f"is given again (line {key_node.start_mark.line + 1}); YAML keeps only the last",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _no_binary(loader: _UniqueKeyLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(None, None, "a !!binary value is not a config value", node.start_mark)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:binary", _no_binary)


def _yaml_fix(problem: str) -> str:
    if "is not text" in problem:
        return "quote the key, e.g. 'on': or '1':"
    if "'\\t'" in problem:
        return "indent with spaces; YAML does not allow tabs"
    if "given again" in problem:
        return "keep one of the two entries"
    if "mapping values are not allowed" in problem:
        return "put a space after each ':' and quote values that contain ': '"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return "check the indentation and the '-' of list items on and above this line"
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return "quote the value"
    if "could not determine a constructor" in problem or "!!binary" in problem:
        return "remove the '!' tag; configs hold plain values only"
    return "correct the YAML syntax at this position"


def read_yaml(path: str | Path) -> Any:
    """The parsed file; a ``ConfigError`` naming the file, line and column for any syntax error."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, ["file not found. Fix: pass an existing file, e.g. config/dev.yaml"]) from None
    except IsADirectoryError:
        raise ConfigError(source, ["is a directory. Fix: pass a YAML file, e.g. config/dev.yaml"]) from None
    except UnicodeDecodeError as error:
        raise ConfigError(source, [f"is not UTF-8 text ({error.reason}). Fix: save the file as UTF-8"]) from None
    except OSError as error:
        raise ConfigError(source, [f"cannot be read ({error.strerror}). Fix: check the path and permissions"]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader that also rejects repeated keys
    except RecursionError:
        raise ConfigError(source, ["not valid YAML here: nested too deeply. Fix: flatten the structure"]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(part for part in (error.context, error.problem) if part)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "somewhere"
        raise ConfigError(source, [f"{where}: not valid YAML: {problem}. Fix: {_yaml_fix(problem)}"]) from None
    except yaml.YAMLError as error:
        raise ConfigError(source, [f"not valid YAML: {error}. Fix: {_yaml_fix(str(error))}"]) from None
    shape = _shape_problem(data)
    if shape is not None:
        raise ConfigError(source, [f"(top level): {shape}"])
    return data


def _shape_problem(value: Any) -> str | None:
    """Why a parsed file cannot be a config: an anchor that contains an alias of itself (PyYAML then builds a
    recursive list or mapping), or nesting deeper than ``MAX_DEPTH``. Iterative, so no input can exhaust the stack."""
    on_path: set[int] = set()
    pending: list[tuple[Any, int, bool]] = [(value, 1, False)]
    while pending:
        node, depth, leaving = pending.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        if not isinstance(node, dict | list):
            continue
        if id(node) in on_path:
            return "an alias (*name) refers to itself, which a config cannot hold. Fix: remove the cycle"
        if depth > MAX_DEPTH:
            return f"values are nested more than {MAX_DEPTH} levels deep. Fix: flatten the structure"
        on_path.add(id(node))
        pending.append((node, depth, True))
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1, False) for child in children)
    return None


def _related(a: str, b: str) -> bool:
    """True when one path is the other or lies inside it."""
    return a == b or any(long.startswith(short + sep) for short, long in ((a, b), (b, a)) for sep in (".", "["))


def _has(container: Any, part: int | str) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _data_path(data: Any, location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The part of a pydantic location that indexes ``data`` (validator and union tags dropped)."""
    path: list[int | str] = []
    current = data
    for part in location:
        if not _has(current, part):
            continue
        current = current[part]
        path.append(part)
    return tuple(path)


def _remove(data: Any, path: tuple[int | str, ...]) -> None:
    parent = data
    for part in path[:-1]:
        if not _has(parent, part):
            return
        parent = parent[part]
    if isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
        parent[path[-1]] = _REMOVED
    elif isinstance(parent, dict):
        parent.pop(path[-1], None)


class _Removed:
    """Marks a list item left out (kept in place so that later indexes still match the user's file)."""


_REMOVED = _Removed()


def _compact(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _compact(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_compact(value) for value in data if value is not _REMOVED]
    return data


def _removal_target(root: type[BaseModel], data: Any, location: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """What to remove so that the next round can look past this error, or None when nothing safe can be."""
    path = _data_path(data, location)
    if not path:
        return None
    if not field_required(root, location):
        return path
    for index in range(len(path) - 1, 0, -1):
        if isinstance(path[index], int) and path[index - 1] in _DROPPABLE_ITEMS:
            return path[: index + 1]
    return None


def validate_all(root: type[M], raw: Any, *, source: str, context: dict[str, Any] | None = None) -> M:
    """``root`` validated from ``raw``, or a ``ConfigError`` with every problem found in up to ``MAX_ROUNDS``."""
    data = copy.deepcopy(raw)
    # Files never hold CDK tokens: token-looking text is checked like any other (see spec.tokens).
    context = {**(context or {}), STRICT: True}
    shown: list[Finding] = []
    removed: list[tuple[tuple[int | str, ...], str]] = []
    quiet: list[BaseModel] = []
    for round_number in range(MAX_ROUNDS):
        try:
            with settled(quiet):
                model = root.model_validate(_compact(data), context=context)
        except ValidationError as error:
            errors = error.errors()
        except Exception:
            # Only a later round can get here (its data is the user's less what was removed): keep what was found.
            if round_number == 0:
                raise
            break
        else:
            if not shown:
                return model
            break
        # Indexes in ``data`` match the user's file because removed list items stay in place as markers; the
        # compacted copy that pydantic saw may be shorter, so map its locations back.
        targets: list[tuple[int | str, ...]] = []
        checked: list[tuple[int | str, ...]] = []
        for item in without_echoes(list(errors)):
            location = _original_location(data, tuple(item["loc"]))
            for finding in describe({**item, "loc": location}, root):
                if any(_related(finding.path, path) for _, path in removed):
                    continue
                if finding.text not in {f.text for f in shown}:
                    shown.append(finding)
            if isinstance((item.get("ctx") or {}).get("error"), SpecProblems):
                checked.append(_data_path(data, location))
                continue
            target = _removal_target(root, data, location)
            if target is not None and target not in (t for t, _ in removed) and target not in targets:
                targets.append(target)
        built = [model for model in (_settle(root, data, path, context) for path in checked) if model is not None]
        quiet.extend(built)
        if not targets and not built:
            break
        for target in targets:
            _remove(data, target)
            removed.append((target, format_path(target)))
    raise ConfigError(source, [finding.text for finding in shown])


def _settle(
    root: type[BaseModel], data: Any, path: tuple[int | str, ...], context: dict[str, Any] | None
) -> BaseModel | None:
    """Replace the block at ``path``, whose own checks failed (and are reported), by its model built without those
    checks, so that the next round runs the checks of the blocks around it; None when that is not possible."""
    holder = model_at(root, path)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    block = parent[path[-1]] if path else data
    if holder is None or not path or not isinstance(block, dict):
        return None
    try:
        with checks_deferred():
            model = holder.model_validate(_compact(block), context=context)
    except ValidationError:
        return None
    parent[path[-1]] = model
    return model


def _original_location(data: Any, location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Map a location in the compacted data back to ``data`` (whose removed list items are still in place)."""
    mapped: list[int | str] = []
    current = data
    for part in location:
        if isinstance(current, list) and isinstance(part, int):
            live = [index for index, value in enumerate(current) if value is not _REMOVED]
            original = live[part] if part < len(live) else part
            mapped.append(original)
            current = current[original] if original < len(current) else None
        elif isinstance(current, dict) and part in current:
            mapped.append(part)
            current = current[part]
        else:
            mapped.append(part)
    return tuple(mapped)
