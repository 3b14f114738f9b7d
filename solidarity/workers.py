"""gunicorn's threaded worker, for a listening socket of its own per worker (`reuse_port`).

With one socket shared by every worker, whichever worker wakes first accepts a burst of
connections and keeps them (keep-alive, as nginx's connections to gunicorn are): at a million
signatures one worker took most of the signing load while three sat idle. With a socket per
worker the kernel spreads new connections over them. The one thing that costs: the kernel
keeps sending a stopping worker connections until its socket closes, and would reset every
one still waiting when it does. This worker leaves the group as it starts to stop (after a
deploy, or its `max_requests`): it accepts what is already waiting, then closes its sockets.
"""

import socket

from gunicorn.workers import gthread


class ThreadWorker(gthread.ThreadWorker):
    def set_accept_enabled(self, enabled: bool) -> None:
        """As gthread does; and once stopping, with a socket of its own, leave the group."""
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive and self.cfg.reuse_port:
            for listener in self.sockets:
                self.accept_waiting(listener)
                listener.close()

    def accept_waiting(self, listener: socket.socket) -> None:
        """Take every connection already waiting on this socket, to answer before stopping."""
        listener.setblocking(False)
        while True:
            waiting = self.nr_conns
            self.accept(listener)  # one connection, or none (EAGAIN)
            if self.nr_conns == waiting:
                return
