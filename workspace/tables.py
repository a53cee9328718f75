"""The workspace tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Timestamps are UTC ISO strings (``2026-12-05T10:15:03+00:00``): they sort, read the same on both backends and
need no time-zone handling. Lists and dicts are JSON text. Rows are never updated in place where the history
matters (edits, decisions, mappings, versions): a new row is added and the latest one counts.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "ws_users", metadata,
    sa.Column("username", sa.String(200), primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False, default=""),
    sa.Column("password_hash", sa.Text, nullable=True),  # None: login only through OIDC
    sa.Column("roles", sa.Text, nullable=False, default="[]"),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

audit = sa.Table(
    "ws_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.Text, nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("allowed", sa.Boolean, nullable=False, default=True),
    sa.Index("ix_ws_audit_action", "action"),
)

uploads = sa.Table(
    "ws_uploads", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("db_name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("uploaded_by", sa.String(200), nullable=False),
    sa.Column("uploaded_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("meta", sa.Text, nullable=False, default="{}"),
    sa.Index("ix_ws_uploads_db", "db_name", "status"),
)

# The file's bytes apart from the list, so listing uploads never reads the files
upload_contents = sa.Table(
    "ws_upload_contents", metadata,
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("ws_uploads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

offer_edits = sa.Table(
    "ws_offer_edits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("db_name", sa.String(200), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("offer_key", sa.String(200), nullable=False),
    sa.Column("field", sa.String(100), nullable=False),
    sa.Column("old", sa.Text, nullable=True),
    sa.Column("new", sa.Text, nullable=True),
    sa.Index("ix_ws_offer_edits_db", "db_name"),
)

duplicate_decisions = sa.Table(
    "ws_duplicate_decisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("db_name", sa.String(200), nullable=False),
    sa.Column("key_a", sa.String(200), nullable=False),  # key_a < key_b: a pair is stored one way only
    sa.Column("key_b", sa.String(200), nullable=False),
    sa.Column("decision", sa.String(20), nullable=False),
    sa.Column("keep", sa.String(200), nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Index("ix_ws_duplicates_db", "db_name", "key_a", "key_b"),
)

sozialraum_mappings = sa.Table(
    "ws_sozialraum_mappings", metadata,
    sa.Column("db_name", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("source", sa.Text, nullable=False, default=""),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

sozialraum_rows = sa.Table(
    "ws_sozialraum_rows", metadata,
    sa.Column("db_name", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("gemeinde_id", sa.String(20), primary_key=True),
    sa.Column("sozialraum", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["db_name", "version"], ["ws_sozialraum_mappings.db_name", "ws_sozialraum_mappings.version"],
                            ondelete="CASCADE"),
)

# (db_name, seq) is the primary key: two publishers can never both claim the same version number
versions = sa.Table(
    "ws_versions", metadata,
    sa.Column("db_name", sa.String(200), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),  # initial | publish | rollback
    sa.Column("source_seq", sa.Integer, nullable=True),  # rollback: the version restored
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("changes", sa.Text, nullable=False, default=""),
    sa.Column("stats", sa.Text, nullable=False, default="{}"),  # seconds, rows per table (JSON)
    sa.Column("recipe", sa.Text, nullable=True),  # how the database is rebuilt (JSON), see workspace.recipe
)

values = sa.Table(
    "ws_values", metadata,
    sa.Column("db_name", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# Scenarios (issue 13): one row per named scenario of a Kreis; the database refuses a second one of the same name.
# The row is updated in place (save, rename); the audit keeps every write with the scenario as it was written.
scenarios = sa.Table(
    "ws_scenarios", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("db_name", sa.String(200), nullable=False),
    sa.Column("kreis_id", sa.String(20), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("changes", sa.Text, nullable=False, default="[]"),  # the changes as JSON (planning.scenarios.Change fields)
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("db_name", "kreis_id", "name", name="uq_ws_scenarios_name"),
)
