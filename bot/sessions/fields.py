"""FIELD=VALUE text as a session mapping: how moderators type session changes, in the CLI
(`session add id=call title.es=Llamada`) and in Discord (/session add fields:…) alike."""

from __future__ import annotations

import shlex
from typing import Any

import yaml

from index.errors import InputError

_LIST_FIELDS = ("languages", "exdates")


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """FIELD=VALUE arguments as a session mapping: title.es=… sets one language; an empty VALUE is
    None (remove the field); languages/exdates take a comma list or a YAML list; cancelled a boolean."""
    data: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"expected FIELD=VALUE, got {item!r}")
        parsed: Any = value.strip() or None
        if parsed is not None and name in _LIST_FIELDS:
            parsed = _list(parsed, name)
        elif parsed is not None and name == "cancelled":
            parsed = parsed.lower() in ("true", "yes", "1", "y")
        if "." in name:
            field, _, lang = name.partition(".")
            target = data.setdefault(field, {})
            if not isinstance(target, dict):
                raise InputError(f"{field} is given both as one text and per language")
            target[lang] = parsed
        else:
            data[name] = parsed
    return data


def _list(value: str, name: str) -> list[Any]:
    if value.startswith("["):
        try:
            loaded = yaml.safe_load(value)
        except yaml.YAMLError:
            raise InputError(f"{name}: cannot read {value!r} as a list") from None
        if isinstance(loaded, list):
            return [str(v) for v in loaded]
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_assignment_text(fields: str) -> dict[str, Any]:
    """'id=call title.es="Llamada" start=2026-12-10T15:00' (one line, shell quoting) → a session mapping."""
    try:
        return parse_assignments(shlex.split(fields))
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot read the fields: {exc}") from None
