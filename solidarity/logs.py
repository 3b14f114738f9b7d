"""What the site logs must not hand anyone a key to a signature."""

import logging
import re

# The secret part of a link from an email: /petitions/<slug>/confirm/<token>/.
LINK_TOKEN = re.compile(r"(/(?:confirm|withdraw)/)[^/\s\"]+")


class HideLinkTokens(logging.Filter):
    """Blank out the token of a confirmation or withdrawal link in a line about a request.

    Django logs the path of every request that ends in 404 or 405 (a broken link, a mail
    scanner's odd method), and the development server logs every path it serves: a withdrawal
    token in a log would let whoever reads the log delete the signature.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # the handler reports a line it cannot format; a filter must not raise
        hidden = LINK_TOKEN.sub(r"\1…", message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True
