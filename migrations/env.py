"""Alembic's environment for Flask-Migrate: the app's engine and metadata."""

import logging

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
# No fileConfig(alembic.ini): create_app configured logging (JSON lines on stderr) for
# the `flask db` commands as for the server.
logger = logging.getLogger("alembic.env")


def get_engine():
    # Flask-SQLAlchemy >= 3.1 deprecates get_engine(); .engine is the same object.
    return current_app.extensions["migrate"].db.engine


target_metadata = current_app.extensions["migrate"].db.metadata
config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    # Our UTCDateTime is a TypeDecorator; migrations need only the column type under it.
    if type_ == "type" and hasattr(obj, "impl") and isinstance(obj.impl, sa.DateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("render_item", render_item)
    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by dropping the old one; with foreign keys on,
            # that drop would run every ON DELETE (CASCADE, SET NULL) of the tables that
            # refer to it: items, tags and sessions would go. Off for the migration only.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
