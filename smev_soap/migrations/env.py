"""Alembic environment: runs against the connection handed over by :mod:`smev_soap.migrate`."""

from alembic import context

from smev_soap.migrate import target_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
