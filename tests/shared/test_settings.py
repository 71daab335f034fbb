"""Settings: defaults that run on a fresh machine, URLs checked, secrets never printed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from partsiq.settings import Settings, redact_url


def test_defaults_point_at_local_redis_and_postgres(monkeypatch):
    for name in ("REDIS_URL", "DATABASE_URL", "RATE_LIMITS"):
        monkeypatch.delenv(name, raising=False)

    settings = Settings(_env_file=None)

    assert settings.redis_url.get_secret_value() == "redis://127.0.0.1:6379/0"
    assert settings.database_url.get_secret_value() == "postgresql+psycopg://postgres@127.0.0.1:5432/partsiq"


def test_a_tls_redis_url_is_accepted():
    settings = Settings(redis_url="rediss://default:token@eu1-example.upstash.io:6379")

    assert settings.redis_url.get_secret_value().startswith("rediss://")


def test_an_upstash_rest_url_is_refused_with_the_reason():
    with pytest.raises(ValidationError, match="REST URL .* cannot carry a Dramatiq broker"):
        Settings(redis_url="https://eu1-example.upstash.io")


def test_a_prisma_style_database_url_gets_the_psycopg_driver():
    settings = Settings(database_url="postgres://app:pw@db:5432/partsiq?sslmode=require")

    assert settings.database_url.get_secret_value() == "postgresql+psycopg://app:pw@db:5432/partsiq?sslmode=require"
    assert settings.psycopg_url == "postgresql://app:pw@db:5432/partsiq?sslmode=require"


def test_production_refuses_a_placeholder_encryption_key():
    with pytest.raises(ValidationError, match="CREDENTIALS_ENCRYPTION_KEY must be set"):
        Settings(environment="production", credentials_encryption_key="changeme")


def test_rate_limit_overrides_are_read_as_json_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMITS", '{"search": "20/60s/global"}')

    assert Settings().rate_limits == {"search": "20/60s/global"}


def test_secrets_do_not_appear_in_the_settings_repr():
    settings = Settings(database_url="postgresql://app:hunter2@db/partsiq", credentials_encryption_key="k1:abc")

    assert "hunter2" not in repr(settings) and "abc" not in repr(settings)
    assert redact_url("postgresql://app:hunter2@db/partsiq") == "postgresql://app:***@db/partsiq"
