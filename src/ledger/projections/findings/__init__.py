"""The loop read model (问题整改闭环): every finding's stage, owner, deadlines and the
persons it is attributed to, as known at each position (``handlers``); read a finding or a
list of them (``queries``), or a jurisdiction's open-loop report (``report``)."""

from ledger.projections.findings.handlers import NAME, PROJECTION, TABLES

__all__ = ["NAME", "PROJECTION", "TABLES"]
