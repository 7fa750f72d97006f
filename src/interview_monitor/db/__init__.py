"""Database: the embedded server, migrations and the SQLAlchemy engine."""
