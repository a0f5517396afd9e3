"""Delivery events: the one shape every outcome source (SMTP reply, DSN bounce, webhook) fans in as.

A campaign matches them to its recipients by Message-ID (falling back to the recipient address);
later events can refine earlier ones (accepted by SMTP, then bounced by a DSN an hour later).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field

DeliveryKind = Literal["accepted", "deferred", "refused", "delivered", "bounced", "complaint", "suppressed"]
DeliverySource = Literal["smtp", "dsn", "webhook", "suppression"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class DeliveryEvent(BaseModel):
    """One thing that happened to one message for one recipient."""

    message_id: str = Field(description="Message-ID of the sent message, with angle brackets")
    recipient: str = Field(description="the recipient address, lower-cased")
    kind: DeliveryKind
    source: DeliverySource
    reason: str = Field(default="", description="SMTP reply, DSN diagnostic code or provider reason")
    status: str = Field(default="", description="enhanced status code such as 5.1.1, when known")
    at: datetime = Field(default_factory=_now)

    @property
    def permanent_failure(self) -> bool:
        """Hard bounces and complaints put the address on the suppression list."""
        return self.kind in ("refused", "bounced", "complaint")
