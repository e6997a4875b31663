"""The app's start-up, in-process: what it built is frozen out of the collector's passes,
which then run at the app's own thresholds."""

from __future__ import annotations

import gc
from pathlib import Path

from openchat.app import COLLECTOR_THRESHOLDS, create_app
from openchat.settings import Settings


async def test_start_up_freezes_what_it_built(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'app.db'}", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    gc.unfreeze()
    before = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == COLLECTOR_THRESHOLDS != before
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
