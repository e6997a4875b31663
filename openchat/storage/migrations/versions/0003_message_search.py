"""Messages are searchable by their words: an FTS5 index on SQLite, a GIN index on PostgreSQL.

Only finished messages are indexed: a streaming answer's text changes at every checkpoint,
and re-indexing it each time would cost more than the search is worth. On SQLite they are
indexed in batches, a second at most after they finish (see below); a search first indexes
any still waiting.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# An external-content FTS5 table: it keeps only the index, the text stays in `messages`. Its
# positions (detail=full) let a query word that FTS5 splits further be a phrase, not an error.
# Each transaction that writes to FTS5 pays some 100 µs to flush, on the server's event loop:
# the triggers only note a finished message in `messages_unindexed`, and the server indexes
# those in batches (SqlChatStore.index_new_messages), about 20 µs a message. FTS5's 'delete'
# needs the text as it was indexed, hence `old`, and only for a message already indexed.
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    "content, content='messages', content_rowid='seq')",
    "CREATE TABLE messages_unindexed (seq INTEGER PRIMARY KEY)",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.status <> 'streaming'
    BEGIN
        INSERT OR IGNORE INTO messages_unindexed (seq) VALUES (new.seq);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, status ON messages
    WHEN old.status <> 'streaming' OR new.status <> 'streaming'
    BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
            SELECT 'delete', old.seq, old.content WHERE old.status <> 'streaming'
            AND NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE seq = old.seq);
        DELETE FROM messages_unindexed WHERE seq = old.seq;
        INSERT INTO messages_unindexed (seq) SELECT new.seq WHERE new.status <> 'streaming';
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.status <> 'streaming'
    BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
            SELECT 'delete', old.seq, old.content
            WHERE NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE seq = old.seq);
        DELETE FROM messages_unindexed WHERE seq = old.seq;
    END""",
    """INSERT INTO messages_fts (rowid, content)
    SELECT seq, content FROM messages WHERE status <> 'streaming'""",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_update",
    "DROP TRIGGER messages_fts_delete",
    "DROP TABLE messages_unindexed",
    "DROP TABLE messages_fts",
)
# 'simple': words as written, lower-cased, in any language (no stemming, no stop words). The
# first 100,000 characters (search.INDEXED_CHARACTERS): a tsvector over 1 MB is an error,
# which would fail the final save of a huge answer. Built in the migration's transaction, so
# writes wait while an existing database is indexed (CONCURRENTLY cannot run in one).
POSTGRESQL_UPGRADE = (
    """CREATE INDEX ix_messages_search ON messages
    USING gin (to_tsvector('simple', left(content, 100000))) WHERE status <> 'streaming'""",
)
POSTGRESQL_DOWNGRADE = ("DROP INDEX ix_messages_search",)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
