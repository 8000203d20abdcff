"""The lead flow's parts from settings: its policy, and the hub front-ends register with."""

from __future__ import annotations

from datetime import timedelta

from stylegenie.adapters.email_channel import EmailChannel
from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.config import Settings
from stylegenie.core.leads import LeadPolicy
from stylegenie.core.routing import EMAIL

from .stores import image_store_for


def lead_policy(settings: Settings) -> LeadPolicy:
    """The lead flow's limits and timing from settings."""
    leads = settings.leads
    return LeadPolicy(
        expiry=timedelta(hours=leads.expiry_hours),
        delivery_attempts=leads.delivery_attempts,
        retry_backoff_s=leads.retry_backoff_s,
        daily_limit_per_shopper=leads.daily_limit_per_shopper,
        open_cap_per_atelier=leads.open_cap_per_atelier,
        lease=timedelta(seconds=leads.lease_s),
        liveness=timedelta(seconds=leads.liveness_s),
        group_admins_answer=leads.group_admins_answer,
    )


def notifier_hub_for(settings: Settings) -> NotifierHub:
    """The hub front-ends register their channels with; e-mail is on it when configured."""
    hub = NotifierHub()
    if settings.email.configured:
        hub.register(EMAIL, EmailChannel(settings.email, image_store_for(settings).open))
    return hub
