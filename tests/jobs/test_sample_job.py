"""The sample job ends successfully on an empty environment: a missing or empty input prefix is not a failure."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

JOB = Path(__file__).resolve().parents[2] / "jobs" / "sample_job.py"


def _job() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_job", JOB)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _ReadStarted(Exception):
    """Raised by the stub reader: the job started reading, with this schema."""


class _FileSystem:
    def __init__(self, files: dict[str, int]) -> None:
        self.files = files

    def exists(self, path: Any) -> bool:
        return path.name in self.files

    def listStatus(self, path: Any) -> list[int]:
        return list(range(self.files[path.name]))


def _spark(files: dict[str, int]) -> Any:
    filesystem = _FileSystem(files)

    class _Path:
        def __init__(self, name: str) -> None:
            self.name = name

        def getFileSystem(self, _conf: Any) -> _FileSystem:
            return filesystem

    hadoop = SimpleNamespace(fs=SimpleNamespace(Path=_Path))
    context = SimpleNamespace(
        _jvm=SimpleNamespace(org=SimpleNamespace(apache=SimpleNamespace(hadoop=hadoop))),
        _jsc=SimpleNamespace(hadoopConfiguration=lambda: None),
    )

    class _Reader:
        def schema(self, schema: str) -> Any:
            raise _ReadStarted(schema)

    return SimpleNamespace(sparkContext=context, read=_Reader())


@pytest.mark.parametrize("files", [{}, {"s3://raw/orders/": 0}])
def test_no_input_yet_ends_successfully_without_reading(
    files: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _job().run(_spark(files), "s3://raw/orders/", "s3://curated/sales/") == 0
    assert "no input under s3://raw/orders/" in capsys.readouterr().err


def test_input_present_is_read_with_the_explicit_schema() -> None:
    job = _job()
    with pytest.raises(_ReadStarted) as started:
        job.run(_spark({"s3://raw/orders/": 3}), "s3://raw/orders/", "s3://curated/sales/")
    assert started.value.args == (job.ORDERS_SCHEMA,)


def test_fails_without_two_arguments() -> None:
    assert _job().main(["only-one"]) == 2
