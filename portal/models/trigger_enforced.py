"""Foreign keys that PostgreSQL enforces with statement-level triggers instead of a
constraint (migration 0023, docs/adr/0024-training-staff-checked-per-statement.md).

The models keep these foreign keys: SQLite enforces them as constraints, and the ORM
joins and orders its writes by them. On PostgreSQL the migration replaced the constraint
with triggers that check a whole statement's rows at once, so comparing the models with a
PostgreSQL database (Alembic's autogenerate, the schema test) must leave them out, or it
would put back the per-row check an import's ``COPY`` cannot afford.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (table, its columns) of each foreign key checked by triggers on PostgreSQL
TRIGGER_ENFORCED = frozenset({("training_record", ("staff_id",))})


def _trigger_enforced(item: Any, type_: str) -> bool:
    if type_ != "foreign_key_constraint":
        return False
    return (item.parent.name, tuple(item.column_keys)) in TRIGGER_ENFORCED


def include_object(dialect_name: str) -> Callable[..., bool] | None:
    """Alembic's ``include_object`` for a database of this dialect: on PostgreSQL, every
    object but the foreign keys its triggers enforce; elsewhere None (everything)."""
    if dialect_name != "postgresql":
        return None

    def include(item: Any, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
        return not _trigger_enforced(item, type_)

    return include
