"""Local files that a config names (bootstrap scripts, step scripts): each must be a regular file inside the
project, after symlinks are resolved, so that no config can make synth ship a file from elsewhere on the machine.

The rule applies to configs read with ``load_config``, which passes the project root (the directory holding
``cdk.json``) in the validation context; relative paths are taken from that root, and the spec keeps the resolved
absolute path so that the constructs ship exactly the file that was checked. Specs built in code without that
context keep their paths as given: a program chooses its own files.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationInfo

#: Validation context key of the project root (a resolved ``Path``).
PROJECT_ROOT = "project_root"


def checked_local_file(value: str, info: ValidationInfo) -> str:
    """``value`` unchanged for ``s3://`` URIs and specs built in code; else the resolved path inside the project."""
    root = (info.context or {}).get(PROJECT_ROOT)
    if value.startswith("s3://") or root is None:
        return value
    root = Path(root).resolve()
    try:
        resolved = (root / value).resolve()
        inside, exists, regular = resolved.is_relative_to(root), resolved.exists(), resolved.is_file()
    except (OSError, RuntimeError) as error:  # a name too long, a symlink loop
        raise ValueError(f"the path cannot be resolved ({error}). Fix: name an existing file of the project") from None
    if not inside:
        raise ValueError(
            f"the file lies outside the project ({root}); a config may ship only the project's own files. "
            "Fix: give a path relative to the project root, without '..' or a symlink that leaves it, or an s3:// URI"
        )
    if not exists:
        raise ValueError(
            f"no such file under the project root ({root}). Fix: give the path of a file relative to the project "
            "root, e.g. bootstrap/configure-node.sh, or an s3:// URI"
        )
    if not regular:
        raise ValueError(f"is not a regular file ({resolved}). Fix: name a file, not a directory or device")
    return str(resolved)
