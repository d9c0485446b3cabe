"""Persistent queues (R1, D6–D8, D16): messages, leases, acks, redelivery, dead letters."""

from smev_soap.queue.leasing import (
    CancelOutcome,
    DeadLetter,
    LeasedItem,
    ack,
    cancel,
    expire_and_dead_letter,
    lease,
)
from smev_soap.queue.messages import (
    enqueue,
    find_duplicate,
    get_message,
    lock_idempotency_key,
    message_parts,
    store_delivery_envelope,
    store_parts,
)
from smev_soap.queue.models import (
    ACKED,
    CANCELLED,
    DEAD,
    LEASED,
    PENDING,
    REQUEST,
    REQUESTS,
    RESPONSE,
    RESPONSES,
    Message,
    QueueItem,
)
from smev_soap.queue.statistics import QueueCounts, queue_statistics

__all__ = [
    "ACKED", "CANCELLED", "DEAD", "LEASED", "PENDING", "REQUEST", "REQUESTS", "RESPONSE",
    "RESPONSES", "CancelOutcome", "DeadLetter", "LeasedItem", "Message", "QueueCounts",
    "QueueItem", "ack", "cancel", "enqueue", "expire_and_dead_letter", "find_duplicate",
    "get_message", "lease", "lock_idempotency_key", "message_parts", "queue_statistics", "store_delivery_envelope",
    "store_parts",
]
