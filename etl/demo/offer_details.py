"""What a family needs to know about a demo offer: the finder's columns of the demo list (docs/FINDER.md).

Per Angebotsart plausible opening hours, costs, languages, accessibility, a contact for families, telephone, e-mail,
web address and two sentences of description, and for most offers an internal contact of the Träger for the planning
office (``kontakt_intern``, never published). Everything is invented: telephone numbers lie in the range the
Bundesnetzagentur keeps free for film and television (069 90009 000–999), e-mail and web addresses use the reserved
domain ``.example`` (RFC 2606), contacts are roles, not people; the internal contacts use invented surnames.

A few offers are "nein" in ``oeffentlich`` (nur intern): some Kindertagespflegepersonen who do not want their home
address published, and the Koordinierungsstelle Frühe Hilfen (a specialist office, not a place families go to).
Own random stream (SEED, 8, 1): the offers themselves stay as they are. The duplicate row keeps the details of the
row it copies (same id), so it stays an exact copy.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import fields

import numpy as np

from etl.demo.county import SEED
from etl.demo.offer_maker import OFFER_STREAM, Row

DETAIL_STREAM = 1  # third element of the seed
PHONE_PREFIX = "069 90009"  # kept free for film and television: no real line
DOMAIN = "musterland.example"
INTERNAL_TAGESPFLEGE_SHARE = 0.07  # Kindertagespflegepersonen without consent to publish their address
INTERNAL_NAMES = ("Koordinierungsstelle Frühe Hilfen",)
DETAIL_COLUMNS = [f.name for f in fields(Row)][15:]  # oeffentlich … kontakt_intern
SURNAMES = """Ahrens Becker Conrad Dietz Engel Fuchs Graf Hahn Imhof Jung Kraus Lorenz Maier Nagel Otto Pohl Roth Sauer
    Thiel Urban Vogt Wolf Zimmer Brandt Keller Schulte Seidel Winter""".split()
ROLES = ["Fachberatung", "Geschäftsführung", "Bereichsleitung", "Verwaltung", "Koordination"]
LANGUAGES = ["Englisch", "Türkisch", "Arabisch", "Russisch", "Ukrainisch", "Polnisch", "Französisch", "Rumänisch"]

# Angebotsart -> (contact for families, opening hours, costs, description; {ort}, {von}, {bis} filled in)
TEXTS = {
    "kita": ("Kita-Leitung", ["Mo–Fr 7:00–16:30 Uhr", "Mo–Fr 7:30–17:00 Uhr", "Mo–Do 7:00–16:00 Uhr, Fr 7:00–14:00 Uhr"],
             ["beitragsfrei ab 2 Jahren; Mittagessen 3,80 € am Tag", "beitragsfrei ab 2 Jahren; Mittagessen 4,10 € am Tag"],
             "Kindertageseinrichtung in {ort} für Kinder von {von} bis {bis} Jahren. Plätze vergibt die Kita; bitte "
             "melden Sie Ihr Kind früh an."),
    "kindertagespflege": ("Tagespflegeperson", ["Mo–Fr ab 7:00 Uhr nach Absprache", "Mo–Do 7:30–15:00 Uhr"],
                          ["Elternbeitrag nach Satzung des Landkreises"],
                          "Betreuung in kleiner Gruppe im Haushalt der Tagespflegeperson in {ort}, für Kinder unter "
                          "3 Jahren. Vermittlung auch über das Kreisjugendamt."),
    "grundschule": ("Sekretariat", ["Unterricht ab 8:00 Uhr; Betreuung bis 14:00 Uhr", "Ganztagsschule Mo–Do bis 16:00 Uhr"],
                    ["kostenfrei; Betreuung und Mittagessen mit Elternbeitrag"],
                    "Grundschule in {ort} für die Klassen 1 bis 4. Anmeldung im Frühjahr vor dem Schulbeginn."),
    "weiterfuehrende_schule": ("Sekretariat", ["Sekretariat Mo–Fr 7:30–13:00 Uhr"], ["kostenfrei"],
                               "Weiterführende Schule in {ort}. Beratung zum Schulwechsel nach Absprache."),
    "foerderschule": ("Sekretariat", ["Sekretariat Mo–Fr 7:30–13:00 Uhr"], ["kostenfrei; Schülerbeförderung durch den Landkreis"],
                      "Förderschule für Kinder und Jugendliche mit besonderem Förderbedarf. Beratung für Eltern nach "
                      "Absprache."),
    "berufliche_schule": ("Sekretariat", ["Sekretariat Mo–Fr 7:30–15:00 Uhr"], ["kostenfrei"],
                          "Berufsbildende Schule: Ausbildung, Fachschulen und Wege zu einem Schulabschluss."),
    "schulsozialarbeit": ("Schulsozialarbeit", ["an Schultagen 8:00–13:00 Uhr und nach Absprache"], ["kostenfrei"],
                          "Ansprechpartner an der Schule bei Streit, Sorgen und Fragen, für Schülerinnen, Schüler und "
                          "Eltern. Vertraulich."),
    "familienzentrum": ("Team des Familienzentrums", ["Mo–Fr 8:00–16:00 Uhr, offenes Café Di 15:00–17:00 Uhr"],
                        ["kostenfrei, einzelne Kurse mit Beitrag"],
                        "Treffpunkt für Familien in {ort}: Beratung, Eltern-Kind-Gruppen, Kurse und offenes Café."),
    "familienbildung": ("Anmeldung", ["Kurse am Vormittag und am Abend, siehe Programm"],
                        ["25–60 € je Kurs, Ermäßigung möglich"],
                        "Kurse und Treffen für Eltern, etwa zu Erziehung, Ernährung und Medien."),
    "erziehungsberatung": ("Beratungsteam", ["Mo–Do 9:00–17:00 Uhr, Fr 9:00–13:00 Uhr, Termine nach Vereinbarung"],
                           ["kostenfrei und vertraulich"],
                           "Beratung für Eltern, Kinder und Jugendliche bei Fragen zur Erziehung, bei Trennung und in "
                           "Krisen. Vertraulich und kostenfrei."),
    "fruehe_hilfen": ("Frühe Hilfen", ["Termine nach Vereinbarung"], ["kostenfrei"],
                      "Unterstützung für werdende Eltern und Familien mit Babys und Kleinkindern."),
    "schwangerschaftsberatung": ("Beratungsteam", ["Mo–Fr 9:00–12:00 Uhr, Termine nach Vereinbarung"],
                                 ["kostenfrei und vertraulich, auf Wunsch anonym"],
                                 "Beratung rund um Schwangerschaft und Geburt, zu Geld und Hilfen. Auch "
                                 "Schwangerschaftskonfliktberatung."),
    "jugendtreff": ("Team des Jugendtreffs", ["Di–Fr 15:00–20:00 Uhr", "Mo, Mi, Fr 16:00–21:00 Uhr"], ["kostenfrei"],
                    "Offener Treffpunkt für Jugendliche von {von} bis {bis} Jahren in {ort}: Freizeit, Gespräche, "
                    "Projekte."),
    "jugendberufshilfe": ("Beratungsteam", ["Mo–Fr 8:30–16:00 Uhr"], ["kostenfrei"],
                          "Hilfe beim Übergang von der Schule in Ausbildung und Beruf."),
    "mehrgenerationenhaus": ("Team des Hauses", ["Mo–Fr 9:00–18:00 Uhr"], ["meist kostenfrei, einzelne Kurse mit Beitrag"],
                             "Offener Treffpunkt für Jung und Alt: Café, Kurse, Nachbarschaftshilfe."),
    "pflegeberatung": ("Pflegeberatung", ["Mo–Fr 9:00–12:00 Uhr, Hausbesuche nach Vereinbarung"], ["kostenfrei"],
                       "Beratung für ältere Menschen und Angehörige zu Pflege, Hilfen im Alltag und Wohnen."),
    "sozialraumzentrum": ("Team des Sozialraumzentrums", ["Mo–Fr 8:30–12:00 Uhr, Do auch 14:00–17:00 Uhr"],
                          ["kostenfrei"], "Anlaufstelle des Kreisjugendamts vor Ort: Beratung und Hilfen für Familien."),
    "familienbuero": ("Familienbüro", ["Mo–Fr 8:00–12:00 Uhr, Do 14:00–18:00 Uhr"], ["kostenfrei"],
                      "Erste Anlaufstelle für alle Fragen von Familien: Angebote, Anträge, Hilfen."),
}  # fmt: skip
GENERIC = ("Ansprechpartner", ["nach Vereinbarung"], ["bitte erfragen"], "Angebot für Familien in {ort}.")
HOSTILE_DESCRIPTION = "Test: {{7*7}} <script>alert(1)</script> – muss genau so als Text erscheinen."


def add_details(rows: list[Row]) -> None:
    """Fill the finder's columns of every row in place (the duplicate gets those of the row it copies)."""
    from etl.offers_taxonomy import type_by_label  # as in offer_maker.rows: the taxonomy only when writing

    rng = np.random.default_rng([SEED, OFFER_STREAM, DETAIL_STREAM])
    first: dict[str, Row] = {}
    labels = type_by_label()
    for k, row in enumerate(rows):
        if row.id in first:
            for column in DETAIL_COLUMNS:
                setattr(row, column, getattr(first[row.id], column))
            continue
        first[row.id] = row
        _fill(row, labels.get(row.angebotsart.strip().lower()), rng, k)


def _fill(row: Row, type_id: str | None, rng: np.random.Generator, k: int) -> None:
    def pick(options: list[str]) -> str:
        return options[int(rng.integers(len(options)))]

    contact, times, costs, text = TEXTS.get(type_id or "", GENERIC)
    private = type_id == "kindertagespflege"
    internal = row.name in INTERNAL_NAMES or (private and rng.random() < INTERNAL_TAGESPFLEGE_SHARE)
    row.oeffentlich = "nein" if internal else "ja"
    row.kontakt, row.zeiten, row.kosten = contact, pick(times), pick(costs)
    row.telefon = f"{PHONE_PREFIX} {k % 1000:03d}"
    slug = _slug(row.name)
    row.email = f"{slug[:40]}@{DOMAIN}"
    row.webseite = "" if private else f"https://www.{DOMAIN}/familie/{slug}"
    extra = [x for x in LANGUAGES if rng.random() < (0.25 if type_id in ("erziehungsberatung", "familienzentrum") else 0.07)]
    row.sprachen = ", ".join(["Deutsch", *extra])
    row.barrierefrei = pick(["ja", "ja", "teilweise", "nein", ""])
    von, bis = row.alter_von, row.alter_bis
    row.beschreibung = text.format(ort=row.ort or "Musterland", von=von if von is not None else 0,
                                   bis=bis if bis is not None else 99)  # fmt: skip
    if "<" in row.name:  # the HTML row: its description tries templates and scripts too
        row.beschreibung = HOSTILE_DESCRIPTION
    if rng.random() < 0.6:
        surname, role = pick(SURNAMES), pick(ROLES)
        row.kontakt_intern = f"{pick(['Frau', 'Herr'])} {surname} ({role}), Durchwahl -{2000 + k} – nur für die Planung"


def _slug(name: str) -> str:
    """'Kath. Kita St. Martin' -> 'kath-kita-st-martin' (umlauts spelled out, nothing else kept)."""
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "angebot"
