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
    Queued,
    enqueue,
    find_duplicate,
    get_message,
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
    "QueueItem", "Queued", "ack", "cancel", "enqueue", "expire_and_dead_letter", "find_duplicate",
    "get_message", "lease", "message_parts", "queue_statistics", "store_delivery_envelope",
    "store_parts",
]
