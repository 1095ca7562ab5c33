"""Is a new version of an event schema backward compatible with the old one?

Readers of an event type rely on its fields: a new version may add fields and
relax ``required``, but never remove a field, change its type or format, or make
an optional field required. ``python -m contracts.compat`` checks every
schema against its previous version in git (the last commit, and the commit
before the last one that touched it).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _types(schema: dict[str, Any]) -> set[str]:
    kinds = schema.get("type", [])
    return set(kinds if isinstance(kinds, list) else [kinds])


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """What in ``new`` breaks a reader of ``old`` (empty when compatible)."""
    problems = []
    label = where or "(root)"
    if _types(old) != _types(new):
        problems.append(f"{label}: type changed from {sorted(_types(old))} to {sorted(_types(new))}")
    for keyword in ("format", "const"):
        if keyword in old and old.get(keyword) != new.get(keyword):
            problems.append(f"{label}: {keyword} changed from {old[keyword]!r} to {new.get(keyword)!r}")
    if "enum" in old and "enum" in new and not set(new["enum"]) >= set(old["enum"]):
        problems.append(f"{label}: enum lost {sorted(set(old['enum']) - set(new['enum']))}")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required & set(old.get("properties", {}))):
        problems.append(f"{where}{'.' if where else ''}{name}: made required")
    for name, field in old.get("properties", {}).items():
        path = f"{where}.{name}" if where else name
        if name not in new.get("properties", {}):
            problems.append(f"{path}: removed")
        else:
            problems += breaking_changes(field, new["properties"][name], path)
    if isinstance(old.get("items"), dict):
        problems += breaking_changes(old["items"], new.get("items") or {}, f"{label}[]")
    return problems


def _git(*args: str, cwd: Path = HERE) -> str | None:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    return result.stdout if result.returncode == 0 else None


def _top() -> Path | None:
    top = (_git("rev-parse", "--show-toplevel") or "").strip()
    return Path(top) if top else None


def _repo_path(path: Path) -> str:
    """The path from the repository's root ("" outside a git work tree)."""
    top = _top()
    return str(path.resolve().relative_to(top.resolve())) if top else ""


def version_pairs(path: Path) -> list[tuple[str, str, str]]:
    """(label, old text, new text) to compare: the file against HEAD, and HEAD against its predecessor."""
    rel = _repo_path(path)
    if not rel:
        return []
    pairs = []
    head = _git("show", f"HEAD:{rel}")
    current = path.read_text() if path.exists() else ""
    if head is not None and head != current:
        pairs.append(("working tree vs HEAD", head, current))
    commits = (_git("log", "--format=%H", "-n", "2", "--", f":(top){rel}") or "").split()
    if head is not None and len(commits) == 2:
        earlier = _git("show", f"{commits[1]}:{rel}")
        if earlier is not None:
            pairs.append((f"HEAD vs {commits[1][:8]}", earlier, head))
    return pairs


def schema_files() -> list[Path]:
    """The envelope and every event schema."""
    return [HERE / "envelope.json", *sorted((HERE / "events").glob("*.json"))]


def removed_event_types() -> list[str]:
    """Schemas that once were in git and are gone from the working tree."""
    listed = _git("log", "--all", "--format=", "--name-only", "--diff-filter=A", "--",
                  f":(top){_repo_path(HERE / 'events')}")
    ever = {Path(line).name for line in (listed or "").split()}
    return sorted(name for name in ever if not (HERE / "events" / name).exists())


def contract_breaks() -> list[str]:
    """Every incompatible change of the contract against its history in git."""
    problems = [f"{name}: event type removed" for name in removed_event_types()]
    for path in schema_files():
        for label, old, new in version_pairs(path):
            problems += [f"{path.name} ({label}): {p}" for p in breaking_changes(json.loads(old), json.loads(new))]
    return problems


if __name__ == "__main__":
    found = contract_breaks()
    print("\n".join(found) or "the contract is backward compatible with its history")
    sys.exit(1 if found else 0)
