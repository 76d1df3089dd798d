"""Reading e-Kinerja's pages as a browser does, for the rush's locustfile: the fields of a form,
and the messages Django attached to a response. Standard library only, so that the tests can
check it against the real app without importing locust (which must not run inside Django)."""

from __future__ import annotations

import base64
import json
import zlib
from html.parser import HTMLParser

SUCCESS = 25  # django.contrib.messages.SUCCESS


class _Formulir(HTMLParser):
    """The fields of every <form> of a page as a browser would submit them: inputs with their
    value (checkboxes and radios only when checked), textareas, selects (the selected option)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {"id": a.get("id", ""), "action": a.get("action") or "", "fields": {}, "radios": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            jenis = (a.get("type") or "text").lower()
            if jenis == "radio":
                self._form["radios"].setdefault(a["name"], []).append(a.get("value", ""))
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "")
            elif jenis == "checkbox":
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "on")
            elif jenis not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self._form["fields"][self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def formulir(html: str, *, id: str = "", action: str = "") -> dict | None:
    """The form with this id, or the first whose action is `action` ("" = the page itself)."""
    p = _Formulir()
    p.feed(html)
    for f in p.forms:
        if (id and f["id"] == id) or (not id and f["action"] == action):
            return f
    return None


def pesan_dari(response) -> list[tuple[int, str]]:
    """The messages Django set on this response (its `messages` cookie: signed, not encrypted;
    the payload is base64 JSON, zlib-compressed when it starts with a dot). A redirect carrying a
    success message is the server's acknowledgement: the service committed before the message."""
    nilai = response.cookies.get("messages")
    nilai = getattr(nilai, "value", nilai)  # requests gives the value, Django's test client a Morsel
    if not nilai:
        return []
    payload = nilai.strip('"').split(":", 1)[0]  # value:timestamp:signature (TimestampSigner)
    terkompres = payload.startswith(".")
    data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    if terkompres:
        data = zlib.decompress(data)
    return [(m[2], m[3]) for m in json.loads(data) if isinstance(m, list) and len(m) >= 4]


def berhasil(response) -> bool:
    """A redirect carrying a success message: the write was committed (the services commit
    before the view adds its message)."""
    return response.status_code == 302 and any(level == SUCCESS for level, _ in pesan_dari(response))
