"""Small readers for what a person would see: the text of a page, the rows of a CSV."""

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core.mail import EmailMessage
from django.http import HttpResponse


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "head"}
    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "br", "blockquote", "option", "td", "th", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIP
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIP
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(response: HttpResponse) -> str:
    """The text a reader sees on the page, entities decoded, whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(response.content.decode())
    return " ".join("".join(parser.parts).split())


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """Parse exported CSV bytes the way a spreadsheet would, checking the BOM on the way."""
    assert data.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def link_in(message: EmailMessage, purpose: str) -> str:
    """The path of the "confirm" or "withdraw" link in an email's plain text."""
    [url] = re.findall(rf"https?://\S+/{purpose}/\S+/", message.body)
    return urlsplit(url).path
