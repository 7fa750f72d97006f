"""Work that must happen only once a transaction's writes are stored."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction


def once_committed(db: AsyncSession, action: Callable[[], None]) -> None:
    """Run `action` when the transaction commits, whoever ends it; never if a rollback comes
    first (of a savepoint too: what it stored may be gone)."""
    pending = [action]

    def committed(_: Session) -> None:
        while pending:
            pending.pop()()

    def rolled_back(_: Session, _previous: SessionTransaction) -> None:
        pending.clear()

    event.listen(db.sync_session, "after_commit", committed, once=True)
    event.listen(db.sync_session, "after_soft_rollback", rolled_back, once=True)
