"""The one registry of refusal codes (D12).

``RSMEV-nnn``: 1xx transport and format, 2xx signature and certificate, 3xx policy and access,
4xx contract and attachments, 5xx queue and delivery, 6xx provider and proxy, 7xx federal bridge,
8xx limits, 9xx internal. Each code has the SMEV ``Status`` it is answered with (``FAULT`` for the
few that cannot be answered as a signed SMEV message, D11) and a Russian and an English text.
The README's table is generated from :data:`CODES` (``python -m smev_soap.readme``).
"""

from __future__ import annotations

from dataclasses import dataclass

FAULT = "FAULT"  # an unsigned SOAP Fault, HTTP 500


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: str  # INVALID, REJECT, FAILURE or FAULT
    ru: str
    en: str
    fault_side: str = "Client"  # faultcode soap:Client.<code> or soap:Server.<code>


_TABLE: tuple[tuple[str, str, str, str], ...] = (
    # 1xx transport and format
    ("RSMEV-100", FAULT, "Запрос не является корректным XML SOAP 1.1", "The request is not well-formed SOAP 1.1 XML"),
    ("RSMEV-101", FAULT, "Недопустимый Content-Type запроса", "Unsupported request Content-Type"),
    ("RSMEV-102", FAULT, "Превышен допустимый размер запроса", "The request exceeds the size limit"),
    ("RSMEV-103", FAULT, "DTD и сущности в XML запрещены", "DTDs and entities are not allowed in XML"),
    ("RSMEV-104", FAULT, "Превышена допустимая глубина вложенности XML", "XML nesting is too deep"),
    ("RSMEV-105", FAULT, "Неизвестная операция", "Unknown operation"),
    ("RSMEV-106", FAULT, "В запросе нет блоков smev:Message и smev:MessageData", "The request has no smev:Message and smev:MessageData"),
    ("RSMEV-107", FAULT, "Код отправителя не соответствует формату [A-Z0-9]{4}\\d{5}", "Sender/Code does not match [A-Z0-9]{4}\\d{5}"),
    ("RSMEV-110", "INVALID", "Блок smev:Message не соответствует схеме rev120315", "smev:Message does not conform to the rev120315 schema"),
    ("RSMEV-111", "INVALID", "Дата сообщения устарела или находится в будущем", "Message/Date is stale or in the future"),
    ("RSMEV-112", "INVALID", "Статус сообщения недопустим для операции", "Message/Status is not allowed for this operation"),
    ("RSMEV-113", "INVALID", "Не заполнен обязательный элемент сообщения", "A required message element is missing"),
    # 2xx signature and certificate
    ("RSMEV-200", "INVALID", "Сообщение не подписано ЭП-ОВ", "The message carries no signature"),
    ("RSMEV-201", "INVALID", "Подпись ЭП-ОВ неверна", "The signature value does not verify"),
    ("RSMEV-202", "INVALID", "Хеш подписанного элемента не совпадает", "The digest of a signed element does not match"),
    ("RSMEV-203", "INVALID", "Подпись относится не к тому элементу (подмена элемента)", "The signature covers the wrong element (signature wrapping)"),
    ("RSMEV-204", "INVALID", "Идентификатор подписанного элемента не уникален", "The signed element id is not unique"),
    ("RSMEV-205", "INVALID", "Сертификат подписи не найден в сообщении", "The signer's certificate is missing from the message"),
    ("RSMEV-206", "INVALID", "Алгоритм подписи не поддерживается", "Unsupported signature or digest algorithm"),
    ("RSMEV-207", "INVALID", "Срок действия сертификата истёк", "The certificate has expired"),
    ("RSMEV-208", "INVALID", "Срок действия сертификата ещё не наступил", "The certificate is not yet valid"),
    ("RSMEV-209", "INVALID", "Сертификат выдан недоверенным УЦ", "The certificate is not issued by a trusted CA"),
    ("RSMEV-210", "INVALID", "Сертификат отозван", "The certificate is revoked"),
    ("RSMEV-211", "INVALID", "Сертификат не зарегистрирован за отправителем", "The certificate is not registered to the sender"),
    ("RSMEV-212", "INVALID", "Структура блока подписи WS-Security неверна", "Malformed WS-Security signature block"),
    # 3xx policy and access
    ("RSMEV-300", "REJECT", "Отправитель не зарегистрирован", "The sender is not registered"),
    ("RSMEV-301", "REJECT", "Работа участника заблокирована", "The participant is blocked"),
    ("RSMEV-302", "REJECT", "Получатель не зарегистрирован или неактивен", "The recipient is unknown or inactive"),
    ("RSMEV-303", "REJECT", "Вид сведений или сервис не зарегистрирован", "The kind of information or service is not registered"),
    ("RSMEV-304", "REJECT", "Соглашение не предоставляет доступ к виду сведений", "The agreement does not grant this kind of information"),
    ("RSMEV-305", "REJECT", "Сведения, составляющие государственную тайну, не обрабатываются", "State-secret information is not processed"),
    ("RSMEV-306", "REJECT", "Тестовые сообщения не разрешены соглашением", "Test messages are not allowed by the agreement"),
    ("RSMEV-307", "REJECT", "Невозможно однозначно определить поставщика", "The provider cannot be determined unambiguously"),
    ("RSMEV-308", "REJECT", "Отвечать на запрос может только его получатель", "Only the recipient of the request may answer it"),
    ("RSMEV-309", "REJECT", "Нет доступа к истории сообщения", "No access to this message's history"),
    ("RSMEV-310", "REJECT", "Классификатор не зарегистрирован", "The classifier is not registered"),
    ("RSMEV-311", "REJECT", "Заявка на подключение не найдена", "The connection application is not found"),
    ("RSMEV-312", "REJECT", "Заявка на подключение не может быть принята", "The connection application cannot be accepted"),
    # 4xx contract and attachments
    ("RSMEV-400", "INVALID", "Сведения не соответствуют схеме вида сведений", "AppData does not conform to the kind's schema"),
    ("RSMEV-401", "INVALID", "AppData должен содержать ровно один элемент", "AppData must hold exactly one element"),
    ("RSMEV-402", "INVALID", "Превышен допустимый размер вложения", "The attachment exceeds the size limit"),
    ("RSMEV-403", "INVALID", "Архив вложения превышает допустимую степень сжатия (zip-бомба)", "The attachment archive is a zip bomb"),
    ("RSMEV-404", "INVALID", "В архиве вложения слишком много файлов", "The attachment archive has too many entries"),
    ("RSMEV-405", "INVALID", "Архив вложения повреждён", "The attachment archive is corrupt"),
    ("RSMEV-406", "INVALID", "Хеш файла не совпадает с описью вложений", "A file's digest does not match the attachment manifest"),
    ("RSMEV-407", "INVALID", "Часть multipart, на которую ссылается вложение, отсутствует", "The multipart part referenced by the attachment is missing"),
    ("RSMEV-408", "INVALID", "Хеш вложения не совпадает", "The attachment digest does not match"),
    ("RSMEV-409", "INVALID", "Вложение не является корректным base64", "The attachment is not valid base64"),
    ("RSMEV-410", "INVALID", "Параметры запроса не соответствуют схеме реестра", "The request parameters do not conform to the registry schema"),
    ("RSMEV-411", "INVALID", "Запрошенной версии классификатора нет", "The classifier has no such version"),
    # 5xx queue and delivery
    ("RSMEV-500", "REJECT", "Сообщение не найдено", "Message not found"),
    ("RSMEV-501", "REJECT", "Сообщение не найдено среди неподтверждённых", "The message is not among the unacknowledged ones"),
    ("RSMEV-502", "REJECT", "Запрос уже завершён", "The request is already closed"),
    ("RSMEV-503", "FAILURE", "Сообщение не доставлено: исчерпано число попыток", "Undelivered: the delivery attempts are exhausted"),
    # 8xx limits
    ("RSMEV-800", "FAILURE", "Превышен допустимый темп запросов", "Rate limit exceeded"),
    # 9xx internal
    ("RSMEV-900", "FAILURE", "Внутренняя ошибка шлюза", "Internal gateway error"),
    ("RSMEV-901", "FAILURE", "Шлюз не смог подписать ответ", "The gateway could not sign its answer"),
)

CODES: dict[str, ErrorCode] = {
    code: ErrorCode(code, status, ru, en, "Server" if code.startswith("RSMEV-9") else "Client")
    for code, status, ru, en in _TABLE
}


class SmevRefusal(Exception):
    """A refusal with a registered code; ``detail`` says what exactly was wrong."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.error = CODES[code]
        self.detail = detail
        super().__init__(f"{code}: {self.error.en}" + (f" ({detail})" if detail else ""))

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def is_fault(self) -> bool:
        return self.error.status == FAULT


def markdown_table() -> str:
    """The README table of every code."""
    rows = ["| code | answer | Русский | English |", "|---|---|---|---|"]
    rows += [f"| {e.code} | {e.status} | {e.ru} | {e.en} |" for e in CODES.values()]
    return "\n".join(rows)

