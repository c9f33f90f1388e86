"""The pure mail parser against a corpus of real-looking messages (tests/fixtures/mail/*.eml)."""

from pathlib import Path

import pytest

from helpdesk.adapters.email.parser import clean_title, html_to_text, parse_mail, strip_quoted

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def load(name: str):
    return parse_mail((CORPUS / name).read_bytes())


def test_every_message_of_the_corpus_parses_without_error_and_has_a_sender():
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) >= 12
    for path in files:
        mail = parse_mail(path.read_bytes())
        assert "@" in mail.from_addr, path.name
        assert "\ufffd" not in mail.subject + mail.body, path.name


def test_an_rfc2047_utf8_subject_and_a_quoted_printable_body_come_out_as_polish_text():
    mail = load("01_utf8_quoted_printable.eml")
    assert mail.subject == "Nie mogę zalogować się do EZD – błąd hasła"
    assert "„Nieprawidłowe dane logowania”" in mail.body
    assert mail.message_id == "<20270303091244.A1@plock.example.pl>"
    assert mail.auto is None


def test_an_iso_8859_2_base64_message_keeps_its_diacritics():
    mail = load("02_iso8859-2_base64.eml")
    assert mail.subject == "Skaner nie wysyła dokumentów do EZD - pilne"
    assert mail.from_name == "Zofia Wiśniewska"
    assert "Żółta lampka miga." in mail.body


def test_a_windows_1250_eight_bit_message_keeps_its_diacritics():
    mail = load("03_windows-1250_8bit.eml")
    assert mail.subject == "Uprawnienia do składnicy akt – zastępstwo"
    assert mail.from_name == "Grzegorz Łęcki"
    assert "Małgorzaty Źrebiec" in mail.body


def test_a_raw_eight_bit_windows_1250_subject_is_repaired():
    mail = load("13_raw_8bit_header_cp1250.eml")
    assert mail.subject == "Błąd przy dekretacji pism"
    assert "zadekretować" in mail.body


def test_an_outlook_reply_loses_its_quoted_history_and_names_its_ticket():
    mail = load("04_outlook_reply.eml")
    assert mail.ticket_ref == 1
    assert mail.title == "Przyjęliśmy zgłoszenie: Nie mogę zalogować się do EZD – błąd hasła"
    assert mail.body.endswith("Jan Kowalski")
    assert "Wiadomość oryginalna" not in mail.body and "przyjęliśmy Twoje" not in mail.body
    assert mail.thread_ids[0] == "<hd.1.1.aaaaaaaaaaaa@localhost>"


def test_a_thunderbird_reply_loses_the_attribution_the_quote_and_the_signature():
    mail = load("05_thunderbird_reply.eml")
    assert mail.body == "Model skanera: Fujitsu fi-7160, sterownik z 2024 r.\nRestart nie pomógł."


def test_a_gmail_reply_keeps_only_the_new_words():
    assert load("06_gmail_reply.eml").body == "Dziękuję, działa!"


def test_a_forward_keeps_the_forwarded_message_and_drops_the_prefix_from_the_title():
    mail = load("07_forward.eml")
    assert mail.title == "Błąd UPO z ePUAP"
    assert "nie dostałam urzędowego poświadczenia odbioru" in mail.body


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("08_auto_reply_outlook.eml", "Auto-Submitted"),
        ("09_bounce.eml", "bounce"),
        ("10_bulk_newsletter.eml", "Precedence"),
    ],
)
def test_auto_replies_bounces_and_bulk_mail_are_recognised(name, reason):
    mail = load(name)
    assert mail.auto is not None and reason in mail.auto


def test_a_null_envelope_sender_marks_a_bounce_even_without_headers():
    mail = parse_mail(b"From: someone@example.pl\r\nSubject: hi\r\n\r\nbody\r\n", envelope_from="")
    assert mail.auto is not None and "bounce" in mail.auto


def test_x_auto_response_suppress_alone_marks_an_automatic_mail():
    raw = b"From: a@example.pl\r\nX-Auto-Response-Suppress: OOF\r\nSubject: x\r\n\r\nbody\r\n"
    assert parse_mail(raw).auto == "X-Auto-Response-Suppress"


def test_html_only_mail_becomes_clean_text_without_scripts_styles_or_markup():
    mail = load("11_html_only.eml")
    assert mail.html_only
    assert "podpis kwalifikowany – czytnik" in mail.body
    assert "czytnik ACS & karta Certum" in mail.body
    for bad in ("<", "alert", "font-family", "javascript", "tracker"):
        assert bad not in mail.body


def test_attachments_keep_their_rfc2231_and_rfc2047_names_and_bytes():
    mail = load("12_attachment.eml")
    names = [(a.filename, a.content_type) for a in mail.attachments]
    assert names == [("zrzut błędu.png", "image/png"), ("pismo żołnierza.pdf", "application/pdf")]
    assert mail.attachments[0].data.startswith(b"\x89PNG")
    assert mail.body == "W załączniku zrzut ekranu błędu drukowania UPO."


def test_attachments_over_the_limit_are_skipped_and_named():
    mail = parse_mail((CORPUS / "12_attachment.eml").read_bytes(), max_attachment_bytes=20)
    assert [a.filename for a in mail.attachments] == ["pismo żołnierza.pdf"]
    assert mail.skipped_attachments == ["zrzut błędu.png"]


def test_a_path_in_an_attachment_name_is_dropped():
    raw = (
        b"From: a@example.pl\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\r\n\r\nabc\r\n--b--\r\n'
    )
    assert parse_mail(raw).attachments[0].filename == "passwd"


def test_garbage_does_not_raise():
    mail = parse_mail(b"\x00\xff\xfe not a mail at all")
    assert mail.auto is not None  # no sender: treated as a bounce, never answered


def test_reply_prefixes_and_ticket_tags_are_removed_from_titles():
    assert clean_title("RE: Odp: [T-000042] PD: Fwd: Brak UPO") == "Brak UPO"
    assert clean_title("  ") == "Bez tematu"


def test_quoted_lines_after_an_english_attribution_are_stripped():
    text = "Thanks, fixed.\n\nOn Mon, 3 Mar 2027 at 10:00, Helpdesk <helpdesk@localhost> wrote:\n> old text"
    assert strip_quoted(text) == "Thanks, fixed."


def test_html_blockquotes_are_dropped_only_when_asked():
    markup = "<p>Nowe</p><blockquote>stare</blockquote>"
    assert html_to_text(markup, drop_quotes=True) == "Nowe"
    assert "stare" in html_to_text(markup)
