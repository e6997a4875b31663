"""`python -m tests.postgres_ready URL`: exit 0 when that PostgreSQL answers, 1 otherwise."""

from __future__ import annotations

import asyncio
import sys

import asyncpg  # type: ignore[import-untyped]


async def _ready(url: str) -> bool:
    plain = url.replace("+asyncpg", "")
    try:
        connection = await asyncpg.connect(plain, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(_ready(sys.argv[1])) else 1)
