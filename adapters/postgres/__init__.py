"""PostgreSQL through psycopg: connection, numbered migrations and repositories."""
