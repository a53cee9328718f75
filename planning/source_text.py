"""How a source is named in plain German, on screen and in print (``reports.credits`` builds its credits on it).

Rules, for the way a planner cites a table in a Vorlage:
- the table's title without GENESIS shorthand (the number of groups '(17)', the level '(Kreise)', '(Flat-CSV)'),
  completed with the reference dates or years of the rows shown: 'Stichtag 31.12.' → 'Stichtag 31.12.2015',
  'Jahresdurchschnitt' → 'Jahresdurchschnitt 2016'; a title that names its date already keeps it;
- the population tables (12411, Fortschreibung des Bevölkerungsstandes) are named 'Bevölkerungsstand <Stichtag>';
- the table code follows as '(Tabelle 12411-02-03-5)'; the publisher comes first:
  'Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)';
- a Stand is a German date without the clock time of the download ('10.10.2017 / 18:42:14' → '10.10.2017').
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_STAMP = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{4})\s*/\s*\d{1,2}:\d{2}(?::\d{2})?$")  # GENESIS '10.10.2017 / 18:42:14'
_GROUP_COUNT = re.compile(r"\s*\(\d+\)")
_LEVEL_NOTE = re.compile(r"\s*\((?:Kreise|Gemeinden|Flat-CSV|,\s*)+\)")
# 'Stichtag 31.12.' or a bare 'Stichtag' that waits for its year (not 'Stichtag 09.05.2011', already complete)
_OPEN_STICHTAG = re.compile(r"Stichtag(?! \d{1,2}\.\d{1,2}\.\d)(?: \d{1,2}\.\d{1,2}\.)?")
_FULL_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
_YEAR_WORDS = ("Jahresdurchschnitt", "Jahressumme")
_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember")  # fmt: skip
POPULATION_TABLE = "12411"  # Fortschreibung des Bevölkerungsstandes


def german_date(text: str) -> str:
    """ISO dates (Gebietsstand of boundaries) as 31.12.2023; everything else as the source printed it."""
    match = _ISO_DATE.match(text)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else text


def stand_date(text: str) -> str:
    """A source's Stand as a German date: '10.10.2017 / 18:42:14' → '10.10.2017', '2021-01-01' → '01.01.2021',
    '2017-03' → 'März 2017'; anything else as printed."""
    text = text.strip()
    if stamp := _STAMP.match(text):
        return stamp[1]
    if (month := _ISO_MONTH.match(text)) and 1 <= int(month[2]) <= 12:
        return f"{_MONTHS[int(month[2]) - 1]} {month[1]}"
    return german_date(text)


def period_text(dates: Iterable[date], years: Iterable[int]) -> str:
    """The reference dates of the rows shown ('31.12.2015', '31.12.2008 bis 31.12.2014' for every year-end between,
    up to three other dates listed), or their years
    ('2016', '2001–2016') where the table has no Stichtag (annual sums and averages)."""
    days = sorted(set(dates))
    if days:
        texts = [f"{d:%d.%m.%Y}" for d in days]
        yearly = len({(d.month, d.day) for d in days}) == 1 and days[-1].year - days[0].year == len(days) - 1
        return texts[0] if len(texts) == 1 else (", ".join(texts) if len(texts) <= 3 and not yearly else f"{texts[0]} bis {texts[-1]}")
    found = sorted({int(y) for y in years})
    return f"{found[0]}–{found[-1]}" if len(found) > 1 else "".join(str(y) for y in found)


def plain_title(title: str, table_code: str, period: str) -> str:
    """The table's title as a planner reads it, completed with the period (see the module docstring)."""
    if table_code.startswith(POPULATION_TABLE) and title.startswith("Bevölkerung") and period:
        return f"Bevölkerungsstand {period}"
    text = _LEVEL_NOTE.sub("", _GROUP_COUNT.sub("", title)).strip().rstrip(",").strip()
    if not period or period in text or _FULL_DATE.search(text):
        return text  # the title names its date already ('Zensus 2011 …, Stichtag 09.05.2011')
    if _OPEN_STICHTAG.search(text):
        word = "Stichtage" if " bis " in period or ", " in period else "Stichtag"
        return _OPEN_STICHTAG.sub(lambda _: f"{word} {period}", text, count=1)
    for year_word in _YEAR_WORDS:
        if year_word in text:
            return text.replace(year_word, f"{year_word} {period}", 1)
    if text.endswith(", Jahr"):
        return f"{text.removesuffix(', Jahr')}, {period}"
    return f"{text}, {period}" if text else period


def table_text(title: str, table_code: str, period: str, *, statistics: bool = True) -> str:
    """'Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)': the plain title with its table code."""
    name = plain_title(title, table_code, period)
    code = f"Tabelle {table_code}" if statistics and table_code else ""
    return f"{name} ({code})" if name and code else name or code


def citation(publisher: str, title: str, table_code: str, period: str, *, statistics: bool = True) -> str:
    """'Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)'."""
    what = table_text(title, table_code, period, statistics=statistics)
    return f"{publisher}, {what}" if publisher and what else publisher or what
