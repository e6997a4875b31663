"""WalCheckpointer: copies SQLite's write-ahead log into the database file from a thread.

By default SQLite checkpoints inside the commit that takes the log past 1,000 pages: on the
event loop's thread, with an fsync, a pause of several milliseconds for every open stream at
once (about one write in 200 on this project's answers). With this checkpointer the loop's
connection only appends to the log; a thread with a connection of its own checkpoints it on a
timer. SQLite releases the GIL while it copies and syncs, so the loop runs on meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 0.5  # seconds between checkpoints
# The loop's connection still checkpoints itself once the log holds this many pages (about
# 40 MB): only if this thread cannot keep up, or has stopped.
BACKSTOP_PAGES = 10_000


class WalCheckpointer:
    """Checkpoints one SQLite database in WAL mode every `interval` seconds until stopped."""

    def __init__(self, path: str, interval: float = CHECKPOINT_INTERVAL) -> None:
        self._path = path
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self.checkpoints = 0  # completed, for the tests and for curious readers

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the timer and wait for a checkpoint under way to end."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        try:
            connection.execute("PRAGMA synchronous=NORMAL")  # the syncs of a WAL checkpoint
            while not self._stopped.wait(self._interval):
                self._checkpoint(connection)
        finally:
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        # PASSIVE never waits for the loop's connection, and the loop never waits for it.
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the backstop still bounds the log; say why it grew
            log.warning("SQLite checkpoint failed: %s", error.sqlite_errorname)
            return
        self.checkpoints += 1
