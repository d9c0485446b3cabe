"""Message history with tamper evidence (R4, D20): append events, seal batches, verify."""

from smev_soap.journal.events import EventType, history, record
from smev_soap.journal.models import JournalEvent, JournalSeal
from smev_soap.journal.seal import SealHead, read_seals_log, seal_pending
from smev_soap.journal.verify import Problem, VerifyReport, verify_journal

__all__ = [
    "EventType", "JournalEvent", "JournalSeal", "Problem", "SealHead", "VerifyReport",
    "history", "read_seals_log", "record", "seal_pending", "verify_journal",
]
