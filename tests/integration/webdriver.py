#!/usr/bin/env python3
"""webdriver.py -- drive dnsbl-web's page in headless Chromium (stdlib only).

Speaks W3C WebDriver over HTTP to Debian's chromedriver (no npm, no
download: the system browser).  It opens the page, looks up each item
given, submits a removal request for the first one, and for each step
prints what a person reads on the page (the visible text of the result)
and saves a screenshot.

usage: webdriver.py PAGE_URL SHOT_DIR REQUEST_ITEM ITEM...
Prints "STEP NAME" then the visible text, one block per step.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Driver:
    """A chromedriver process and one browser session."""

    def __init__(self, log):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["chromedriver", "--port=%d" % self.port],
            stdout=log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % self.port
        deadline = time.time() + 15
        while True:
            try:
                if self.call("GET", "/status")["value"].get("ready"):
                    break
            except (OSError, ValueError):
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=900,1000",
                         "--no-first-run", "--disable-extensions",
                         "--user-data-dir=" + os.environ.get(
                             "WD_PROFILE", "/tmp/wd-profile")]}}}}
        self.sid = self.call("POST", "/session", caps)["value"]["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return json.loads(res.read())
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s %s: %s" % (method, path, e.read()[:300]))

    def s(self, method, path, body=None):
        return self.call(method, "/session/" + self.sid + path, body)["value"]

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def find(self, css):
        return self.s("POST", "/element",
                      {"using": "css selector", "value": css})[ELEMENT]

    def type(self, css, text):
        e = self.find(css)
        self.s("POST", "/element/%s/clear" % e, {})
        self.s("POST", "/element/%s/value" % e, {"text": text})

    def click(self, css):
        self.s("POST", "/element/%s/click" % self.find(css), {})

    def text(self, css):
        return self.s("GET", "/element/%s/text" % self.find(css))

    def wait_text(self, css, want_change_from, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.text(css)
            if t and t != want_change_from:
                return t
            time.sleep(0.1)
        return self.text(css)

    def shot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def main():
    url, shots, request_item, items = (sys.argv[1], sys.argv[2], sys.argv[3],
                                       sys.argv[4:])
    os.makedirs(shots, exist_ok=True)
    with open(os.path.join(shots, "chromedriver.log"), "w") as log:
        d = Driver(log)
        try:
            d.go(url)
            print("STEP page")
            print(d.text("main"))
            d.shot(os.path.join(shots, "0-page.png"))
            last = ""
            for n, item in enumerate(items, 1):
                d.type("#q", item)
                d.click("#go")
                last = d.wait_text("#result", last)
                print("STEP lookup " + item)
                print(last)
                shown = d.s("POST", "/execute/sync", {
                    "script": "return !document.getElementById('removal')"
                              ".hidden;", "args": []})
                print("STEP removal-form-shown %s" % shown)
                d.shot(os.path.join(shots, "%d-lookup-%s.png" % (
                    n, item.replace(":", "_"))))
            # A removal request for the first item.
            d.type("#q", request_item)
            d.click("#go")
            last = d.wait_text("#result", last)
            d.type("#r-contact", "postmaster@mail.example")
            d.type("#r-message", "We closed the open relay on this host.")
            d.click("#send")
            print("STEP request " + request_item)
            print(d.wait_text("#request-result", ""))
            d.shot(os.path.join(shots, "%d-request.png" % (len(items) + 1)))
            # Looked up again: gone at once where self-service is allowed.
            d.click("#go")
            print("STEP after-request " + request_item)
            print(d.wait_text("#result", last))
            d.shot(os.path.join(shots, "%d-after.png" % (len(items) + 2)))
        finally:
            d.quit()


if __name__ == "__main__":
    main()
