"""Read models: one package per read model, its event handlers beside its queries.

- ``chain`` (chain_v1): units, persons, assignments and their portfolio and reporting-line
  histories; the responsibility chain of a unit on a day, with its gaps.
- ``findings`` (findings_v1): the loop of every finding (stage, owner, deadlines,
  attributions); a finding, searched lists, a jurisdiction's open-loop report.
- ``records`` (records_v1): inspections, accountability cases and sanctions, clues,
  bulletins, indicator sets and assessments; each of them, and lists newest first.
- ``evaluation``: no tables; the evaluation references of a person or a unit, read from
  the three above at one position.

``common`` holds what they share: versioned rows (a successor supersedes a row, never
changes it), ``known()`` and ``NOW`` to read as known at a position, the event classes
handlers are keyed by. ``registry`` lists the projections and their tables, ``runner``
keeps them up to date, ``sqlfiles`` finds their SQL in the top-level ``projections/``.
"""
