"""An e-mail backend for worker processes under test: one line per message sent, appended to a
file shared by every worker (``O_APPEND``, one ``write`` per line), so the test can count."""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


def message_line(message: EmailMessage) -> str:
    """Who, and the link (unique per notice): two messages with the same line are duplicates."""
    links = [line for line in str(message.body).splitlines() if "/escalations/" in line]
    return f"{','.join(message.to)} {links[-1] if links else message.subject}"


class AppendingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        fd = os.open(
            os.environ["MDA_TEST_MAIL_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
        )
        try:
            for message in email_messages:
                os.write(fd, (message_line(message) + "\n").encode())
        finally:
            os.close(fd)
        return len(email_messages)
