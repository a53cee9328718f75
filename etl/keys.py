"""Area keys as the statistical offices write them, normalised to the ids used in the database.

- AGS, 8 digits: Land 2 + RB 1 + Kreis 2 + Gemeinde 3 -> Gemeinde id
- ARS, 12 digits: Land 2 + RB 1 + Kreis 2 + Gemeindeverband 4 + Gemeinde 3 -> AGS = ARS[:5] + ARS[9:]
- Rhineland-Palatinate GENESIS keys, 10 digits: Kreis 5 + Verbandsgemeinde 2 + Gemeinde 3 -> AGS = key[:5] + key[7:]
  (VG numbers change when Verbandsgemeinden merge, Gemeinde numbers stay: join on the AGS)
- Lower Saxony GENESIS keys, 11 digits: Kreis 5 + Samtgemeinde 3 + Gemeinde 3 -> AGS = key[:5] + key[8:];
  their Samtgemeinde rows have 8 digits like a Gemeinde and are told apart by the name ("Brome, Samtgemeinde" or
  "Samtgemeinde Oberharz")
- 7 digits (RLP Verbandsgemeinde subtotal) and 9 digits (ARS Gemeindeverband): Verband rows
- 5 digits: Kreis; 2 digits: Land; 3 digits: Regierungsbezirk; "DG": Germany
- "JH" + 8 digits: a youth office (Jugendamt) of youth-welfare statistics: JH + AGS of a town with its own
  Jugendamt, or JH + Kreis + "999" for the Kreisjugendamt (the rest of the Kreis)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

GEMEINDE = "gemeinde"
VERBAND = "verband"
KREIS = "kreis"
LAND = "land"
JUGENDAMT = "jugendamt"
HIGHER = "higher"  # Regierungsbezirk, Germany
KREISJUGENDAMT_SUFFIX = "999"


@dataclass(frozen=True)
class AreaKey:
    level: str
    id: str  # Gemeinde: AGS; Kreis: 5 digits; Verband: the key as written

    @property
    def kreis(self) -> str | None:
        if self.level == JUGENDAMT:
            return self.id[2:7]
        return self.id[:5] if self.level in (GEMEINDE, VERBAND, KREIS) else None

    def in_scope(self, scope: str | tuple[str, ...]) -> bool:
        """Whether the area belongs to a build of ``scope``, a key prefix or several (a Land row counts for every
        Kreis in it)."""
        prefixes = (scope,) if isinstance(scope, str) else scope
        if self.level == LAND:
            return any(p.startswith(self.id) or self.id.startswith(p) for p in prefixes)
        return self.kreis is not None and self.kreis.startswith(prefixes)


_VERBAND_NAME = re.compile(r"(Samtgemeinde|Verbandsgem(einde)?\.?|Amt|Verwaltungsgemeinschaft)\s*$|^Samtgemeinde\s")


def parse_area_key(raw: str, name: str = "") -> AreaKey | None:
    """Classify a key from a statistics file; None when it is no area key at all."""
    key = raw.strip()
    if key == "DG":
        return AreaKey(HIGHER, key)
    if key.startswith("JH") and len(key) == 10 and key[2:].isdigit():
        return AreaKey(JUGENDAMT, key)
    if not key.isdigit():
        return None
    length = len(key)
    if length == 8:
        return AreaKey(VERBAND if _VERBAND_NAME.search(name.strip()) else GEMEINDE, key)
    if length == 11:
        return AreaKey(GEMEINDE, key[:5] + key[8:])
    if length == 12:
        return AreaKey(GEMEINDE, key[:5] + key[9:])
    if length == 10:
        return AreaKey(GEMEINDE, key[:5] + key[7:])
    if length in (7, 9):
        return AreaKey(VERBAND, key)
    if length == 5:
        return AreaKey(KREIS, key)
    if length == 2:
        return AreaKey(LAND, key)
    if length == 3:
        return AreaKey(HIGHER, key)
    return None


def ags_from_ars(ars: str) -> str:
    return ars[:5] + ars[9:12]


def verband_id_from_ars(ars: str) -> str:
    return ars[:9]
