"""Runtime configuration, read once from the environment or `.env` at the project root."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from openchat.origin import Origin

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# An origin as browsers send it: scheme, host (a name, an IPv4 or a bracketed IPv6 address) and
# an optional port, in ASCII (an international name in its `xn--` form), nothing after.
ORIGIN = re.compile(r"https?://(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'openchat.db'}"


def _one_line(value: str, what: str) -> str:
    """`value` without surrounding white space; ValueError if control characters remain."""
    value = value.strip()
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in value):
        raise ValueError(f"{what} must be one line of text, without control characters")
    return value


class Settings(BaseSettings):
    """Runtime configuration from the environment or `.env`."""

    # Empty values (as in a copied .env.example) mean "use the default". An invalid value is
    # never repeated in the error: it may be the key.
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    openrouter_api_key: SecretStr | None = None
    openrouter_base_url: str = "https://openrouter.ai/api/v1"
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=1, le=65535)
    model_name: str = "openai/gpt-4o-mini"
    app_title: str = "Open Chat"
    app_url: str = "http://localhost:8001"
    database_url: str = DEFAULT_DATABASE_URL
    cors_origins: str = ""  # the web app is same-origin, and Vite proxies in development
    models_cache_ttl: int = Field(default=3600, ge=0)
    upstream_connect_timeout: float = Field(default=10.0, gt=0)
    upstream_idle_timeout: float = Field(default=120.0, gt=0)
    upstream_max_connections: int = Field(default=2000, ge=1)
    max_tokens: int = Field(default=4096, ge=1)
    checkpoint_interval: float = Field(default=1.0, gt=0)
    shared_database: bool = False  # several servers use the database (see ChatService.start)
    redis_url: SecretStr | None = None  # several servers share answers there (chat.shared)
    stream_ping_interval: float = Field(default=15.0, gt=0)
    log_level: str = "INFO"
    web_dist: Path = PROJECT_ROOT / "web" / "dist"

    @field_validator("database_url")
    @classmethod
    def _use_our_drivers(cls, url: str) -> str:
        """Accept the plain URLs people copy from their hosting panel, and older SQLite ones."""
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite+aiosqlite:///", "sqlite:///"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @field_validator("openrouter_base_url")
    @classmethod
    def _upstream_origin(cls, url: str) -> str:
        """Checked here so a typo stops the server at once, not each answer."""
        Origin.of(url)
        return url

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, url: SecretStr | None) -> SecretStr | None:
        """Secret, as it may carry a password; checked here so a typo stops the server at once."""
        if url is not None and not url.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return url

    @field_validator("openrouter_api_key")
    @classmethod
    def _blank_key_is_none(cls, key: SecretStr | None) -> SecretStr | None:
        value = key.get_secret_value().strip() if key is not None else ""
        return SecretStr(_one_line(value, "the key")) if value else None

    @field_validator("app_title", "app_url")
    @classmethod
    def _header_safe(cls, value: str) -> str:
        """Sent upstream as headers: a control character would fail every answer."""
        return _one_line(value, "the value")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        """Each as a browser sends it (`https://chat.example.com`), or `*` for every site."""
        origins = [origin.strip().rstrip("/").lower() for origin in value.split(",")]
        for origin in filter(None, origins):
            if origin != "*" and not ORIGIN.fullmatch(origin):
                raise ValueError(
                    "each origin must be a scheme and a host, with an optional port and "
                    "nothing after, such as https://chat.example.com (or * for every site)"
                )
        return ",".join(filter(None, origins))

    @cached_property
    def cors_origin_list(self) -> list[str]:
        return [origin for origin in self.cors_origins.split(",") if origin]

    @property
    def upstream_configured(self) -> bool:
        return self.openrouter_api_key is not None
