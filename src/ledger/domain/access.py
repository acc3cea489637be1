"""Who acts: the roles a token carries and the principal a verified token names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    """What a token lets its holder do (the policy says which actions each may take)."""

    ADMIN = "admin"  # units, persons, tokens; everything else too, within its jurisdiction
    PERSONNEL = "personnel"  # 组织人事部门
    INSPECTOR = "inspector"  # 督察机构 (the rule-of-law office)
    UNIT_OFFICER = "unit_officer"  # 被督察单位
    DISCIPLINE = "discipline"  # 纪检监察机关
    INTEGRATION = "integration"  # another system (petitions, 12345, courts, …)
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Principal:
    """The holder of a verified token.

    ``unit`` is the jurisdiction: that unit and every unit below it (as of now); None is
    the whole ledger.
    """

    subject: str
    name: str
    role: Role
    unit: UUID | None
    token_id: str
    expires: datetime | None = None
