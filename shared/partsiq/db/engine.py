"""Engines, sessions and schema migration for the shared PostgreSQL database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib.resources import files
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from partsiq.connectivity import START_POSTGRES
from partsiq.errors import ServiceUnreachable
from partsiq.settings import Settings, redact_url

if TYPE_CHECKING:  # alembic takes over a second to import: only migrations need it
    from alembic.config import Config

log = logging.getLogger(__name__)

#: A server that stops answering (a host gone, a dropped route) fails a new connection in 10 s
#: instead of the kernel's two minutes of SYN retries, so loops and probes notice.
CONNECT_TIMEOUT_S = 10
CONNECT_ARGS = {"connect_timeout": CONNECT_TIMEOUT_S}


class Database:
    """One process's handle on PostgreSQL: a pooled engine and a session factory."""

    def __init__(self, settings: Settings, *, pool_size: int = 5) -> None:
        self.settings = settings
        self.url = settings.database_url.get_secret_value()
        self.pool_size = pool_size

    @cached_property
    def engine(self) -> Engine:
        """The pooled engine (created on first use, pre-pinged so restarts are survived)."""
        return create_engine(
            self.url,
            pool_size=self.pool_size,
            max_overflow=self.pool_size,
            pool_pre_ping=True,
            connect_args=CONNECT_ARGS,
        )

    @cached_property
    def autocommit_engine(self) -> Engine:
        """A second pool for single-statement hot-path writes (the job lifecycle).

        Autocommit and no pre-ping make each write one round trip instead of four
        (ping, BEGIN, statement, COMMIT). A connection broken by a server restart
        fails its statement, is discarded, and the caller's retry gets a fresh one.
        """
        return create_engine(
            self.url,
            pool_size=self.pool_size,
            max_overflow=self.pool_size,
            isolation_level="AUTOCOMMIT",
            pool_recycle=300,
            connect_args=CONNECT_ARGS,
        )

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Factory of ORM sessions bound to :attr:`engine`."""
        return sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or after a fork)."""
        for name in ("engine", "autocommit_engine"):
            if name in self.__dict__:
                self.__dict__[name].dispose()


def alembic_config(settings: Settings) -> Config:
    """Alembic configured from code: the migrations ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("partsiq.db") / "migrations"))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
    )
    config.set_main_option("sqlalchemy.url", settings.database_url.get_secret_value().replace("%", "%%"))
    return config


def create_database_if_missing(settings: Settings) -> bool:
    """Create the database DATABASE_URL names when the server lacks it; True if created."""
    url = make_url(settings.database_url.get_secret_value())
    admin = url.set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        first = str(error).strip().splitlines()[0]
        raise ServiceUnreachable(
            f"cannot reach PostgreSQL at {redact_url(conninfo)} ({first}): {START_POSTGRES}"
        ) from None
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database or "")))
        log.info("created database %s", url.database)
        return True


def revision(settings: Settings, message: str) -> None:
    """Autogenerate a migration from the models (``partsiq db revision -m ...``)."""
    from alembic import command

    command.revision(alembic_config(settings), message=message, autogenerate=True)


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (the ``partsiq db upgrade`` command)."""
    from alembic import command

    command.upgrade(alembic_config(settings), revision)
