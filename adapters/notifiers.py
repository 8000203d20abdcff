"""The embedded LeadNotifier: writes the lead to the log instead of an owner's chat."""

from __future__ import annotations

import logging

from stylegenie.core.domain import Atelier, Lead

log = logging.getLogger("stylegenie.leads")


class LogLeadNotifier:
    """Logs each lead (never contact details); the default until a chat notifier is set up."""

    def notify(self, lead: Lead, atelier: Atelier) -> None:
        """Write one line naming the lead, the atelier and the brief."""
        log.info("lead %s for %s: %s", lead.id, atelier.name, lead.design.brief.summary())
