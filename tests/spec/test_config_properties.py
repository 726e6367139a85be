"""Property tests of load_config: a damaged config loads or raises ConfigError, never any other exception.

The seeds are the shipped configs (config/dev.yaml, config/prod.yaml, config/examples/*.yaml). ``mutants()``
applies 1 to 3 mutations at random paths of one seed's parsed YAML: drop a key or item, rename a key (a typo),
retype a value or a key, push an int to a boundary, replace a value by an awkward string, duplicate a list item,
empty a list. ``yaml_edits()`` damages dev.yaml's text instead. Hypothesis profiles: tests/conftest.py (``ci`` is
derandomised, so CI runs the same examples every time).

Library bugs these properties found are listed in ``KNOWN_BUGS``, each with a minimal reproducer. A property run
that hits only known bugs keeps searching and ends XFAIL, naming them; any other failure fails the test and shows
the input. ``test_known_bug_reproducer`` runs each reproducer (XFAIL until the library is fixed, then XPASS: move
the entry to ``FIXED``, where it stays as a regression test).
"""

from __future__ import annotations

import copy
import math
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, note
from hypothesis import strategies as st

from emr_constructs.spec import AppConfig, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
SEED_FILES = (
    REPO / "config" / "dev.yaml",
    REPO / "config" / "prod.yaml",
    *sorted((REPO / "config" / "examples").glob("*.yaml")),
)
SEEDS: dict[str, Any] = {path.relative_to(REPO).as_posix(): yaml.safe_load(path.read_text()) for path in SEED_FILES}
DEV_TEXT = (REPO / "config" / "dev.yaml").read_bytes()

Location = tuple[Any, ...]


def dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


# -- the message contract --------------------------------------------------------------------------------------------


def bad_problem_lines(error: ConfigError, document: Any) -> list[str]:
    """The problem lines that do not start with a field path (or '(top level)') and ': '; a ConfigError without
    any line counts as one bad line."""
    if not error.lines:
        return [f"(no problem line) {error}"]
    roots = set(AppConfig.model_fields) | ({str(key) for key in document} if isinstance(document, dict) else set())
    bad = []
    for line in error.lines:
        head, separator, _ = line.partition(": ")
        # A YAML syntax error names its place in the file instead of a field.
        names_path = (
            re.fullmatch(r"line \d+, column \d+", head) is not None
            or head == "(top level)"
            or any(head == root or head.startswith((f"{root}.", f"{root}[")) for root in roots)
        )
        if not (separator and names_path):
            bad.append(line)
    return bad


# -- known library bugs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reproducer:
    """A config: ``seed`` with values replaced at paths (``patch``), or ``text`` as the whole file."""

    seed: str = "config/dev.yaml"
    patch: tuple[tuple[Location, Any], ...] = ()
    text: bytes | None = None

    def document(self) -> Any:
        document = copy.deepcopy(SEEDS[self.seed])
        for location, value in self.patch:
            parent_of(document, location)[location[-1]] = copy.deepcopy(value)
        return document

    def render(self) -> bytes:
        return self.text if self.text is not None else dump(self.document()).encode()

    def __str__(self) -> str:
        if self.text is not None:
            return f"the file {self.text[:120]!r}{'...' if len(self.text) > 120 else ''}"
        edits = "; ".join(f"{format_location(loc)}: {value!r:.100}" for loc, value in self.patch)
        return f"{self.seed} with {edits}"


@dataclass(frozen=True)
class KnownBug:
    """A library failure: the stage (load or build), what is raised (``exception``; AssertionError for a problem
    line without a field path), a regex on the traceback (or the line) that recognises it, and a reproducer."""

    id: str
    stage: str
    exception: type[BaseException]
    pattern: str
    summary: str
    reproducer: Reproducer

    def matches(self, stage: str, error: BaseException | str, text: str) -> bool:
        """Whether ``error`` (an exception with its formatted ``text``, or a problem line) is this bug."""
        if stage != self.stage:
            return False
        if isinstance(error, str):
            return self.exception is AssertionError and re.search(self.pattern, error) is not None
        return isinstance(error, self.exception) and re.search(self.pattern, text) is not None


KNOWN_BUGS: tuple[KnownBug, ...] = ()

#: Bugs found by these properties and since fixed: their reproducers must give ConfigError.
FIXED: tuple[tuple[str, Reproducer], ...] = (
    # validate_all removed a list item, then a nested path inside it: AttributeError/TypeError/KeyError in _remove.
    (
        "removed-item-then-child",
        Reproducer(patch=((("clusters", 0, "configurations"), [{"Classification": "spark-defaults"}]),)),
    ),
    (
        "removed-item-then-grandchild",
        Reproducer(
            patch=((("clusters", 0, "instance_fleets", "core", "instance_types", 0), {"ebs": {"volumes": [{}]}}),)
        ),
    ),
    ("removed-key-then-child", Reproducer(patch=((("clusters", 0, "release_label"), {"value": "emr-7.12.0"}),))),
    # read_text() without an encoding: a non-UTF-8 byte raised UnicodeDecodeError.
    ("non-utf8-byte", Reproducer(text=DEV_TEXT[:100] + b"\xff" + DEV_TEXT[100:])),
    # OSError from a path component over 255 bytes; unhashable, non-text keys; recursive aliases; deep nesting.
    ("script-name-too-long", Reproducer(patch=((("clusters", 0, "bootstrap_actions", 0, "script"), "x" * 256),))),
    ("yaml-unhashable-key", Reproducer(text=b"? !!set {a: null}\n: 1\n")),
    ("yaml-recursive-alias", Reproducer(text=b"x: &a [*a]\n")),
    ("yaml-deep-nesting", Reproducer(text=b"x: " + b"[" * 1000 + b"]" * 1000 + b"\n")),
    ("non-text-key-line", Reproducer(text=DEV_TEXT + b"\ntrue: 1\n")),
    # The first check for self-referencing aliases recursed per level: RecursionError at depths PyYAML still parses
    # (about 335 to 490 levels with the default recursion limit, 675 to 975 inside Hypothesis).
    ("nesting-cycle-check-recursion", Reproducer(text=b"x: " + b"[" * 400 + b"]" * 400 + b"\n")),
)

#: Build-stage bugs since fixed (now rejected when the config loads): their reproducers must give ConfigError.
FIXED_AT_BUILD: tuple[tuple[str, Reproducer], ...] = (
    ("duplicate-glue-database", Reproducer(patch=((("glue_databases",), [{"name": "raw"}, {"name": "raw"}]),))),
    (
        "duplicate-kinesis-stream",
        Reproducer(
            "config/examples/flink.yaml",
            (
                (
                    ("clusters", 0, "data_lake", "flink", "kinesis_streams"),
                    ["arn:aws:kinesis:eu-west-1:111111111111:stream/clickstream"] * 2,
                ),
            ),
        ),
    ),
)


@dataclass
class KnownBugHits:
    """The known bugs a property run hit (with the shortest input for each); XFAIL at the end if any."""

    stage: str
    found: dict[str, str] = field(default_factory=dict)

    def handle(self, error: BaseException | str, shown: str) -> None:
        """Record ``error`` (an exception, or a bad problem line) if it is a known bug, else fail with the input."""
        # The last frames suffice to recognise a bug, and keep a RecursionError's traceback short.
        text = error if isinstance(error, str) else "".join(traceback.format_exception(error, limit=-12))
        bug = next((bug for bug in KNOWN_BUGS if bug.matches(self.stage, error, text)), None)
        if bug is not None:
            if len(shown) < len(self.found.get(bug.id, shown + " ")):
                self.found[bug.id] = shown
            return
        if isinstance(error, str):
            raise AssertionError(f"problem line without a field path: {error!r}\ninput: {shown}")
        raise AssertionError(
            f"{type(error).__name__} instead of ConfigError (a library bug; add it to KNOWN_BUGS once reported)\n"
            f"{text[-3000:]}\ninput: {shown}"
        ) from error

    def xfail_if_any(self) -> None:
        if self.found:
            pytest.xfail(
                "known library bugs (KNOWN_BUGS in tests/spec/test_config_properties.py): "
                + "; ".join(f"{bug} e.g. {shown[:300]}" for bug, shown in sorted(self.found.items()))
            )


# -- mutations of the parsed YAML ------------------------------------------------------------------------------------


def format_location(location: Location) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def paths(node: Any, prefix: Location = ()) -> list[Location]:
    """Every path into ``node`` (dict keys and list indexes), parents before children."""
    found: list[Location] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def parent_of(document: Any, location: Location) -> Any:
    for key in location[:-1]:
        document = document[key]
    return document


AWKWARD_STRINGS = (
    "",
    " ",
    "../../etc/passwd",
    "/etc/passwd",
    "s3://x",
    "s3://",
    "s3://bucket/../../key",
    "bootstrap",
    "C:\\Windows\\System32",
    "~/x",
    "$(reboot)",
    "${HOME}",
    "null",
    "~",
    "yes",
    "0x1F",
    "1e3",
    "-1",
    ".nan",
    "*",
    "\n",
    "\t",
    "\x00",
    "\u202e",
    "日本語",
    "💥",
    "Ä",
)
LONG_STRINGS = st.sampled_from([64, 256, 1025, 20_000]).flatmap(
    lambda n: st.sampled_from(["x" * n, "é" * n, "a/" * (n // 2)])
)
RANDOM_STRINGS = st.one_of(st.sampled_from(AWKWARD_STRINGS), st.text(max_size=24), LONG_STRINGS)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(), st.text(max_size=8))
TYPES = ("str", "int", "float", "bool", "None", "list", "dict")
TYPO_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCZ0129_-é"
BOUNDARIES = (0, -1, 2**31 - 1, 2**31, 2**63, 10**30, -(2**63))


def type_name(value: Any) -> str:
    if value is None:
        return "None"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(type(value), "?")


def retyped(draw: st.DrawFn, value: Any, target: str) -> Any:
    """``value`` as a ``target``: a faithful conversion where one exists (5 -> '5', 5.0, [5]) or a random one."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if isinstance(value, str | list | dict):
        number = len(value)
    elif isinstance(value, bool):
        number = int(value)
    if target == "str":
        return draw(st.one_of(st.just("" if value is None else str(value)), st.text(max_size=8)))
    if target == "int":
        whole = int(number) if number is not None and math.isfinite(number) else 0
        return draw(st.sampled_from([whole, whole + 1, -1]))
    if target == "float":
        return draw(st.sampled_from([float(number or 0), float(number or 0) + 0.5, math.nan, math.inf, -math.inf]))
    if target == "bool":
        return draw(st.booleans())
    if target == "None":
        return None
    if target == "list":
        return draw(st.one_of(st.just([value]), st.just([]), st.lists(SCALARS, max_size=3)))
    return draw(st.one_of(st.just({"value": value}), st.just({}), st.dictionaries(st.text(max_size=6), SCALARS)))


def typo(draw: st.DrawFn, key: str) -> str:
    """``key`` with one typo: a character inserted, deleted or swapped with the next, or its case changed."""
    kinds = ["insert", "case"] + (["delete"] if key else []) + (["swap"] if len(key) > 1 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "case":
        return draw(st.sampled_from([key.upper(), key.capitalize(), key.swapcase(), key.replace("_", "-")]))
    index = draw(st.integers(0, len(key) - {"insert": 0, "delete": 1, "swap": 2}[kind]))
    if kind == "insert":
        return key[:index] + draw(st.sampled_from(TYPO_CHARACTERS)) + key[index:]
    if kind == "delete":
        return key[:index] + key[index + 1 :]
    return key[:index] + key[index + 1] + key[index] + key[index + 2 :]


def rekeyed(mapping: dict[Any, Any], old: Any, new: Any) -> None:
    """Rename ``old`` to ``new`` in place, keeping the order of the keys."""
    items = [((new if k == old else k), v) for k, v in mapping.items()]
    mapping.clear()
    mapping.update(items)


def mutate(draw: st.DrawFn, document: Any, location: Location) -> str:
    """Apply one mutation at ``location`` in place; returns what it did."""
    parent, key = parent_of(document, location), location[-1]
    value = parent[key]
    where = format_location(location)
    kinds = ["drop", "retype", "string"]
    if isinstance(parent, dict):
        kinds += ["rename", "retype key"] if isinstance(key, str) else []
    if isinstance(value, int) and not isinstance(value, bool):
        kinds.append("boundary")
    if isinstance(value, list) and value:
        kinds += ["duplicate", "empty"]
    kind = draw(st.sampled_from(kinds))
    if kind == "drop":
        del parent[key]
        return f"drop {where}"
    if kind in ("rename", "retype key"):
        new = typo(draw, key) if kind == "rename" else draw(st.sampled_from([1, 0, True, None, 1.5]))
        rekeyed(parent, key, new)
        return f"{kind} {where} -> {new!r}"
    if kind == "duplicate":
        index = draw(st.integers(0, len(value) - 1))
        value.insert(index, copy.deepcopy(value[index]))
        return f"duplicate {where}[{index}]"
    if kind == "empty":
        parent[key] = []
    elif kind == "boundary":
        parent[key] = draw(st.sampled_from([value + 1, value - 1, *BOUNDARIES]))
    elif kind == "string":
        parent[key] = draw(RANDOM_STRINGS)
    else:
        parent[key] = retyped(draw, value, draw(st.sampled_from([t for t in TYPES if t != type_name(value)])))
    return f"{kind} {where} = {parent[key]!r:.80}"


@dataclass(frozen=True)
class Mutant:
    seed: str
    document: Any
    mutations: tuple[str, ...]

    @property
    def text(self) -> str:
        return dump(self.document)

    def __str__(self) -> str:
        return f"{self.seed} with {'; '.join(self.mutations)}"


@st.composite
def mutants(draw: st.DrawFn, max_mutations: int = 3) -> Mutant:
    """One shipped config with 1 to ``max_mutations`` mutations at random paths."""
    seed = draw(st.sampled_from(sorted(SEEDS)))
    document = copy.deepcopy(SEEDS[seed])
    done = []
    for _ in range(draw(st.integers(1, max_mutations))):
        candidates = paths(document)
        if not candidates:
            break
        done.append(mutate(draw, document, draw(st.sampled_from(candidates))))
    return Mutant(seed, document, tuple(done))


# -- edits of the YAML text ------------------------------------------------------------------------------------------

INSERTS = (b"\t", b":", b"-", b": ", b"- ", b"\n", b" ", b"'", b'"', b"{", b"[", b"&a ", b"*a", b"!!set ", b"#")
RAW_BYTES = (b"\xff", b"\xe9", b"\xc3", b"\x00", b"\xef\xbb\xbf")
#: Whole lines (indented like the line they precede): YAML features a hand-written config could contain.
SNIPPETS = (
    b"true: 1\n",
    b"1: x\n",
    b"~: x\n",
    b"? [a, b]\n: 1\n",
    b"? !!set {a: null}\n: 1\n",
    b"x: &a [*a]\n",
    *(b"x: " + b"[" * depth + b"]" * depth + b"\n" for depth in (100, 400, 800)),
    b"x: !!binary aGk=\n",
    b"x: 2024-01-01\n",
    b"<<: {x: 1}\n",
    b"x: !!python/name:os.system\n",
)


@st.composite
def yaml_edits(draw: st.DrawFn) -> tuple[bytes, tuple[str, ...]]:
    """dev.yaml's bytes with 1 to 3 edits: delete a character, insert a tab, ':', '-' (or other YAML syntax, a
    non-UTF-8 byte, a whole YAML line), or truncate; positions are on lines that are not comments."""
    text, done = DEV_TEXT, []
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True)
        starts = [0]
        for each in lines:
            starts.append(starts[-1] + len(each))
        content = [i for i, each in enumerate(lines) if each.strip() and not each.lstrip().startswith(b"#")]
        if not content:
            break
        line = draw(st.sampled_from(content))
        position = starts[line] + draw(st.integers(0, max(len(lines[line]) - 1, 0)))
        kind = draw(st.sampled_from(["delete", "insert", "insert", "byte", "line", "truncate"]))
        if kind == "delete":
            text = text[:position] + text[position + 1 :]
        elif kind == "truncate":
            text = text[:position]
        elif kind == "line":
            indent = lines[line][: len(lines[line]) - len(lines[line].lstrip(b" "))]
            snippet = draw(st.sampled_from(SNIPPETS))
            inserted = b"".join(indent + part for part in snippet.splitlines(keepends=True))
            position = starts[line]
            text = text[:position] + inserted + text[position:]
            kind = f"insert line {snippet[:40]!r}"
        else:
            inserted = draw(st.sampled_from(INSERTS if kind == "insert" else RAW_BYTES))
            text = text[:position] + inserted + text[position:]
            kind = f"insert {inserted!r}"
        done.append(f"{kind} at line {line + 1} (byte {position})")
    return text, tuple(done)


# -- the properties --------------------------------------------------------------------------------------------------


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the project root, as the CDK CLI does: load_config takes relative script paths from the directory of
    the cdk.json above the config file, else above the working directory (a tmp_path config has none above it)."""
    monkeypatch.chdir(REPO)


def test_the_seeds_load() -> None:
    """The mutations start from valid configs (else the property below would only exercise rejections)."""
    for path in SEED_FILES:
        assert isinstance(load_config(path), AppConfig), path


@pytest.mark.usefixtures("in_project")
def test_a_mutated_config_loads_or_raises_config_error(tmp_path: Path) -> None:
    path = tmp_path / "mutant.yaml"
    hits = KnownBugHits("load")

    @given(mutant=mutants())
    def loads_or_raises_config_error(mutant: Mutant) -> None:
        path.write_text(mutant.text, encoding="utf-8")
        note(f"{mutant}\n{mutant.text}")
        try:
            config = load_config(path)
        except ConfigError as error:
            for line in bad_problem_lines(error, mutant.document):
                hits.handle(line, str(mutant))
        except Exception as error:
            hits.handle(error, str(mutant))
        else:
            assert isinstance(config, AppConfig)

    loads_or_raises_config_error()
    hits.xfail_if_any()


@pytest.mark.usefixtures("in_project")
def test_an_edited_yaml_text_loads_or_raises_config_error(tmp_path: Path) -> None:
    path = tmp_path / "edited.yaml"
    hits = KnownBugHits("load")

    @given(edited=yaml_edits())
    def loads_or_raises_config_error(edited: tuple[bytes, tuple[str, ...]]) -> None:
        text, edits = edited
        path.write_bytes(text)
        shown = f"config/dev.yaml with {'; '.join(edits)}"
        note(shown)
        try:
            config = load_config(path)
        except ConfigError as error:
            assert error.lines, f"ConfigError without a problem line: {error}\ninput: {shown}"
        except Exception as error:
            hits.handle(error, shown)
        else:
            assert isinstance(config, AppConfig)

    loads_or_raises_config_error()
    hits.xfail_if_any()


def load_reproducer(reproducer: Reproducer, tmp_path: Path) -> None:
    """Load the reproducer; ConfigError is the right outcome, but its lines must name field paths."""
    path = tmp_path / "reproducer.yaml"
    path.write_bytes(reproducer.render())
    with pytest.raises(ConfigError) as info:
        load_config(path)
    try:
        document = yaml.safe_load(reproducer.text) if reproducer.text is not None else reproducer.document()
    except (yaml.YAMLError, RecursionError):
        document = None
    if not isinstance(document, dict):  # a problem with the file itself (encoding, syntax) has no field path
        assert info.value.lines
        return
    bad = bad_problem_lines(info.value, document)
    assert not bad, f"problem lines without a field path: {bad}"


@pytest.mark.usefixtures("in_project")
@pytest.mark.parametrize(
    "bug",
    [
        pytest.param(bug, id=bug.id, marks=pytest.mark.xfail(raises=bug.exception, reason=bug.summary, strict=False))
        for bug in KNOWN_BUGS
        if bug.stage == "load"
    ],
)
def test_known_bug_reproducer(bug: KnownBug, tmp_path: Path) -> None:
    load_reproducer(bug.reproducer, tmp_path)


@pytest.mark.usefixtures("in_project")
@pytest.mark.parametrize("reproducer", [pytest.param(r, id=name) for name, r in (*FIXED, *FIXED_AT_BUILD)])
def test_fixed_bug_stays_fixed(reproducer: Reproducer, tmp_path: Path) -> None:
    load_reproducer(reproducer, tmp_path)


def test_the_known_bug_table_is_consistent() -> None:
    ids = [bug.id for bug in KNOWN_BUGS] + [name for name, _ in (*FIXED, *FIXED_AT_BUILD)]
    assert len(set(ids)) == len(ids)
    assert {bug.stage for bug in KNOWN_BUGS} <= {"load", "build"}
