"""Which offers the demo county "Landkreis Musterland (Demodaten)" has: the model behind its offer list.

The model, per Gemeinde of the demo county and its 2023 population:
- Kitas in nearly every Gemeinde with more than 400 inhabitants, places ≈ 0.7–0.95 × children aged 1 to 6; in the
  poorer Sozialraum (that of Altenmühl, POORER_TOWN in etl/demo/county.py) only ≈ 0.45–0.6 and its three
  smallest Kita-worthy villages have none; the largest village of the young Sozialraum is clearly under-supplied
  (0.4, a new-build suburb) and the smallest Kita-worthy village of the ageing one has none
- Kindertagespflege spread with the children under 3; Grundschulen in the towns, the Verbandsgemeinde seats and
  the larger villages, places ≈ 1.1 × the children 6 to 10 of their catchment; weiterführende, Förder- and
  berufliche Schulen in the towns; Schulsozialarbeit at the schools of the towns and seats
- counselling, family and youth services in the towns and seats, thinner in the poorer Sozialraum; one
  Sozialraumzentrum per Sozialraum except the ageing one
- a few deliberately faulty rows (etl/demo/offer_maker.py) for the import report
- what a family needs to know in the public finder, a few offers "nur intern" (etl/demo/offer_details.py)

offer_list returns the rows; etl/demo/offer_files.py writes them as Excel and CSV.
"""
from __future__ import annotations

import math

import numpy as np

from etl.demo.county import TOWN_NAMES, County
from etl.demo.offer_details import add_details
from etl.demo.offer_maker import Offer, OfferMaker, Place, Row
from etl.demo.offer_names import (
    AWO, CARITAS, DIAKONIE, DRK, FBW, FREE_TRAEGER, JUGENDAMT, KITA_NAMES, KITA_TRAEGER_TOWN, KITA_TRAEGER_VILLAGE,
    KREIS, LEBENSHILFE, PARISHES, PFLEGE_NAMES, TOWN_SCHOOL_NAMES,
)  # fmt: skip

KITA_MIN_INHABITANTS = 400


class DemoOffers(OfferMaker):
    """The offers of the demo county, added in a fixed order (the random stream depends on it)."""

    # ------------------------------------------------------------ Betreuung
    def kitas(self) -> None:
        eligible = [p for p in self.places if p.total > KITA_MIN_INHABITANTS]
        villages = [p for p in eligible if p.role == "village"]
        poorer = sorted((p for p in villages if p.g.sozialraum == self.poorer), key=lambda p: (p.total, p.g.ags))
        ageing = sorted((p for p in villages if p.g.sozialraum == self.ageing), key=lambda p: (p.total, p.g.ags))
        without = {p.g.ags for p in poorer[:3] + ageing[:1]}
        suburb = max((p for p in villages if p.g.sozialraum == self.young), key=lambda p: p.total)
        self.suburb = suburb.g.ags
        for place in eligible:
            if place.g.ags in without:
                continue
            if place.g.sozialraum == self.poorer:
                factor = self.rng.uniform(0.45, 0.6)
            elif place is suburb:
                factor = 0.4
            else:
                factor = self.rng.uniform(0.7, 0.95)
            places_total = factor * place.children_1_6
            n = max(1, math.ceil(places_total / (80 if place.town else 70)))
            shares = self.rng.dirichlet(np.full(n, 6.0))
            used: set[str] = set()
            for share in shares:
                capacity = max(15, 5 * round(places_total * share / 5))
                self._kita(place, capacity, used)

    def _kita(self, place: Place, capacity: int, used: set[str]) -> None:
        weights = KITA_TRAEGER_TOWN if place.town else KITA_TRAEGER_VILLAGE
        kinds, p = list(weights), np.array(list(weights.values())) / sum(weights.values())
        free: list[str] = []
        while not free:
            kind = kinds[int(self.rng.choice(len(kinds), p=p))]
            free = [n for n in KITA_NAMES[kind] if n not in used]
        name = self.choice(free)
        used.add(name)
        patron = name.split(" ", 2)[-1]  # "Kath. Kita St. Martin" -> "St. Martin"
        traeger = {
            "kommunal": place.municipality,
            "kath": CARITAS if place.town else f"Kath. Kirchengemeinde {patron}, {place.g.name}",
            "ev": DIAKONIE if place.town else f"Ev. Kirchengemeinde {place.g.name}",
            "awo": AWO, "drk": DRK, "lebenshilfe": LEBENSHILFE, "frei": FREE_TRAEGER.get(name, ""),
        }[kind]  # fmt: skip
        if place.town and kind == "kommunal" and name.startswith("Kita ") and self.rng.random() < 0.25:
            name, art, alter = name.replace("Kita", "Kinderkrippe"), "Krippe", (0, 3)
        else:
            art = "Kindergarten" if "Kindergarten" in name else self.choice(["Kita", "Kita", "Kindertagesstätte"])
            alter = (1, 6)
        self.add("kita", place, name, art, traeger, kapazitaet=int(capacity), alter=alter,
                 since=self.date(1965, 2022, 8))  # fmt: skip

    def tagespflege(self, n: int = 90) -> None:
        # spread with the children under 3, thinner in the poorer Sozialraum (fewer parents look for care there)
        weights = np.array([p.u3 * (0.6 if p.g.sozialraum == self.poorer else 1.0) for p in self.places])
        chosen = self.rng.choice(len(self.places), size=n, p=weights / weights.sum())
        used: dict[str, set[str]] = {}
        for i in sorted(chosen):
            place = self.places[int(i)]
            taken = used.setdefault(place.g.ags, set())
            nick = self.choice([x for x in PFLEGE_NAMES if x not in taken])
            taken.add(nick)
            if self.rng.random() < 0.15:
                name, capacity = f"Großtagespflege {nick}", int(self.rng.integers(8, 11))
            else:
                name, capacity = f"Kindertagespflege {nick}", int(self.choice([5, 5, 5, 5, 5, 4, 3]))
            art = self.choice(["Kindertagespflege", "Kindertagespflege", "Tagespflege"])
            self.add("kindertagespflege", place, name, art, "Kindertagespflegeperson (selbstständig)",
                     kapazitaet=capacity, alter=(0, 3), since=self.date(2008, 2023))  # fmt: skip

    # ------------------------------------------------------------ Schulen
    def schools(self) -> dict[str, list[Offer]]:
        """Grundschulen, weiterführende, Förder- and berufliche Schulen; returns the schools per Gemeinde key."""
        schools: dict[str, list[Offer]] = {}
        n_by_place = {}
        for p in self.places:
            if p.role == "kreisstadt":
                n_by_place[p.g.ags] = 6
            elif p.town:
                n_by_place[p.g.ags] = 3
            elif p.role == "seat" or p.total >= 1_000 or (p.total >= 800 and self.rng.random() < 0.4):
                n_by_place[p.g.ags] = 1
        # catchment: every Gemeinde without a school goes to the nearest school place of its Verbandsgemeinde
        catchment = {ags: 0 for ags in n_by_place}
        for p in self.places:
            if p.g.ags in n_by_place:
                catchment[p.g.ags] += p.children_6_10
                continue
            options = [q for q in self.places if q.g.ags in n_by_place and q.g.ars[:9] == p.g.ars[:9]]
            nearest = min(options, key=lambda q: np.linalg.norm(q.centre - p.centre))
            catchment[nearest.g.ags] += p.children_6_10
        for p in self.places:
            n = n_by_place.get(p.g.ags, 0)
            names = [f"Grundschule {p.g.name}"] if n == 1 else list(self.rng.permutation(TOWN_SCHOOL_NAMES)[:n])
            traeger = p.municipality if p.town else f"Verbandsgemeinde {p.seat.name}"
            for name in names:
                capacity = max(50, 25 * math.ceil(1.1 * catchment[p.g.ags] / n / 25))
                street = "Schulstraße" if n == 1 else None
                offer = self._school("grundschule", p, name, "Grundschule", traeger, capacity, (6, 10), street)
                schools.setdefault(p.g.ags, []).append(offer)
        kreisstadt, bad, alt = (self.place(n) for n in TOWN_NAMES)
        secondary = [
            (kreisstadt, "Kreisgymnasium Musterstadt", "Gymnasium", 1_050, (10, 19)),
            (kreisstadt, "Gymnasium am Schlossberg", "Gymnasium", 850, (10, 19)),
            (kreisstadt, "Realschule plus Musterstadt", "Realschule Plus", 620, (10, 16)),
            (kreisstadt, "Integrierte Gesamtschule Musterstadt", "Integrierte Gesamtschule", 1_100, (10, 19)),
            (kreisstadt, "Freie Waldorfschule Musterland", "Waldorfschule", 380, (6, 19)),
            (bad, "Gymnasium Bad Quellenbrunn", "Gymnasium", 900, (10, 19)),
            (bad, "Realschule plus am Kurpark", "Realschule Plus", 540, (10, 16)),
            (alt, "Realschule plus Altenmühl", "Realschule Plus", 580, (10, 16)),
        ]  # fmt: skip
        for seat in self.in_role("seat"):
            if seat.g.sozialraum in (self.ageing, self.poorer) and seat is self.head(seat.g.sozialraum):
                secondary.append((seat, f"Realschule plus {seat.g.name}", "Realschule Plus", 450, (10, 16)))
        for place, name, art, capacity, alter in secondary:
            traeger = "Freie Waldorfschule Musterland e. V." if art == "Waldorfschule" else KREIS
            schools.setdefault(place.g.ags, []).append(
                self._school("weiterfuehrende_schule", place, name, art, traeger, capacity, alter, None))
        special = [
            ("foerderschule", kreisstadt, "Pestalozzischule (Förderschule Lernen)", "Förderschule", KREIS, (6, 16)),
            ("foerderschule", alt, "Schule am Mühlbach (Förderschwerpunkt ganzheitliche Entwicklung)", "Förderschule",
             LEBENSHILFE, (6, 18)),
            ("berufliche_schule", kreisstadt, "Berufsbildende Schule Musterstadt", "Berufsbildende Schule", KREIS,
             (16, 25)),
            ("berufliche_schule", bad, "Berufsbildende Schule Bad Quellenbrunn – Wirtschaft und Gesundheit",
             "Berufsbildende Schule", KREIS, (16, 25)),
        ]  # fmt: skip
        for type_id, place, name, art, traeger, alter in special:
            schools[place.g.ags].append(self._school(type_id, place, name, art, traeger, None, alter, None))
        return schools

    def _school(self, type_id, place, name, art, traeger, capacity, alter, street) -> Offer:
        return self.add(type_id, place, name, art, traeger, kapazitaet=capacity, alter=alter,
                        since=self.date(1960, 2005, 8), street=street)  # fmt: skip

    def school_social_work(self, schools: dict[str, list[Offer]]) -> None:
        traeger = [CARITAS, DIAKONIE, AWO, JUGENDAMT]
        k = 0
        for place in self.places:
            for school in schools.get(place.g.ags, []):
                if school.type_id == "grundschule" and place.role not in ("kreisstadt", "stadt", "seat"):
                    continue
                name = school.row.name
                preposition = "am" if name.split()[0].lower().endswith("gymnasium") else "an der"
                self.add("schulsozialarbeit", place, f"Schulsozialarbeit {preposition} {name}", "Schulsozialarbeit",
                         traeger[k % len(traeger)], alter=(school.row.alter_von, school.row.alter_bis),
                         since=self.date(2009, 2023, 8), at=school)  # fmt: skip
                k += 1

    # ------------------------------------------------------------ Beratung, Familie, Jugend, Senioren
    def services(self) -> None:
        kreisstadt, bad, alt = (self.place(n) for n in TOWN_NAMES)
        seats = self.in_role("seat")
        outside_poorer = [s for s in seats if s.g.sozialraum != self.poorer]
        ageing_head = self.head(self.ageing)
        add = self.add
        # Familienzentren: 3 in the Kreisstadt, 2 in Bad Quellenbrunn, 1 in Altenmühl, 1 per seat outside the poorer
        # Sozialraum
        centres = [
            (kreisstadt, "Kinder- und Familienzentrum Regenbogen", "Kinder- und Familienzentrum", AWO),
            (kreisstadt, "Familienzentrum St. Elisabeth", "Familienzentrum", CARITAS),
            (kreisstadt, "Familienzentrum Nordstadt", "Familienzentrum", kreisstadt.municipality),
            (bad, "Familienzentrum Arche", "Familienzentrum", DIAKONIE),
            (bad, "Familienzentrum am Kurpark", "Familienzentrum", bad.municipality),
            (alt, "Familienzentrum Altenmühl", "Familienzentrum", alt.municipality),
        ]  # fmt: skip
        centres += [(s, f"Familienzentrum {s.g.name}", "Familienzentrum", self.vg(s)) for s in outside_poorer]
        for place, name, art, traeger in centres:
            add("familienzentrum", place, name, art, traeger, alter=(0, 10), since=self.date(2008, 2021))
        # Familienbildung: Familienbildungsstätte, Außenstellen, Elternkurse in the seats, parish groups in villages
        add("familienbildung", kreisstadt, "Familienbildungsstätte Haus der Familie", "Familienbildungsstätte", FBW)
        add("familienbildung", bad, "Ev. Familienbildung Bad Quellenbrunn", "Familienbildung", DIAKONIE)
        add("familienbildung", alt, "Familienbildung Außenstelle Altenmühl", "Familienbildung", FBW)
        for s in outside_poorer:
            add("familienbildung", s, f"Elternkurs „Gelassen durch die Pubertät“ {s.g.name}", "Elternkurs", FBW,
                alter=(10, 16), since=self.date(2021, 2023))  # fmt: skip
        for p in self.in_role("village"):
            if p.total >= 500 and self.rng.random() < 0.3:
                parish = self.choice([f"Ev. Kirchengemeinde {p.g.name}",
                                      f"Kath. Pfarrei {self.choice(PARISHES)}, {p.g.name}"])  # fmt: skip
                add("familienbildung", p, f"Eltern-Kind-Gruppe {p.g.name}", "Familienbildung", parish, alter=(0, 3))
        # Erziehungsberatung: two offices, office hours in Altenmühl and in the ageing Sozialraum
        counselling = [
            (kreisstadt, "Psychologische Beratungsstelle für Eltern, Kinder und Jugendliche",
             "Erziehungs- und Familienberatung", CARITAS),
            (bad, "Erziehungs- und Familienberatung der Diakonie", "Erziehungsberatung", DIAKONIE),
            (alt, "Außensprechstunde Erziehungsberatung Altenmühl", "Erziehungsberatung", CARITAS),
            (ageing_head, f"Außensprechstunde Familienberatung {ageing_head.g.name}", "Familienberatung", DIAKONIE),
        ]  # fmt: skip
        for place, name, art, traeger in counselling:
            add("erziehungsberatung", place, name, art, traeger, alter=(0, 27))
        # Frühe Hilfen
        add("fruehe_hilfen", kreisstadt, "Koordinierungsstelle Frühe Hilfen", "Frühe Hilfen", JUGENDAMT, alter=(0, 3))
        add("fruehe_hilfen", kreisstadt, "Babylotsen am Kreisklinikum Musterstadt", "Babylotsen", DRK, alter=(0, 1),
            since="2019-04-01", until="2025-12-31")  # fmt: skip
        add("fruehe_hilfen", bad, "Familienhebammen Musterland", "Familienhebamme", DRK, alter=(0, 1))
        for s in seats:
            if s.g.sozialraum not in (self.poorer, self.ageing):
                add("fruehe_hilfen", s, f"Eltern-Baby-Café {s.g.name}", "Frühe Hilfen", AWO, alter=(0, 1))
            elif s.g.sozialraum == self.ageing:  # outreach: becomes the row without coordinates
                add("fruehe_hilfen", s, f"Willkommensbesuche für Neugeborene, VG {s.g.name} (aufsuchend)",
                    "Frühe Hilfen", JUGENDAMT, alter=(0, 1))  # fmt: skip
        # Schwangerschaftsberatung
        add("schwangerschaftsberatung", kreisstadt, "Schwangerschaftsberatung der Diakonie", "Schwangerschaftsberatung",
            DIAKONIE)  # fmt: skip
        add("schwangerschaftsberatung", kreisstadt, "Kath. Beratungsstelle für Schwangerschaftsfragen",
            "Schwangerschaftsberatung", CARITAS)  # fmt: skip
        add("schwangerschaftsberatung", bad, "Schwangerschafts- und Schwangerschaftskonfliktberatung",
            "Schwangerschaftskonfliktberatung", AWO)  # fmt: skip
        # Jugend: Jugendtreffs in the towns and seats, Jugendräume in some villages (fewer in the poorer Sozialraum)
        youth = [
            (kreisstadt, "Jugendzentrum Musterstadt (JuZ)", "Jugendzentrum", kreisstadt.municipality),
            (kreisstadt, "Jugendtreff Nordstadt", "Jugendtreff", AWO),
            (kreisstadt, "Jugendcafé am Bahnhof", "Offene Jugendarbeit", DIAKONIE),
            (bad, "Jugendhaus Bad Quellenbrunn", "Jugendzentrum", bad.municipality),
            (bad, "Mobile Jugendarbeit Bad Quellenbrunn", "Offene Jugendarbeit", CARITAS),
            (alt, "Jugendtreff Altenmühl", "Jugendtreff", alt.municipality),
        ]  # fmt: skip
        youth += [(s, f"Jugendtreff {s.g.name}", "Jugendtreff", self.vg(s)) for s in seats]
        for place, name, art, traeger in youth:
            add("jugendtreff", place, name, art, traeger, alter=(10, 21))
        for p in self.in_role("village"):
            chance = 0.25 if p.g.sozialraum == self.poorer else 0.45
            if p.total >= 600 and self.rng.random() < chance:
                add("jugendtreff", p, f"Jugendraum {p.g.name}", "Jugendtreff", p.municipality, alter=(12, 18))
        # Übergang Schule – Beruf
        add("jugendberufshilfe", kreisstadt, "Jugendberufsagentur Musterland", "Jugendberufsagentur",
            f"{KREIS}, Jobcenter und Agentur für Arbeit", alter=(15, 25))  # fmt: skip
        add("jugendberufshilfe", alt, "Jugendwerkstatt Altenmühl", "Jugendberufshilfe", AWO, alter=(16, 25))
        add("jugendberufshilfe", bad, "Übergangscoaching Schule – Beruf", "Übergang Schule-Beruf", CARITAS,
            alter=(14, 20))  # fmt: skip
        # Generationen und Senioren
        add("mehrgenerationenhaus", bad, "Mehrgenerationenhaus Bad Quellenbrunn", "Mehrgenerationenhaus", DIAKONIE)
        add("mehrgenerationenhaus", ageing_head, f"MGH {ageing_head.g.name} – Treffpunkt Jung und Alt", "MGH",
            self.vg(ageing_head))  # fmt: skip
        for place in (kreisstadt, bad, alt, ageing_head):
            add("pflegeberatung", place, f"Pflegestützpunkt {place.g.name}", "Pflegestützpunkt",
                f"{KREIS} und Pflegekassen", alter=(60, None))  # fmt: skip
        for s in outside_poorer:
            if s is not ageing_head:
                add("pflegeberatung", s, f"Seniorenberatung der Verbandsgemeinde {s.g.name}", "Seniorenberatung",
                    self.vg(s), alter=(60, None))  # fmt: skip
        # Sozialraumzentren: one per Sozialraum, none (yet) in the ageing one
        for sozialraum in sorted({p.g.sozialraum for p in self.places} - {self.ageing}):
            art = self.choice(["Sozialraumzentrum", "Sozialraumbüro"])
            add("sozialraumzentrum", self.head(sozialraum), f"Sozialraumzentrum {sozialraum}", art, JUGENDAMT,
                since=self.date(2016, 2022))  # fmt: skip
        # Familienbüros
        add("familienbuero", kreisstadt, "Familienbüro des Landkreises Musterland", "Familienbüro",
            f"{KREIS} (Kreisverwaltung)")  # fmt: skip
        add("familienbuero", bad, "Familienservicebüro im Rathaus", "Familienservicebüro", bad.municipality)


def offer_list(county: County, counts: np.ndarray) -> tuple[list[Row], dict[str, int]]:
    """The rows of the demo list and the index of each faulty row (QUIRKS)."""
    maker = DemoOffers(county, counts)
    maker.kitas()
    maker.tagespflege()
    schools = maker.schools()
    maker.school_social_work(schools)
    maker.services()
    rows, quirks = maker.rows()
    add_details(rows)
    return rows, quirks
