"""Webhooks: subscribe a URL to the events the token may see and manage the subscription
(pause, resume, a new signing secret, delete), read its deliveries (pending, delivered,
failed: the dead letters) and deliver again one event or every event after a position.
A subscription belongs to its creator's jurisdiction; its changes take no ``If-Match`` or
``Idempotency-Key`` (it is not a record of the ledger)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

from ledger.client import operations as ops
from ledger.client.bodies import Act, NewWebhook, Replay
from ledger.client.trail import DeliveryPage, Webhook, WebhookPage, WebhookWithSecret
from ledger.client.transport import Transport


class Webhooks(Transport):
    async def create_webhook(
        self,
        url: str,
        *,
        types: Sequence[str] | None = None,
        unit_id: UUID | None = None,
        after: int | None = None,
        scheme: Literal["v1", "v1a"] = "v1",
    ) -> WebhookWithSecret:
        """Deliver to ``url`` the events of ``types`` (default all) of ``unit_id`` and the
        units below it, after ``after`` (default: from now on). Keep ``secret``: it is
        shown only now (scheme v1; v1a deliveries verify with ``public_key``)."""
        kinds = None if types is None else list(types)
        body = NewWebhook(url=url, types=kinds, unit_id=unit_id, after=after, scheme=scheme)
        return await self.read(ops.CREATE_WEBHOOK, WebhookWithSecret, body=body)

    async def webhooks(self) -> WebhookPage:
        """The webhooks of the caller's jurisdiction."""
        return await self.read(ops.WEBHOOKS, WebhookPage)

    async def webhook(self, webhook: UUID) -> Webhook:
        return await self.read(ops.WEBHOOK, Webhook, {"id": webhook})

    async def pause_webhook(self, webhook: UUID, *, reason: str | None = None) -> Webhook:
        """Deliver nothing until resumed; the events wait, none is lost."""
        return await self.read(ops.PAUSE_WEBHOOK, Webhook, {"id": webhook}, body=_act(reason))

    async def resume_webhook(self, webhook: UUID, *, reason: str | None = None) -> Webhook:
        """Deliver again from where it stopped (also after a 410 disabled it)."""
        return await self.read(ops.RESUME_WEBHOOK, Webhook, {"id": webhook}, body=_act(reason))

    async def rotate_webhook_secret(
        self, webhook: UUID, *, reason: str | None = None
    ) -> WebhookWithSecret:
        """A new signing secret (shown now only); the old one signs nothing more."""
        return await self.read(
            ops.ROTATE_SECRET, WebhookWithSecret, {"id": webhook}, body=_act(reason)
        )

    async def delete_webhook(self, webhook: UUID) -> Webhook:
        """Delete the subscription; its deliveries stay listed."""
        return await self.read(ops.DELETE_WEBHOOK, Webhook, {"id": webhook})

    async def deliveries(
        self,
        webhook: UUID,
        *,
        status: Literal["pending", "delivered", "failed"] | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> DeliveryPage:
        """The deliveries in position order; the next page is ``after=next_cursor``."""
        query = {"status": status, "after": after, "limit": limit}
        return await self.read(ops.DELIVERIES, DeliveryPage, {"id": webhook}, query)

    async def replay_delivery(
        self, webhook: UUID, position: int, *, reason: str | None = None
    ) -> Webhook:
        """Deliver the event at ``position`` again (a dead letter, or one the receiver
        lost), under its message id."""
        ids: dict[str, UUID | int] = {"id": webhook, "position": position}
        return await self.read(ops.REPLAY_DELIVERY, Webhook, ids, body=_act(reason))

    async def replay_webhook(self, webhook: UUID, after: int) -> Webhook:
        """Deliver again every event after ``after``, under the same message ids."""
        return await self.read(
            ops.REPLAY_WEBHOOK, Webhook, {"id": webhook}, body=Replay(after=after)
        )


def _act(reason: str | None) -> Act:
    return Act() if reason is None else Act(reason=reason)
