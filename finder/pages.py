"""The finder's HTML pages: the search page, one printable page per offer, and the list of all offers by Gemeinde.

Every text from data or config goes through ``html.escape`` (also in attributes); links from data are checked
again (http/https, tel:, mailto:) however the database got them. No inline scripts, styles or event handlers: the
pages carry a Content-Security-Policy that allows only files of the site itself ('self').
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from finder.topics import Topic

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")  # fmt: skip
DISCLAIMER = "Angaben ohne Gewähr. Bitte fragen Sie vor einem Besuch beim Angebot nach, ob sich etwas geändert hat."
ACCESSIBLE = {"ja": "ja", "nein": "nein", "teilweise": "teilweise"}


@dataclass(frozen=True)
class Site:
    """What every page shows around its content (from the [finder] config and the database)."""

    title: str
    county: str
    intro: str
    logo: str | None  # file name in the site's root
    logo_alt: str
    impressum: str
    datenschutz: str
    kontakt: str
    stand: str  # "31.12.2023" or ""
    demo: bool
    attributions: tuple[str, ...]  # sources of boundaries and lists


def e(value: object) -> str:
    """Text for HTML content and attribute values (quotes escaped too)."""
    return escape("" if value is None else str(value), quote=True)


def safe_web_link(url: str) -> str | None:
    """An http(s) address as it may stand in href, or None."""
    parts = urlsplit(url or "")
    return url if parts.scheme in ("http", "https") and parts.netloc and not re.search(r"[\s<>\"'`]", url) else None


def phone_link(phone: str) -> str | None:
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if sum(c.isdigit() for c in digits) >= 3 else None


def mail_link(address: str) -> str | None:
    return f"mailto:{address}" if re.fullmatch(r"[^@\s<>\"'`]+@[^@\s<>\"'`]+\.[A-Za-z]{2,}", address or "") else None


def layout(site: Site, title: str, body: str, root: str = "", page: str = "") -> str:
    """A whole page: head with CSP, header with county and logo slot, ``body`` as main, footer with links."""
    logo = f'<img class="logo" src="{root}{e(site.logo)}" alt="{e(site.logo_alt)}">' if site.logo else ""
    demo = ('<p class="demo-note">Demodaten: Alle Angebote auf diesen Seiten sind erfunden.</p>' if site.demo else "")
    links = [f'<a href="{e(url)}">{label}</a>' for url, label in ((site.impressum, "Impressum"), (site.datenschutz, "Datenschutz")) if url]
    stand = f"Stand der Angaben: {e(site.stand)}. " if site.stand else ""
    sources = " · ".join(e(a) for a in site.attributions if a)
    return f"""<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<title>{e(title)}</title>
<link rel="icon" href="{root}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}finder.css">
<script src="{root}finder.js" defer></script>
</head>
<body data-page="{e(page)}" data-root="{e(root)}">
<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>
<header class="site-header">
<div class="wrap brand">{logo}<p class="brand-text"><a href="{root}index.html"><span class="county">{e(site.county)}</span>
<span class="site-title">{e(site.title)}</span></a></p></div>
{demo}
</header>
<main id="inhalt" class="wrap" tabindex="-1">
{body}
</main>
<footer class="site-footer">
<div class="wrap">
<p>{e(site.kontakt)}</p>
<p>{stand}{e(DISCLAIMER)}</p>
<nav aria-label="Rechtliches"><ul class="footer-links">{"".join(f"<li>{link}</li>" for link in links)}<li><a href="{root}verzeichnis.html">Alle Angebote nach Gemeinden</a></li></ul></nav>
<p class="sources">Quellen: {sources}. Karte: Leaflet (BSD-2-Clause).</p>
</div>
</footer>
</body>
</html>
"""


def index_page(site: Site, topics: list[Topic], examples: tuple[str, str]) -> str:
    """The search page: place and topic, the list (the primary view, filled by finder.js) and the map beside it."""
    options = "".join(f'<option value="{e(t.id)}">{e(t.label)}</option>' for t in topics)
    intro = f'<p class="intro">{e(site.intro)}</p>' if site.intro else ""
    body = f"""<h1>Angebote für Familien in Ihrer Nähe</h1>
{intro}
<form class="search" id="suche" action="index.html" method="get" role="search" aria-label="Angebote suchen" novalidate>
<div class="field">
<label for="ort">Ihr Wohnort oder Ihre Postleitzahl</label>
<input id="ort" name="ort" type="text" list="orte" autocomplete="off" inputmode="search" aria-describedby="ort-hinweis ort-fehler">
<datalist id="orte"></datalist>
<p id="ort-hinweis" class="hint">Zum Beispiel {" oder ".join(e(x) for x in examples if x)}</p>
<p id="ort-fehler" class="error" hidden></p>
</div>
<div class="field">
<label for="thema">Lebensphase oder Thema (freiwillig)</label>
<select id="thema" name="thema"><option value="">Alle Angebote</option>{options}</select>
</div>
<div class="field actions"><button type="submit">Angebote suchen</button></div>
</form>
<noscript><p class="notice">Die Suche braucht JavaScript. Ohne JavaScript finden Sie alle Angebote im
<a href="verzeichnis.html">Verzeichnis nach Gemeinden</a>.</p></noscript>
<div class="results-area">
<section class="results" aria-labelledby="ergebnis-titel">
<h2 id="ergebnis-titel" tabindex="-1">Ergebnisse</h2>
<p id="status" class="status" role="status">Geben Sie Ihren Wohnort oder Ihre Postleitzahl ein. Die Angebote
erscheinen dann nach Entfernung sortiert (Luftlinie).</p>
<ol id="liste" class="offer-list"></ol>
<p><button id="mehr" type="button" class="secondary" hidden>Weitere Angebote zeigen</button></p>
</section>
<section class="map-area" id="karte-bereich" aria-labelledby="karte-titel" hidden>
<h2 id="karte-titel" class="map-title">Karte</h2>
<p class="map-note">Die Karte zeigt die Angebote der Liste mit ihrer Nummer und Ihren Ort als Kreuz. Alle Angaben
stehen auch in der Liste.</p>
<div id="karte" class="map" aria-hidden="true"></div>
</section>
</div>
"""
    return layout(site, f"{site.title} – {site.county}", body, page="suche")


def offer_page(site: Site, offer: dict, type_label: str, phases: list[str], gemeinde: str) -> str:
    """One offer, printable and shareable: what, for whom, where, when, cost, contact, languages, barrier-free."""
    facts: list[tuple[str, str]] = []
    age = age_text(offer.get("alter_von"), offer.get("alter_bis"))  # the offer's own ages say more than its phases
    for_whom = e(age) if age else ", ".join(e(p) for p in phases)
    if for_whom:
        facts.append(("Für wen", for_whom))
    address = offer.get("address") or ""
    in_address = gemeinde and gemeinde.split(" (")[0] in address
    facts.append(("Wo", "<br>".join(x for x in (e(address), "" if in_address else f"Gemeinde {e(gemeinde)}") if x)))
    for label, key in (("Wann", "zeiten"), ("Kosten", "kosten"), ("Sprachen", "sprachen")):
        if offer.get(key):
            facts.append((label, e(offer[key])))
    if offer.get("barrierefrei") in ACCESSIBLE:
        facts.append(("Barrierefrei", ACCESSIBLE[offer["barrierefrei"]]))
    contact = contact_lines(offer)
    if contact:
        facts.append(("Kontakt", "<br>".join(contact)))
    if offer.get("traeger"):
        facts.append(("Träger", e(offer["traeger"])))
    rows = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    lead = f'<p class="lead">{e(offer["beschreibung"])}</p>' if offer.get("beschreibung") else ""
    lon, lat = float(offer["lon"]), float(offer["lat"])
    osm = f"https://www.openstreetmap.org/?mlat={lat:.5f}&amp;mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"
    body = f"""<p class="back"><a href="../index.html">Zurück zur Suche</a></p>
<article class="offer">
<p class="kicker">{e(type_label)}</p>
<h1>{e(offer["name"])}</h1>
{lead}
<dl class="facts">{rows}</dl>
<p class="offer-links"><a href="{osm}" rel="noopener noreferrer">Lage auf OpenStreetMap ansehen</a> (externe Seite)</p>
<p class="offer-actions"><button type="button" class="print-button secondary" hidden>Seite drucken</button></p>
</article>
"""
    return layout(site, f"{offer['name']} – {site.title} {site.county}", body, root="../", page="angebot")


def contact_lines(offer: dict) -> list[str]:
    """Contact person, telephone, e-mail and web address as HTML lines (links only where they are safe)."""
    lines = [e(offer["kontakt"])] if offer.get("kontakt") else []
    tel = phone_link(offer.get("telefon", ""))
    if tel:
        lines.append(f'Telefon: <a href="{e(tel)}">{e(offer["telefon"])}</a>')
    mail = mail_link(offer.get("email", ""))
    if mail:
        lines.append(f'E-Mail: <a href="{e(mail)}">{e(offer["email"])}</a>')
    web = safe_web_link(offer.get("webseite", ""))
    if web:
        lines.append(f'Webseite: <a href="{e(web)}" rel="noopener noreferrer">{e(web)}</a>')
    return lines


def age_text(von: object, bis: object) -> str:
    """'1 bis 6 Jahre', 'ab 60 Jahren', 'bis 3 Jahre' or ''."""
    def number(value: object) -> str | None:
        try:
            return None if value is None or value != value else f"{float(value):g}".replace(".", ",")
        except (TypeError, ValueError):
            return None

    low, high = number(von), number(bis)
    if low and high:
        return f"{low} bis {high} Jahre"
    if low:
        return f"ab {low} Jahren"
    return f"bis {high} Jahre" if high else ""


def directory_page(site: Site, groups: list[tuple[str, list[tuple[str, str, str]]]]) -> str:
    """Every public offer by Gemeinde (name, Angebotsart, link): the search page's content without JavaScript."""
    sections = []
    for gemeinde, offers in groups:
        items = "".join(f'<li><a href="angebot/{e(i)}.html">{e(name)}</a> <span class="type">({e(kind)})</span></li>'
                        for i, name, kind in offers)  # fmt: skip
        sections.append(f"<section><h2>{e(gemeinde)}</h2><ul>{items}</ul></section>")
    body = f"""<p class="back"><a href="index.html">Zur Suche nach Entfernung</a></p>
<h1>Alle Angebote nach Gemeinden</h1>
{"".join(sections) or "<p>Zurzeit sind keine Angebote veröffentlicht.</p>"}
"""
    return layout(site, f"Alle Angebote – {site.title} {site.county}", body, page="verzeichnis")
