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


class Severity(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Liability(Enum):
    """责任认定: principal (主体), leadership (领导) or direct (直接) liability."""

    PRINCIPAL = "principal"
    LEADERSHIP = "leadership"
    DIRECT = "direct"


class EvidenceMethod(Enum):
    INTERVIEW = "interview"
    DOCUMENT_REVIEW = "document_review"
    SITE_VISIT = "site_visit"
    OTHER = "other"


class InspectionStage(Enum):
    PLANNED = "planned"
    STARTED = "started"
    FED_BACK = "fed_back"
    CLOSED = "closed"


class FindingStage(Enum):
    """Where a finding is in the loop; ``verified`` sits between verification and closing."""

    RAISED = "raised"
    RECTIFYING = "rectifying"
    AWAITING_VERIFICATION = "awaiting_verification"
    VERIFIED = "verified"
    REFERRED = "referred"
    CLOSED = "closed"


class FindingField(Enum):
    """Facts of a finding a correction may change."""

    DESCRIPTION = "description"
    SEVERITY = "severity"


class Outcome(Enum):
    RECTIFIED = "rectified"
    REFERRED = "referred"
    DISMISSED = "dismissed"


class RectificationTiming(Enum):
    """How a finding's rectification kept its deadline, as the evaluation references count it."""

    ON_TIME = "on_time"
    ON_TIME_AFTER_EXTENSION = "on_time_after_extension"
    LATE = "late"
    OPEN = "open"
    CLOSED_UNVERIFIED = "closed_unverified"


class SanctionKind(Enum):
    ADMONISHMENT_TALK = "admonishment_talk"
    CIRCULATED_CRITICISM = "circulated_criticism"
    WRITTEN_SELF_CRITICISM = "written_self_criticism"
    ORGANIZATIONAL_ADJUSTMENT = "organizational_adjustment"
    PARTY_DISCIPLINE = "party_discipline"
    GOVERNMENT_SANCTION = "government_sanction"


class SanctionState(Enum):
    IMPOSED = "imposed"
    APPEALED = "appealed"
    UPHELD = "upheld"
    MODIFIED = "modified"
    REVOKED = "revoked"


class ClueSource(Enum):
    LITIGATION = "litigation"
    RECONSIDERATION = "reconsideration"
    PETITION = "petition"
    HOTLINE_12345 = "hotline_12345"
    PROPOSAL = "proposal"
    OTHER = "other"


class TriageOutcome(Enum):
    FINDING = "finding"
    DISMISSED = "dismissed"


class BulletinKind(Enum):
    BRIEF = "brief"
    SPECIAL_REPORT = "special_report"


class Grade(Enum):
    """考核等次: excellent (优秀), good (良好), pass (合格), fail (不合格)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"
    FAIL = "fail"


ALL: tuple[type[Enum], ...] = (
    UnitKind,
    UnitLevel,
    Role,
    PrincipalTitle,
    Category,
    EndReason,
    CorrectableField,
    Severity,
    Liability,
    EvidenceMethod,
    InspectionStage,
    FindingStage,
    FindingField,
    Outcome,
    RectificationTiming,
    SanctionKind,
    SanctionState,
    ClueSource,
    TriageOutcome,
    BulletinKind,
    Grade,
)
