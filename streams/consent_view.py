"""The consent view: every worker's copy of privacy.consent, read whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import faust
from faust.types import EventT

from redactors.age import is_under_age
from redactors.consent import ConsentState
from schemas.consent import ConsentEventError, decode_consent
from streams.global_view import GlobalView
from streams.hooks import PipelineHooks
from streams.security import PLAINTEXT, ClientSecurity
from streams.state.consent import StoredConsent

__all__ = ["ConsentView"]


class ConsentView(GlobalView):
    """Latest valid consent per subject, read from the whole of privacy.consent
    (streams.global_view). Invalid records are counted and ignored (the previous valid
    state stays); a tombstone removes the subject.

    With `stored` (streams.state), the view lives on disk behind a bounded cache and
    keeps a checkpoint: a restart reads privacy.consent only from the stored offsets.
    """

    def __init__(self, app: faust.App, topic: faust.TopicT, partitions: int,
                 hooks: PipelineHooks, *, minimum_age: int, follow: bool = True,
                 security: ClientSecurity = PLAINTEXT,
                 stored: StoredConsent | None = None) -> None:
        """follow=False: no consumer; the caller feeds `apply` (agent tests)."""
        self._states: dict[str, ConsentState] = {}
        self._stored = stored
        # The data plane calls this per event: the dict's or the cache's own method.
        self.get: Callable[[str], ConsentState | None] = (
            self._states.get if stored is None else stored.get)
        self._hooks = hooks
        self.on_state: Callable[[ConsentState], None] | None = None  # rights: child check
        self.rejected = 0
        self.minimum_age = minimum_age  # the policy's
        super().__init__(app, str(topic.get_topic_name()), partitions, what="consent",
                         follow=follow, security=security, stored=stored)

    async def _on_record(self, event: EventT[Any]) -> None:
        self.apply(event.message.key, event.message.value)

    def apply(self, key: bytes | None, value: bytes | None, partition: int = 0,
              offset: int = 0) -> None:
        """Fold one privacy.consent record into the view."""
        if value is None:
            if key is not None:
                self._forget(key.decode("utf-8", "replace"), partition, offset)
            return
        try:
            state = decode_consent(key, value)
        except ConsentEventError as exc:
            self.rejected += 1
            self._hooks.on_consent_rejected(exc.reason)
            return
        if self._stored is None:
            self._states[state.subject_id] = state
        else:
            self._stored.put(partition, offset, state)
        if self.on_state is not None:
            self.on_state(state)

    def _forget(self, subject_id: str, partition: int, offset: int) -> None:
        """A tombstone: back to the policy default, except that a known child stays one.

        Erasing a child tombstones its consent and adds a suppression entry; the two
        travel on different topics, so another worker may read the tombstone first. The
        birth year alone is kept (in memory, until restart) so that the child's events
        stay dropped in between.
        """
        previous = self.get(subject_id)
        keep = None
        if previous is not None and is_under_age(previous.birth_year, self.minimum_age,
                                                 date.today()):
            keep = ConsentState(subject_id=subject_id, birth_year=previous.birth_year)
        if self._stored is not None:
            self._stored.delete(partition, offset, subject_id, keep)
        elif keep is None:
            self._states.pop(subject_id, None)
        else:
            self._states[subject_id] = keep

    def __len__(self) -> int:
        """Subjects with a consent state (stored ones: as of the last write)."""
        return len(self._states) if self._stored is None else len(self._stored)
