"""Settings: every one is documented in .env.example; URLs and empty values are normalised."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from openchat.settings import DEFAULT_DATABASE_URL, PROJECT_ROOT, Settings


def test_env_example_documents_every_setting():
    documented = (PROJECT_ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in documented, name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("sqlite+aiosqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_get_our_drivers(given: str, expected: str):
    assert Settings(database_url=given).database_url == expected


def test_empty_values_mean_defaults(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("OPENROUTER_API_KEY", "")
    monkeypatch.setenv("CORS_ORIGINS", " http://a.test , ,http://b.test")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.upstream_configured is False
    assert settings.cors_origin_list == ["http://a.test", "http://b.test"]


def test_the_key_is_never_printed():
    settings = Settings(openrouter_api_key="sk-or-v1-secret", _env_file=None)  # type: ignore[call-arg]
    assert "sk-or-v1-secret" not in repr(settings)
    assert settings.upstream_configured is True


def test_values_sent_as_headers_are_trimmed_and_must_be_one_line():
    settings = Settings(
        openrouter_api_key=" sk-or-v1-abc\n",  # type: ignore[arg-type]
        app_title=" Open Chat ",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert settings.openrouter_api_key is not None
    assert settings.openrouter_api_key.get_secret_value() == "sk-or-v1-abc"
    assert settings.app_title == "Open Chat"
    for field, value in (
        ("openrouter_api_key", "sk-or-v1-a\r\nX-Injected: 1"),
        ("app_title", "Open\nChat"),
        ("app_url", "http://a.test/\tx"),
    ):
        with pytest.raises(ValidationError, match="one line of text") as invalid:
            Settings(**{field: value}, _env_file=None)  # type: ignore[arg-type]
        assert value not in str(invalid.value)  # never repeated: it may be the key


def test_cors_origins_are_read_as_browsers_send_them():
    settings = Settings(
        cors_origins=" https://UI.example/ , http://[::1]:5173,http://xn--fsq.test",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert settings.cors_origin_list == [
        "https://ui.example",
        "http://[::1]:5173",
        "http://xn--fsq.test",
    ]
    assert Settings(cors_origins="*", _env_file=None).cors_origin_list == ["*"]  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "origins",
    [
        "https://例.test",
        "ftp://files.example",
        "https://ui.example/app",
        "ui.example",
        "https://a b",
    ],
)
def test_a_cors_origin_that_no_browser_sends_is_refused(origins: str):
    with pytest.raises(ValidationError, match="each origin must be a scheme and a host"):
        Settings(cors_origins=origins, _env_file=None)  # type: ignore[call-arg]
