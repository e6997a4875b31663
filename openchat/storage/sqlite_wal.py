"""WalCheckpointer: copies SQLite's write-ahead log into the database file from a thread.

(SQLite's own checkpoints of its log; not the answers' checkpoints, which the chat service
writes.) By default SQLite checkpoints inside the commit that takes the log past 1,000 pages:
on the event loop's thread, with an fsync, a pause of several milliseconds for every open
stream at once (about one write in 200 on this project's answers). With this checkpointer the
loop's connection only appends to the log; a thread with a connection of its own checkpoints
it on a timer. SQLite releases the GIL while it copies and syncs, so the loop runs on meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from urllib.parse import quote

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
        self._thread = threading.Thread(target=self._run, name="sqlite-wal", daemon=True)
        self._failing = False
        self.checkpoints = 0  # completed ones, and
        self.failures = 0  # failed attempts to connect or checkpoint, for tests and readers

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the timer and wait for a checkpoint under way (milliseconds) to end."""
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while not self._stopped.wait(self._interval):
                if connection is None:
                    connection = self._connect()
                if connection is not None:
                    self._checkpoint(connection)
        finally:
            if connection is not None:
                connection.close()

    def _connect(self) -> sqlite3.Connection | None:
        try:  # the file as it is: never create an empty one where it was moved or deleted
            connection = sqlite3.connect(
                f"file:{quote(self._path)}?mode=rw", uri=True, timeout=0, check_same_thread=True
            )
            connection.execute("PRAGMA synchronous=NORMAL")  # the syncs of a WAL checkpoint
        except sqlite3.Error as error:
            self._failed(error)
            return None
        return connection

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        # PASSIVE never waits for the loop's connection, and the loop never waits for it.
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as error:
            self._failed(error)
            return
        if self._failing:
            self._failing = False
            log.info("SQLite log checkpoints work again")
        if not busy:
            self.checkpoints += 1

    def _failed(self, error: sqlite3.Error) -> None:
        """Say once why checkpoints stopped; the backstop still bounds the log meanwhile."""
        self.failures += 1
        if not self._failing:
            self._failing = True
            reason = getattr(error, "sqlite_errorname", None) or type(error).__name__
            log.warning("SQLite log checkpoints failed (%s); retrying", reason)
