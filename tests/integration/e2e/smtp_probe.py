#!/usr/bin/env python3
"""smtp_probe.py -- one SMTP client session for the end-to-end tests.

Connects to 127.0.0.1:PORT from SOURCE (bound first: 127.0.0.0/8 is all
local on Linux, so 127.0.0.2 is a client address like any other), says
EHLO, MAIL FROM and RCPT TO, then QUIT, and prints one line per step:

    connect 220 mail.e2e.test ESMTP
    ehlo 250 mail.e2e.test
    mail 250 2.1.0 Ok
    rcpt 554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using ...

A multi-line reply is joined with spaces.  A step the server ended (or a
timeout) prints `STEP error ...`.  Exit status 0 unless the connection
itself failed.
"""
import argparse
import smtplib
import socket
import sys


def say(step, code, msg):
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    print(f"{step} {code} {' '.join(msg.split())}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--source", default="127.0.0.1")
    ap.add_argument("--helo", default="client.e2e.test")
    ap.add_argument("--sender", default="sender@client.e2e.test")
    ap.add_argument("--rcpt", default="postmaster@e2e.test")
    ap.add_argument("--timeout", type=float, default=20)
    a = ap.parse_args()

    s = smtplib.SMTP(timeout=a.timeout, source_address=(a.source, 0))
    try:
        code, msg = s.connect("127.0.0.1", a.port)
    except (OSError, smtplib.SMTPException) as e:
        print(f"connect error {e}", flush=True)
        return 1
    say("connect", code, msg)
    steps = (
        ("ehlo", lambda: s.ehlo(a.helo)),
        ("mail", lambda: s.mail(a.sender)),
        ("rcpt", lambda: s.rcpt(a.rcpt)),
    )
    for step, call in steps:
        try:
            code, msg = call()
        except (OSError, smtplib.SMTPException) as e:
            print(f"{step} error {e}", flush=True)
            break
        say(step, code, msg)
    try:
        s.quit()
    except (OSError, smtplib.SMTPException):
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
