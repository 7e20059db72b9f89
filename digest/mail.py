"""The digest as a mail (text + HTML, the chart inline) and its delivery over SMTP."""

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid

from config import EmailConfig

SMTP_TIMEOUT = 30.0


class MailError(Exception):
    """A mail that could not be handed to the server; the message names host and cause."""


def chart_content_id() -> str:
    """A fresh Content-ID for the chart, without the angle brackets (as `cid:` wants it)."""
    return make_msgid(idstring="weekly-chart", domain="newswatch.digest")[1:-1]


def compose(
    *,
    subject: str,
    text: str,
    html: str,
    sender: str,
    recipients: Sequence[str],
    when: datetime,
    chart_png: bytes | None = None,
    chart_cid: str | None = None,
) -> EmailMessage:
    """multipart/alternative (text, then multipart/related HTML with the chart inline)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(idstring="digest", domain="newswatch.digest")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if chart_png is not None and chart_cid is not None:
        html_part = next(p for p in message.iter_parts() if p.get_content_type() == "text/html")
        html_part.add_related(
            chart_png,
            maintype="image",
            subtype="png",
            cid=f"<{chart_cid}>",
            filename="weekly-chart.png",
            disposition="inline",
        )
    return message


def to_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=policy.SMTP)


def from_bytes(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


@dataclass(frozen=True)
class Outcome:
    key: int
    error: str | None  # None: accepted by the server


def _password(config: EmailConfig, env: Mapping[str, str]) -> str:
    password = env.get(config.password_env)
    if not password:
        raise MailError(
            f"mail to {config.host}:{config.port} not sent: ${config.password_env} is not set "
            f"(the SMTP password for user {config.username!r})"
        )
    return password


def send_all(
    messages: Sequence[tuple[int, bytes]],
    config: EmailConfig,
    env: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Send each (key, raw message) over one SMTP session; never raises for a failed send.

    A failure to reach or log in to the server fails every message with the same cause; a
    refusal of one message fails that one only.
    """
    if not messages:
        return []
    env = os.environ if env is None else env
    where = f"{config.host}:{config.port}"
    try:
        password = _password(config, env) if config.username else None
        smtp = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT)
    except MailError as error:
        return [Outcome(key, str(error)) for key, _ in messages]
    except (OSError, smtplib.SMTPException) as error:
        return [Outcome(key, f"mail to {where} failed: {_cause(error)}") for key, _ in messages]
    outcomes = []
    try:
        with smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.username and password is not None:
                smtp.login(config.username, password)
            for key, raw in messages:
                outcomes.append(Outcome(key, _send_one(smtp, raw, where)))
    except (OSError, smtplib.SMTPException) as error:
        failed = f"mail to {where} failed: {_cause(error)}"
        done = {outcome.key for outcome in outcomes}
        outcomes += [Outcome(key, failed) for key, _ in messages if key not in done]
    return outcomes


def _send_one(smtp: smtplib.SMTP, raw: bytes, where: str) -> str | None:
    message = from_bytes(raw)
    sender = getaddresses([str(message["From"])])[0][1]
    recipients = [address for _, address in getaddresses([str(message["To"])]) if address]
    try:
        smtp.sendmail(sender, recipients, raw)
    except smtplib.SMTPRecipientsRefused as error:
        return f"mail to {where} refused for {', '.join(error.recipients)}"
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
        return f"mail to {where} refused: {_cause(error)}"
    return None


def _cause(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"{error.smtp_code} {text}"
    if isinstance(error, TimeoutError | smtplib.SMTPServerDisconnected):
        return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return str(error) or type(error).__name__
