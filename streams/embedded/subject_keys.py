"""The embedded mode's key provider: per-subject data keys derived from one run key."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SubjectKeys"]


class SubjectKeys:
    """Per-subject data keys derived from one random run key: every worker process of a
    run seals a subject's records under the same key, and nothing outlives the run
    unless --data-keys writes the keys out."""

    def __init__(self, run_key: bytes) -> None:
        self._run_key = run_key
        self._erased: set[str] = set()

    def get(self, subject_id: str) -> bytes | None:
        """The subject's key, None once deleted."""
        return None if subject_id in self._erased else self.get_or_create(subject_id)

    def get_or_create(self, subject_id: str) -> bytes:
        """The subject's key, derived: the same in every process of the run."""
        return hmac.new(self._run_key, b"logwarden-subject-key:" + subject_id.encode(),
                        hashlib.sha256).digest()

    def delete(self, subject_id: str) -> None:
        """Forget the subject's key for the rest of the run."""
        self._erased.add(subject_id)
