"""Webhook deliveries: signed as Standard Webhooks says (``delivery.py``), driven from
the log by position for every active subscription (``worker.py``); the subscriptions are
the API's (``api/resources/webhooks.py``) and live in ``infra/webhooks.py``."""
