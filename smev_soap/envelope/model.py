"""The SMEV-2 message model (rev120315, SMEV.md §3–§8) as plain dataclasses."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

#: ``MnemonicType``: a participant system code (rev120315).
CODE_RE = re.compile(r"[A-Z0-9]{4}\d{5}")
#: ``VersionType``: the version of a target service.
VERSION_RE = re.compile(r"\d{1,2}\.\d{2}")


class Status(StrEnum):
    """``StatusType`` (Статус сообщения)."""

    REQUEST = "REQUEST"  # Запрос
    RESULT = "RESULT"  # Результат
    REJECT = "REJECT"  # Мотивированный отказ
    INVALID = "INVALID"  # Ошибка при ФЛК
    ACCEPT = "ACCEPT"  # Сообщение-квиток о приеме
    PING = "PING"  # Запрос данных/результатов
    PROCESS = "PROCESS"  # В обработке
    NOTIFY = "NOTIFY"  # Уведомление об ошибке
    FAILURE = "FAILURE"  # Технический сбой
    CANCEL = "CANCEL"  # Отзыв заявления
    STATE = "STATE"  # Возврат состояния
    PACKET = "PACKET"  # Передача пакетного сообщения


class TypeCode(StrEnum):
    """``TypeCodeType`` (Тип сообщения)."""

    GSRV = "GSRV"  # оказание государственных услуг
    GFNC = "GFNC"  # исполнение государственных функций
    OTHR = "OTHR"  # иные цели, предусмотренные законодательством


class MessageClass(StrEnum):
    """``MessageClassType`` of ``smev:Header``."""

    REQUEST = "REQUEST"  # запрос от потребителя к поставщику
    RESPONSE = "RESPONSE"  # ответ поставщика потребителю


@dataclass(frozen=True, slots=True)
class Org:
    """``orgExternalType``: a participant system (Code = мнемоника, Name = наименование)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """``Service``: the target electronic service (MR 2.5.6 style)."""

    mnemonic: str
    version: str


@dataclass(slots=True, kw_only=True)
class SubMessage:
    """``SubMessage``: one application of a packet (§8), fields in schema order."""

    sub_request_number: str
    status: Status
    originator: Org | None = None
    date: datetime
    request_id_ref: str | None = None
    origin_request_id_ref: str | None = None
    service_code: str | None = None
    case_number: str | None = None


@dataclass(slots=True, kw_only=True)
class Message:
    """``smev:Message`` (§4), fields in schema order; ``date`` is an aware datetime.

    ``service_name`` (MR 2.5.5) and ``service`` (MR 2.5.6) are alternatives; both may be absent.
    ``test_msg`` is the presence of ``TestMsg`` (an empty element marks a test message).
    """

    sender: Org
    recipient: Org
    originator: Org | None = None
    service_name: str | None = None
    service: ServiceRef | None = None
    type_code: TypeCode
    status: Status
    date: datetime
    exchange_type: str
    request_id_ref: str | None = None
    origin_request_id_ref: str | None = None
    service_code: str | None = None
    case_number: str | None = None
    sub_messages: list[SubMessage] = field(default_factory=list)
    test_msg: bool = False
    oktmo: str | None = None


@dataclass(frozen=True, slots=True)
class AppDocument:
    """``AppDocument``: RequestCode plus either BinaryData or Reference + DigestValue.

    ``binary_data`` and ``digest_value`` hold base64 text as on the wire (whitespace removed);
    decode BinaryData with :func:`smev_soap.envelope.attachments.decode_binary_data`.
    """

    request_code: str
    binary_data: str | None = None
    reference_href: str | None = None
    digest_value: str | None = None

    @classmethod
    def from_bytes(cls, request_code: str, data: bytes) -> AppDocument:
        """An AppDocument carrying ``data`` inline as BinaryData."""
        return cls(request_code, binary_data=base64.b64encode(data).decode("ascii"))


@dataclass(frozen=True, slots=True)
class PacketId:
    """``PacketIds/Id``: the id assigned to one sub-request of a packet."""

    message_id: str
    sub_request_number: str


@dataclass(slots=True, kw_only=True)
class Header:
    """``smev:Header``: routing data added by SMEV (the gateway) on delivery."""

    node_id: str
    message_id: str
    timestamp: datetime
    message_class: MessageClass
    packet_ids: list[PacketId] = field(default_factory=list)
    wsu_id: str | None = None
