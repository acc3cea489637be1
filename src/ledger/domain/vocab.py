"""Vocabularies (codes used in events and the API); see DOMAIN.md → Vocabularies."""

from __future__ import annotations

from enum import Enum


class UnitKind(Enum):
    PARTY_COMMITTEE = "party_committee"
    GOVERNMENT = "government"
    DEPARTMENT = "department"
    COURT = "court"
    PROCURATORATE = "procuratorate"
    INSPECTION_BODY = "inspection_body"
    DISCIPLINE_BODY = "discipline_body"
    PERSONNEL_DEPARTMENT = "personnel_department"
    OTHER = "other"


class UnitLevel(Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"
    TOWNSHIP = "township"


class Role(Enum):
    """责任分工: principal responsible person, leadership member, staff."""

    PRINCIPAL = "principal"
    LEADER = "leader"
    STAFF = "staff"


class PrincipalTitle(Enum):
    PARTY_SECRETARY = "party_secretary"
    GOVERNMENT_HEAD = "government_head"
    UNIT_HEAD = "unit_head"


class Category(Enum):
    """Finding category, and the topics of a leader's portfolio (分管范围)."""

    MAJOR_DECISION = "major_decision"
    LEGALITY_REVIEW = "legality_review"
    NORMATIVE_DOCUMENTS = "normative_documents"
    LAW_ENFORCEMENT = "law_enforcement"
    COURT_APPEARANCE = "court_appearance"
    RECONSIDERATION_LITIGATION = "reconsideration_litigation"
    INFORMATION_DISCLOSURE = "information_disclosure"
    LEGAL_PUBLICITY = "legal_publicity"
    DISPUTE_RESOLUTION = "dispute_resolution"
    BUSINESS_ENVIRONMENT = "business_environment"
    OTHER = "other"


class EndReason(Enum):
    TRANSFERRED = "transferred"
    RETIRED = "retired"
    REMOVED = "removed"
    OTHER = "other"


class CorrectableField(Enum):
    """Fields of an assignment that a correction may change."""

    TITLE = "title"
    PRINCIPAL_TITLE = "principal_title"
    REPORTS_TO = "reports_to"
    EFFECTIVE_FROM = "effective_from"
    EFFECTIVE_TO = "effective_to"


ALL: tuple[type[Enum], ...] = (
    UnitKind,
    UnitLevel,
    Role,
    PrincipalTitle,
    Category,
    EndReason,
    CorrectableField,
)
