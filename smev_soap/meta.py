"""Gateway-wide bookkeeping tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from smev_soap.db import Base, UtcDateTime


class RegistryVersion(Base):
    """A single row whose ``version`` every registry change bumps (D21)."""

    __tablename__ = "registry_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
