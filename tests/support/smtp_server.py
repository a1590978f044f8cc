#!/usr/bin/python3
"""A real SMTP server for the alert channel tests: aiosmtpd (Debian 12: python3-aiosmtpd 1.4).

Listens on 127.0.0.1 on a free port chosen by the kernel and prints that port, alone on a line,
on stdout once it accepts connections. Runs until killed (SIGTERM).

    smtp_server.py --dir DIR [--starttls CERT KEY | --tls CERT KEY] [--auth USER:PASS]
                   [--reply-code N [--reply-at data|rcpt]]

  --starttls CERT KEY  offer STARTTLS and require it before MAIL (RFC 3207 §4)
  --tls CERT KEY       TLS from the first byte (smtps://)
  --auth USER:PASS     offer AUTH PLAIN and LOGIN (only once in TLS, when there is TLS) and
                       require it before MAIL
  --reply-code N       answer N instead of 250 to DATA (the end of the message) or to RCPT:
                       451 for "try later", 550 for "refused"

Each accepted message goes to DIR/message-NNNN/, a directory renamed into place once complete:
  raw.eml        the message as received after DATA (dot-stuffing undone, CRLF line ends)
  envelope.txt   "mail_from: ...", one "rcpt_to: ..." per recipient, "tls: yes|no",
                 "login: USER" when authenticated
  decoded.txt    the message as Python's email package reads it: "subject: ..." (RFC 2047
                 decoded), "from:", "to:", "date:", "message_id:", "auto_submitted:",
                 "structure: <content types, depth first>", "part-N: <type>; <charset>;
                 <transfer encoding>" for each leaf part, followed by "; filename=NAME" when
                 the part has a file name (an attachment)
  part-N.txt     the decoded content of leaf part N (1-based), UTF-8
A message refused by --reply-code is not written.
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import os
import ssl
import sys
import tempfile

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def reply_text(code):
    if 400 <= code < 500:
        return f"{code} 4.3.0 Try again later (test server)"
    if 500 <= code < 600:
        return f"{code} 5.7.1 Message refused (test server)"
    return f"{code} Test reply"


def one_line(value):
    return " ".join(str(value).split()) if value is not None else ""


class Recorder:
    """The aiosmtpd handler: accepts or refuses, and writes what it accepts."""

    def __init__(self, directory, reply_code, reply_at):
        self.directory = directory
        self.reply_code = reply_code
        self.reply_at = reply_at
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reply_code and self.reply_at == "rcpt":
            return reply_text(self.reply_code)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reply_code and self.reply_at == "data":
            return reply_text(self.reply_code)
        # Written before the 250 goes out: the client's "delivered" means it is on disk.
        self.write(server, session, envelope)
        return "250 2.0.0 OK: queued"

    def write(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        staging = tempfile.mkdtemp(prefix=".incoming-", dir=self.directory)

        def put(name, data):
            mode = "wb" if isinstance(data, bytes) else "w"
            kwargs = {} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""}
            with open(os.path.join(staging, name), mode, **kwargs) as out:
                out.write(data)

        put("raw.eml", raw)
        tls = server.transport.get_extra_info("ssl_object") is not None
        lines = [f"mail_from: {envelope.mail_from}"]
        lines += [f"rcpt_to: {rcpt}" for rcpt in envelope.rcpt_tos]
        lines.append(f"tls: {'yes' if tls else 'no'}")
        auth = session.auth_data
        if session.authenticated and isinstance(auth, LoginPassword):
            lines.append(f"login: {auth.login.decode('utf-8', 'replace')}")
        put("envelope.txt", "\n".join(lines) + "\n")

        message = email.message_from_bytes(raw, policy=email.policy.default)
        decoded = [
            f"subject: {one_line(message['Subject'])}",
            f"from: {one_line(message['From'])}",
            f"to: {one_line(message['To'])}",
            f"date: {one_line(message['Date'])}",
            f"message_id: {one_line(message['Message-ID'])}",
            f"auto_submitted: {one_line(message['Auto-Submitted'])}",
            "structure: " + " ".join(part.get_content_type() for part in message.walk()),
        ]
        leaves = [part for part in message.walk() if not part.is_multipart()]
        for number, part in enumerate(leaves, start=1):
            line = (f"part-{number}: {part.get_content_type()}; {part.get_content_charset()}; "
                    f"{one_line(part.get('Content-Transfer-Encoding'))}")
            filename = part.get_filename()
            if filename is not None:
                line += f"; filename={one_line(filename)}"
            decoded.append(line)
            put(f"part-{number}.txt", part.get_content())
        put("decoded.txt", "\n".join(decoded) + "\n")
        os.rename(staging, os.path.join(self.directory, f"message-{next(self.counter):04d}"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    tls_group = parser.add_mutually_exclusive_group()
    tls_group.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    tls_group.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASS")
    parser.add_argument("--reply-code", type=int, default=0)
    parser.add_argument("--reply-at", choices=("data", "rcpt"), default="data")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    handler = Recorder(args.dir, args.reply_code, args.reply_at)

    options = {"hostname": "localhost"}  # no getfqdn(): it may wait on DNS
    if args.starttls:
        options["tls_context"] = tls_context(*args.starttls)
        options["require_starttls"] = True
    if args.auth:
        user, _, password = args.auth.partition(":")
        expected = (user.encode(), password.encode())

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (auth_data.login,
                                                           auth_data.password) == expected
            # handled=False: aiosmtpd answers 235 or 535 itself.
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        options["authenticator"] = authenticator
        options["auth_required"] = True
        # With STARTTLS, AUTH only once in TLS. aiosmtpd 1.4 counts only STARTTLS as TLS (it
        # would refuse AUTH on --tls), and a plain server takes it in clear.
        options["auth_require_tls"] = bool(args.starttls)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    implicit_tls = tls_context(*args.tls) if args.tls else None
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, loop=loop, **options), host="127.0.0.1",
                           port=0, ssl=implicit_tls))
    print(server.sockets[0].getsockname()[1], flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
