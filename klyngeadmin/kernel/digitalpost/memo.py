"""MeMo (Meddelelsesmodellen), the message format of Digital Post: namespace
https://DigitalPost.dk/MeMo-1, memoVersion 1.1.

What is built here is the part of MeMo 1.1 a letter to a company needs, in the element order
of the published schema: Message(@memoVersion, @memoSchVersion) > MessageHeader (messageType
DIGITALPOST, messageUUID, label, mandatory, legalNotification, Sender, Recipient, ContentData
with the case number) > MessageBody (createdDateTime, MainDocument > File with encodingFormat,
filename, language and the PDF as base64 content).

The official XSD (Digitaliseringsstyrelsen's MeMo_Full_Schema) is not shipped with this
project; `memo-1.1-subset.xsd` next to this module is our own schema of exactly the subset
above, written from the published structure, and every message is validated against it
before it leaves (offline and real sender alike)."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree as ET

NS = "https://DigitalPost.dk/MeMo-1"
NS_GRD = "https://data.gov.dk/model/core/"
MEMO_VERSION = "1.1"
MEMO_SCH_VERSION = "1.1.0"
XSD_PATH = Path(__file__).with_name("memo-1.1-subset.xsd")

ET.register_namespace("memo", NS)
ET.register_namespace("grd", NS_GRD)


class MemoInvalid(ValueError):
    """A MeMo message that does not follow the schema (nothing is sent)."""


@dataclass(frozen=True)
class Party:
    cvr: str
    label: str


@dataclass(frozen=True)
class MemoLetter:
    """One letter as a Digital Post message: a PDF to a company's CVR."""

    message_uuid: uuid.UUID
    label: str
    sender: Party
    recipient: Party
    pdf: bytes
    filename: str
    created_at: datetime
    case_id: str = ""
    case_system: str = ""
    language: str = "da"
    legal_notification: bool = True  # a decision letter has legal effect when it is received


def _el(parent, name: str, text: str | None = None, ns: str = NS):
    child = ET.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = text
    return child


def build_memo(letter: MemoLetter) -> bytes:
    """The MeMo XML of one letter (UTF-8, with declaration), validated."""
    message = ET.Element(f"{{{NS}}}Message", {
        "memoVersion": MEMO_VERSION, "memoSchVersion": MEMO_SCH_VERSION})
    header = _el(message, "MessageHeader")
    _el(header, "messageType", "DIGITALPOST")
    _el(header, "messageUUID", str(letter.message_uuid))
    _el(header, "label", letter.label[:150])
    _el(header, "mandatory", "true")
    _el(header, "legalNotification", "true" if letter.legal_notification else "false")
    sender = _el(header, "Sender")
    _el(sender, "senderID", letter.sender.cvr)
    _el(sender, "idType", "CVR")
    _el(sender, "label", letter.sender.label)
    recipient = _el(header, "Recipient")
    _el(recipient, "recipientID", letter.recipient.cvr)
    _el(recipient, "idType", "CVR")
    _el(recipient, "label", letter.recipient.label)
    if letter.case_id:
        content = _el(header, "ContentData")
        cvr = _el(content, "CVRdata", ns=NS_GRD)
        _el(cvr, "cvrNumber", letter.recipient.cvr, ns=NS_GRD)
        _el(cvr, "companyName", letter.recipient.label, ns=NS_GRD)
        case = _el(content, "CaseID")
        _el(case, "caseID", letter.case_id)
        _el(case, "caseSystem", letter.case_system or "klyngeadmin")
    body = _el(message, "MessageBody")
    _el(body, "createdDateTime", letter.created_at.isoformat(timespec="seconds"))
    main = _el(body, "MainDocument")
    _el(main, "label", letter.label[:150])
    file = _el(main, "File")
    _el(file, "encodingFormat", "application/pdf")
    _el(file, "filename", letter.filename)
    _el(file, "language", letter.language)
    _el(file, "content", base64.b64encode(letter.pdf).decode("ascii"))
    xml = ET.tostring(message, encoding="utf-8", xml_declaration=True)
    validate_memo(xml)
    return xml


@lru_cache(maxsize=1)
def _schema():
    import xmlschema  # only here: loading the schema takes a moment

    return xmlschema.XMLSchema(str(XSD_PATH))


def validate_memo(xml: bytes) -> None:
    """Raise MemoInvalid unless `xml` is a MeMo 1.1 message of the subset we send."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 - our own output, or a test's
    except ET.ParseError as exc:
        raise MemoInvalid(f"not XML: {exc}") from exc
    if root.tag != f"{{{NS}}}Message" or root.get("memoVersion") != MEMO_VERSION:
        raise MemoInvalid("not a MeMo 1.1 Message")
    errors = list(_schema().iter_errors(xml.decode("utf-8")))
    if errors:
        raise MemoInvalid("; ".join(str(e.reason or e) for e in errors[:3]))


@dataclass(frozen=True)
class ParsedMemo:
    message_type: str
    message_uuid: str
    label: str
    sender_id: str
    sender_id_type: str
    recipient_id: str
    recipient_id_type: str
    filename: str
    encoding_format: str
    pdf: bytes


def parse_memo(xml: bytes) -> ParsedMemo:
    """Read back what a message says (tests and the offline sender's index use it)."""
    validate_memo(xml)
    root = ET.fromstring(xml)  # noqa: S314
    ns = {"memo": NS}

    def text(path: str) -> str:
        return root.findtext(path, default="", namespaces=ns)

    h, f = "memo:MessageHeader", "memo:MessageBody/memo:MainDocument/memo:File"
    return ParsedMemo(
        message_type=text(f"{h}/memo:messageType"),
        message_uuid=text(f"{h}/memo:messageUUID"),
        label=text(f"{h}/memo:label"),
        sender_id=text(f"{h}/memo:Sender/memo:senderID"),
        sender_id_type=text(f"{h}/memo:Sender/memo:idType"),
        recipient_id=text(f"{h}/memo:Recipient/memo:recipientID"),
        recipient_id_type=text(f"{h}/memo:Recipient/memo:idType"),
        filename=text(f"{f}/memo:filename"),
        encoding_format=text(f"{f}/memo:encodingFormat"),
        pdf=base64.b64decode(text(f"{f}/memo:content")),
    )
