"""Digest mail through a real SMTP server on loopback (aiosmtpd), and a server that is down."""

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from digest_fixtures import NOW, add_later, fill, make_config

from digest import run_digest, run_scheduled_digest
from storage import Storage

RECIPIENTS = ["analyst@example.org", "desk@example.org"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def email_section(port: int, extra: str = "") -> str:
    return f"""
[digest.email]
host = "127.0.0.1"
port = {port}
sender = "newswatch@example.org"
recipients = {RECIPIENTS!r}
{extra}
""".replace("'", '"')


def serve(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    port = free_port()
    controller, inbox = serve(port)
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_digest_mail_has_text_html_and_the_inline_chart(tmp_path: Path, smtp):
    port, inbox = smtp
    config = make_config(tmp_path, email_section(port))
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
        result = run_digest(config, storage, NOW, mail=True)
        row = storage.digests.get(result.digest_id)
    assert result.mail_errors == []
    assert row["mail_status"] == "sent" and row["mail_message"] is None
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "newswatch@example.org"
    assert sorted(envelope.rcpt_tos) == sorted(RECIPIENTS)
    message = inbox.messages()[0]
    assert message.get_content_type() == "multipart/alternative"
    assert "6 new relevant articles" in message["Subject"]
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "Birlik-2024 drills at Oymasha range" in " ".join(plain.get_content().split())
    assert "Тюб-Караган" in html.get_content()
    related = message.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    images = [part for part in related.iter_parts() if part.get_content_type() == "image/png"]
    assert len(images) == 1
    image = images[0]
    assert image.get_content_disposition() == "inline"
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    cid = str(image["Content-ID"]).strip().strip("<>")
    assert f'src="cid:{cid}"' in html.get_content()
    assert "data:image" not in html.get_content()  # mail clients block data: images


def test_failed_send_is_recorded_and_retried_at_the_next_run(tmp_path: Path):
    port = free_port()  # nothing listens here yet
    config = make_config(tmp_path, email_section(port))
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
        first = run_digest(config, storage, NOW, mail=True)
        assert first.mail_errors and f"127.0.0.1:{port}" in first.mail_errors[0]
        assert "refused" in first.mail_errors[0].lower()
        row = storage.digests.get(first.digest_id)
        assert row["mail_status"] == "pending" and row["mail_attempts"] == 1
        assert row["mail_error"] == first.mail_errors[0]
        kept = message_from_bytes(row["mail_message"], policy=policy.default)

        # A run without --mail leaves it pending (and says so); the server then comes back.
        quiet = run_digest(config, storage, NOW + timedelta(hours=1), formats=["json"])
        assert quiet.mail == [] and quiet.pending_mail == 1
        controller, inbox = serve(port)
        try:
            later = NOW + timedelta(days=1)
            add_later(storage, later - timedelta(hours=2))
            second = run_digest(config, storage, later, mail=True)
        finally:
            controller.stop()
        assert second.mail_errors == []
        assert [(r.digest_id, r.retry) for r in second.mail] == [
            (first.digest_id, True),
            (second.digest_id, False),
        ]
        assert second.pending_mail == 0
        assert storage.digests.get(first.digest_id)["mail_status"] == "sent"
        assert storage.digests.get(first.digest_id)["mail_attempts"] == 2
    messages = inbox.messages()
    assert len(messages) == 2
    assert messages[0]["Message-ID"] == kept["Message-ID"]  # the very mail that failed
    assert "6 new relevant articles" in messages[0]["Subject"]
    assert "1 new relevant article" in messages[1]["Subject"]


def test_missing_password_variable_is_named_and_mail_kept(tmp_path: Path, smtp):
    port, inbox = smtp
    extra = 'username = "newswatch"\npassword_env = "NW_TEST_SMTP_PASSWORD"'
    config = make_config(tmp_path, email_section(port, extra))
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
        result = run_digest(config, storage, NOW, mail=True, env={})
        assert storage.digests.get(result.digest_id)["mail_status"] == "pending"
    assert len(result.mail_errors) == 1
    assert "$NW_TEST_SMTP_PASSWORD is not set" in result.mail_errors[0]
    assert f"127.0.0.1:{port}" in result.mail_errors[0]
    assert inbox.envelopes == []


def test_scheduled_digest_mails_once_per_period(tmp_path: Path, smtp):
    port, inbox = smtp
    config = make_config(tmp_path, email_section(port))
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
        first = run_scheduled_digest(config, storage, NOW)
        again = run_scheduled_digest(config, storage, NOW, now=NOW + timedelta(minutes=5))
        earlier = run_scheduled_digest(config, storage, NOW - timedelta(hours=3))
        rows = list(storage.db.query("SELECT since, until FROM digests"))
    assert first is not None and first.files
    assert again is None and earlier is None
    assert len(rows) == 1 and len(inbox.envelopes) == 1
