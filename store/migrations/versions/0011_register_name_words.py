"""register name words

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 02:40:00

PostgreSQL only: every word of the register's name keys, once, with a trigram index. A misspelt word is
corrected against these few hundred thousand words instead of against 1.1M names, where pg_trgm's similarity
search had to read the posting lists of the most common trigrams ("en ", "as ") in full. The C collation lets
the primary key answer "is this the beginning of a known word?" as a range. SQLite's FTS5 index needs none of it.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('CREATE TABLE register_name_words (word varchar(500) COLLATE "C" PRIMARY KEY)')
    op.execute(
        "INSERT INTO register_name_words (word) SELECT DISTINCT w FROM register_units, "
        "regexp_split_to_table(name_key, ' ') AS w WHERE length(w) >= 3"
    )
    op.execute(
        "CREATE INDEX ix_register_name_words_trgm ON register_name_words USING gin (word gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE register_name_words")
