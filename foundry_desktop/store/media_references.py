"""Which media files the project file still names, anywhere in it.

Media files are named by the SHA-256 of their content, and every row that uses one
(takes, media bin items, music clips, input pictures, jobs) holds that hash in a column
or in its JSON. So does the undo history: a removed shot's takes live on in the step that
removed it, and undoing it needs their files. Rather than knowing every place a path can
hide, every text value of every table is searched for hashes: a new column that names
media is covered the day it is added, and a file is never judged unused by mistake.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection

CONTENT_HASH = re.compile(r"[0-9a-f]{64}")


def referenced_hashes(conn: Connection) -> set[str]:
    """Every content hash written anywhere in the project file."""
    tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all()
    found: set[str] = set()
    for table in tables:
        quoted = table.replace('"', '""')
        for row in conn.exec_driver_sql(f'SELECT * FROM "{quoted}"'):
            for value in row:
                if isinstance(value, str) and len(value) >= 64:
                    found.update(CONTENT_HASH.findall(value))
    return found
