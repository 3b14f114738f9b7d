"""A mail server on the loopback that takes every message and notes when it came."""

import logging
import time

from aiosmtpd.controller import Controller

# aiosmtpd logs every connection and message: thousands of lines in the benchmark's output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Counting:
    def __init__(self) -> None:
        self.arrivals: list[float] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.arrivals.append(time.perf_counter())
        return "250 OK"


def start(port: int) -> tuple[Controller, Counting]:
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler
