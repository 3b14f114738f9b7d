"""Email on the developer's console, written so that its links can be opened from the terminal."""

import email.policy

from django.core.mail import EmailMessage
from django.core.mail.backends import console

# Long lines kept whole and UTF-8 left as it is: Django's default wraps a confirmation link over
# two lines of quoted-printable, which a browser cannot open.
READABLE = email.policy.default.clone(utf8=True, max_line_length=998)


class EmailBackend(console.EmailBackend):
    """Django's console backend, printing each message as a person reads it."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(message.message(policy=READABLE).as_bytes().decode())
        self.stream.write("\n" + "-" * 79 + "\n")
