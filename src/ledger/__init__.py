"""ledger: an event-sourced accountability ledger for rule-of-law inspection."""

__version__ = "0.1.0"
