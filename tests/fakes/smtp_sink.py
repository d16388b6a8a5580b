"""A local SMTP sink on 127.0.0.1 (aiosmtpd): keeps every message it is sent."""

from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller

from tests.processes import free_port


class _Keep:
    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        # Headers read as a mail client shows them: a long Subject unfolded onto one line.
        message = message_from_bytes(envelope.content, policy=policy.default)
        subject = message["Subject"]
        if subject is not None:  # as a mail client shows it: no space left over from folding at its start
            del message["Subject"]
            message["Subject"] = str(subject).strip()
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """`with SmtpSink() as sink:` then point CARING_SMTP_HOST/PORT at sink.host/sink.port."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.host, self.port = "127.0.0.1", free_port()
        self.controller = Controller(_Keep(self.messages), hostname=self.host, port=self.port)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[Message]:
        """The messages sent to this address."""
        return [m for m in self.messages if address in m["X-Envelope-To"]]
