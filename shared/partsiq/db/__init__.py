"""PostgreSQL: the typed models, the engine, and the one Alembic history."""

from partsiq.db.engine import Database, alembic_config, create_database_if_missing, revision, upgrade

__all__ = ["Database", "alembic_config", "create_database_if_missing", "revision", "upgrade"]
