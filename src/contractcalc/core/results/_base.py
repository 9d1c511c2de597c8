"""The base of every result: :class:`Result` (a frozen dataclass read as a mapping) and :data:`ABSENT`.

Kept apart from the result classes so that an answer creates only its own class
(a frozen dataclass costs ~0.5 ms of CPU to create; see :mod:`contractcalc.core.results`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

__all__ = ["ABSENT", "Result"]


class _Absent:
    """The marker of a field that is not part of a result."""

    _instance: ClassVar[_Absent | None] = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


#: A field left out of the result (not in ``keys()``, ``to_dict()`` or ``--json``).
ABSENT: Any = _Absent()


#: The key names of each result class, in order (made on first use).
_KEYS: dict[type, tuple[str, ...]] = {}


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class Result(Mapping[str, Any]):
    """Base of every result: a frozen dataclass read like the ``--json`` mapping."""

    #: Field names that are attributes only, never keys (e.g. ``reason``).
    _extra: ClassVar[frozenset[str]] = frozenset()

    def _names(self) -> list[str]:
        names = _KEYS.get(type(self))
        if names is None:
            names = _KEYS[type(self)] = tuple(f.name for f in dataclasses.fields(self) if f.name not in self._extra)
        return [name for name in names if getattr(self, name) is not ABSENT]

    def to_dict(self) -> dict[str, Any]:
        """The result as a ``dict``: exactly the ``--json`` keys, in order (values unconverted)."""
        return {name: getattr(self, name) for name in self._names()}

    def __getitem__(self, key: str) -> Any:
        if key in self._extra:
            raise KeyError(key)
        try:
            value = getattr(self, key)
        except (AttributeError, TypeError):
            raise KeyError(key) from None
        if value is ABSENT:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._names()

    def __repr__(self) -> str:
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names())
        return f"{type(self).__name__}({inside})"

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)
