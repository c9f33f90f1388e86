"""Is this mail really from the address in its `From:`? DKIM, SPF and DMARC as the relay saw them, or
our own DKIM check, and the envelope sender aligned with `From:`.

A message counts as authenticated only when both hold:

1. the receiving relay's `Authentication-Results` header — only one whose authserv-id is
   HELPDESK_MAIL_AUTHSERV_ID; the relay removes any such header a sender forged (RFC 8601) — says
   `dmarc=pass` for the From domain, `dkim=pass` with `header.d` of the From domain, or `spf=pass`
   with `smtp.mailfrom` of it; or, with HELPDESK_MAIL_DKIM_VERIFY, a DKIM signature of the From
   domain verifies here (`dkimpy`, which asks DNS for the key);
2. the envelope sender (SMTP `MAIL FROM`, or `Return-Path` of a polled mailbox) is of the From
   domain.

Domains align when equal or one is a subdomain of the other (DMARC's relaxed alignment, without
the public suffix list).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from email import policy
from email.parser import BytesHeaderParser
from typing import Any

from helpdesk.services.intake.mail import MailAuth

log = logging.getLogger(__name__)

DnsLookup = Callable[..., Any]
_RESULT = re.compile(r"(?i)\b(dmarc|dkim|spf)\s*=\s*([a-z]+)([^;]*)")
_PROP = re.compile(r"(?i)\b(header\.from|header\.d|header\.i|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)")


def domain_of(address: str) -> str:
    """The domain of an address, lower case, without angle brackets or a trailing dot."""
    return address.strip().strip("<>").rpartition("@")[2].rstrip(".").lower()


def aligned(a: str, b: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other."""
    if not a or not b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def trusted_results(headers: list[str], authserv_id: str) -> list[tuple[str, str, dict[str, str]]]:
    """(method, result, properties) from the Authentication-Results headers of `authserv_id`."""
    out: list[tuple[str, str, dict[str, str]]] = []
    if not authserv_id:
        return out
    for header in headers:
        text = " ".join(header.split())
        server = text.split(";", 1)[0].strip().split()[0].lower() if text.strip() else ""
        if server != authserv_id.lower():
            continue
        for method, result, rest in _RESULT.findall(text.split(";", 1)[1] if ";" in text else ""):
            props = {k.lower(): v.lower() for k, v in _PROP.findall(rest)}
            out.append((method.lower(), result.lower(), props))
    return out


class MailAuthenticator:
    """Decides whether a raw message is authenticated (see the module docstring)."""

    def __init__(
        self, authserv_id: str = "", *, dkim_verify: bool = False, dns: DnsLookup | None = None
    ) -> None:
        self.authserv_id = authserv_id.strip()
        self.dkim_verify = dkim_verify
        self.dns = dns

    def __call__(self, raw: bytes, from_addr: str, envelope_from: str) -> MailAuth:
        """The verdict for `raw`, whose From is `from_addr` and envelope sender `envelope_from`."""
        domain = domain_of(from_addr)
        if not domain:
            return MailAuth(False, "brak adresu nadawcy")
        envelope = domain_of(envelope_from)
        if not aligned(envelope, domain):
            return MailAuth(False, f"nadawca koperty ({envelope or 'pusty'}) nie należy do domeny {domain}")
        try:
            headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: 256 * 1024])
            results = trusted_results(
                [str(h) for h in headers.get_all("Authentication-Results", [])], self.authserv_id
            )
        except Exception:  # a header too broken to read proves nothing
            results = []
        for method, result, props in results:
            if result != "pass":
                continue
            if method == "dmarc" and aligned(props.get("header.from", ""), domain):
                return MailAuth(True, f"dmarc=pass ({self.authserv_id})")
            if method == "dkim" and aligned(
                props.get("header.d") or domain_of(props.get("header.i", "")), domain
            ):
                return MailAuth(True, f"dkim=pass ({self.authserv_id})")
            if method == "spf" and aligned(domain_of(props.get("smtp.mailfrom", "")), domain):
                return MailAuth(True, f"spf=pass ({self.authserv_id})")
        if self.dkim_verify:
            signer = self._dkim(raw)
            if signer and aligned(signer, domain):
                return MailAuth(True, f"dkim=pass (sprawdzone tutaj, d={signer})")
        return MailAuth(False, "brak potwierdzenia DKIM/SPF/DMARC dla domeny " + domain)

    def _dkim(self, raw: bytes) -> str | None:
        """The domain whose DKIM signature verifies, or None."""
        import dkim

        try:
            checker = dkim.DKIM(raw, logger=log)
            ok = checker.verify(dnsfunc=self.dns) if self.dns is not None else checker.verify()
        except Exception as err:  # dkimpy raises on malformed signatures and DNS trouble alike
            log.info("DKIM check failed: %s", err)
            return None
        domain = checker.domain
        return domain.decode("ascii", "replace").lower() if ok and domain else None
