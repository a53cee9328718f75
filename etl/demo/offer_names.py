"""Invented names for the demo offer list: Träger, streets, Kitas, Kindertagespflege, schools and parishes.

Pure data, used by etl/demo/offer_maker.py (addresses) and etl/demo/offers.py (which offer gets which name and
Träger). Every name is made up for the fictional "Landkreis Musterland"; likeness to real institutions is chance.
"""
from __future__ import annotations

KREIS = "Landkreis Musterland"
CARITAS, DIAKONIE = "Caritasverband Musterland e. V.", "Diakonisches Werk Musterland e. V."
AWO, DRK = "AWO Kreisverband Musterland e. V.", "DRK-Kreisverband Musterland e. V."
LEBENSHILFE, FBW = "Lebenshilfe Musterland e. V.", "Familienbildungswerk Musterland e. V. (freier Träger)"
JUGENDAMT = f"{KREIS} (Kreisjugendamt)"

STREETS = """Hauptstraße Kirchstraße Schulstraße Bahnhofstraße Lindenstraße Gartenstraße Mühlenweg Rosenweg Waldstraße
    Ringstraße Bergstraße Wiesenweg Talstraße Kirchgasse Brunnenstraße Feldstraße Birkenweg Burgstraße Jahnstraße
    Goethestraße Schillerstraße Friedhofstraße Sonnenhang Raiffeisenstraße Eichendorffweg Ahornweg""".split()
STREETS += ["Am Sportplatz", "Am Dorfbrunnen", "Im Wiesengrund", "Am Anger", "Lange Gasse", "Am Bach", "Zum Backhaus"]
TOWN_STREETS = ["Marktplatz", "Am Rathaus", "Bahnhofsplatz", "Nordring", "Südring", "Poststraße", "Am Schlossberg",
                "Friedrich-Ebert-Straße", "Konrad-Adenauer-Straße", "Lessingstraße", "Gerberstraße", "Am Stadtgraben",
                "Mühlenstraße", "Hospitalstraße"]  # fmt: skip

KITA_NAMES = {
    "kommunal": ["Kita Sonnenschein", "Kita Regenbogen", "Kita Pusteblume", "Kita Zwergenland", "Kita Löwenzahn",
                 "Kita Sternschnuppe", "Kita Kunterbunt", "Kita Wirbelwind", "Kita Schatzkiste", "Kita Abenteuerland",
                 "Kita Märchenland", "Kita Rasselbande", "Kita Spatzennest", "Kita Sonnenblume",
                 "Kita Wiesenwichtel", "Kita Mühlenzwerge", "Kita Bachstelze", "Kita Am Sportplatz",
                 "Kindergarten Schlossgeister", "Kindergarten Waldwichtel"],
    "kath": ["Kath. Kita St. Martin", "Kath. Kita St. Elisabeth", "Kath. Kita St. Josef", "Kath. Kita St. Marien",
             "Kath. Kita St. Michael", "Kath. Kita St. Laurentius", "Kath. Kindergarten St. Barbara",
             "Kath. Kita Heilig Kreuz", "Kath. Kita St. Nikolaus", "Kath. Kindergarten St. Hedwig"],
    "ev": ["Ev. Kita Arche Noah", "Ev. Kita Senfkorn", "Ev. Kindergarten Sonnenstrahl", "Ev. Kita Lutherhaus",
           "Ev. Kita Kirchenmäuse", "Ev. Kita Himmelszelt", "Ev. Kita Friedenskirche", "Ev. Kindergarten Regenbogen"],
    "awo": ["AWO-Kita Pusteblume", "AWO-Kita Kinderland", "AWO-Kita Am Park"],
    "drk": ["DRK-Kita Kleine Strolche", "DRK-Kita Kinderinsel"],
    "lebenshilfe": ["Integrative Kita der Lebenshilfe", "Lebenshilfe-Kita Miteinander"],
    "frei": ["Waldkindergarten Fuchsbau", "Elterninitiative Krabbelstube", "Montessori-Kinderhaus"],
}  # fmt: skip
FREE_TRAEGER = {"Waldkindergarten Fuchsbau": "Waldkinder Musterland e. V. (freier Träger)",
                "Elterninitiative Krabbelstube": "Elterninitiative Krabbelstube e. V. (freier Träger)",
                "Montessori-Kinderhaus": "Montessori-Verein Musterland e. V. (freier Träger)"}  # fmt: skip
KITA_TRAEGER_TOWN = {"kommunal": .34, "kath": .2, "ev": .2, "awo": .08, "drk": .07, "lebenshilfe": .05, "frei": .06}
KITA_TRAEGER_VILLAGE = {"kommunal": .6, "kath": .2, "ev": .2}
PFLEGE_NAMES = """Zwergennest Mäusehaus Spatzennest Krümelkiste Sonnenkinder Wichtelstube Purzelbaum Bärenhöhle
    Glückskäfer Marienkäfer Schneckenhaus Igelnest Kuschelecke Rappelkiste Hummelnest Rabennest Zaubergarten
    Entdeckerland Kinderstube Flohkiste Kükennest Wuselbande Sausewind Regentropfen Kleeblatt Mondschein Sternchen
    Wolkenschaf Knirpsenland Pünktchen""".split()
TOWN_SCHOOL_NAMES = ["Grundschule Nord", "Grundschule Süd", "Lindenschule", "Brüder-Grimm-Schule",
                     "Grundschule am Park", "Kirchbergschule", "Grundschule Im Wiesengrund",
                     "Grundschule Am Wasserturm"]  # fmt: skip
PARISHES = ["St. Martin", "St. Josef", "St. Marien", "St. Michael", "St. Laurentius", "St. Nikolaus"]
