"""The report's sentences and notes: counts with the fitting word form, the theme and summary sentences,
the selection line, the method and licence notes and the assessment paragraphs."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID
from monitor.data import municipalities as mun
from monitor.report.model import ReportParams

NOT_YET = "noch nicht erfasst"
ASSESSMENT_PLACEHOLDER = "(Keine Einschätzung eingetragen.)"
LICENCE_TEXTS = {
    "dl-de/by-2-0": "Datenlizenz Deutschland – Namensnennung – Version 2.0 (https://www.govdata.de/dl-de/by-2-0). "
                    "Die Daten wurden für diesen Bericht ausgewertet und zusammengefasst.",
    "cc by 4.0": "Creative Commons Namensnennung 4.0 International (https://creativecommons.org/licenses/by/4.0/).",
    "cc-by-4.0": "Creative Commons Namensnennung 4.0 International (https://creativecommons.org/licenses/by/4.0/).",
    "cc0-1.0": "CC0 1.0 – gemeinfrei (https://creativecommons.org/publicdomain/zero/1.0/).",
    "intern": "Interne Daten der Kompetenzstelle; im Bericht stehen nur freigegebene Angaben ohne personenbezogene "
              "Daten.",
}


def theme_name(theme_id: str) -> str:
    """The German name of a theme (the ID itself when unknown)."""
    t = THEME_BY_ID.get(theme_id)
    return t.name_de if t else str(theme_id)


def count(n: int, one: str, many: str) -> str:
    """``'1 Initiative'`` / ``'3 Initiativen'``, ``'1 ist'`` / ``'3 sind'``: a count with the word form that fits it."""
    return f"{fmt.number(n)} {one if n == 1 else many}"


def theme_sentence(name, n, started, advanced, completed, reached, overdue, granted) -> str:
    """The lead sentence of a theme section."""
    if n == 0:
        return f"Im Thema {name} lief im Zeitraum keine Initiative der Auswahl."
    return (f"Im Thema {name} {'lief' if n == 1 else 'liefen'} im Zeitraum {count(n, 'Initiative', 'Initiativen')}: "
            f"{fmt.number(started)} neu aufgenommen, {fmt.number(advanced)} vorangekommen, "
            f"{fmt.number(completed)} abgeschlossen. {count(reached, 'Meilenstein wurde', 'Meilensteine wurden')} "
            f"erreicht, {count(overdue, 'ist', 'sind')} überfällig. Bewilligte Fördermittel: {fmt.eur(granted)}.")


def summary_sentence(district, params, totals, granted, rounds, orgs, kpis) -> str:
    """The lead paragraph of the report's summary."""
    return (f"Im Berichtszeitraum {fmt.date(params.date_from)} – {fmt.date(params.date_to)} begleitete der "
            f"{district} {count(totals['initiatives'], 'Initiative', 'Initiativen')} der Auswahl. "
            f"{count(totals['started'], 'kam', 'kamen')} neu hinzu, "
            f"{count(totals['advanced'], 'erreichte', 'erreichten')} "
            f"eine weitere Stufe und {count(totals['completed'], 'wurde', 'wurden')} abgeschlossen. "
            f"{count(totals['reached'], 'Meilenstein wurde', 'Meilensteine wurden')} erreicht; "
            f"{count(totals['overdue'], 'ist', 'sind')} überfällig. "
            f"Für die Initiativen sind {fmt.eur(granted)} Fördermittel bewilligt. "
            f"In {count(rounds, 'Abstimmungsrunde', 'Abstimmungsrunden')} {'arbeitete' if orgs == 1 else 'arbeiteten'} "
            f"{count(orgs, 'Organisation', 'Organisationen')} zusammen; "
            f"{fmt.number(kpis[1])} von {fmt.number(kpis[0])} bewerteten Kennzahlen haben ihr Ziel erreicht.")


def selection_text(params: ReportParams, names: dict[str, str]) -> str:
    """The selection line of the title page (``names``: AGS -> municipality name)."""
    themes_text = ", ".join(theme_name(t) for t in params.themes) if params.themes else "alle Themen"
    munis = ", ".join(names.get(a, a) for a in params.municipalities) if params.municipalities else "alle Gemeinden"
    variant = ("interne Fassung mit nicht öffentlichen Initiativen" if params.internal
               else "öffentliche Fassung: nur zur Veröffentlichung freigegebene Initiativen")
    return f"Auswahl: {themes_text} · {munis} · {variant}"


def assessment_paragraphs(params: ReportParams) -> list[str]:
    """The office's assessment split into paragraphs at blank lines (empty list: none entered)."""
    return [p.strip() for p in params.assessment.replace("\r\n", "\n").split("\n\n") if p.strip()]


def licence_notes(src: pd.DataFrame) -> list[str]:
    """One note per licence of the sources (``monitor.data.sources.sources``), with its attribution holders."""
    notes = []
    for lic in dict.fromkeys(src["licence"]):
        text = LICENCE_TEXTS.get(str(lic).strip().lower())
        holders = "; ".join(dict.fromkeys(str(a) for a in src.loc[src["licence"] == lic, "attribution"].dropna()))
        line = f"{lic}: {text or 'siehe Lizenzangabe der Quelle.'}"
        if holders:
            line += f" Namensnennung: {holders}."
        notes.append(line)
    return notes


def method_notes(params: ReportParams, as_of: dt.date, day_before: dt.date, b: mun.Benchmarks) -> list[str]:
    """The rules of the report, as printed in its notes."""
    return [
        "Auswahl: Initiativen, die bis zum Ende des Zeitraums aufgenommen und nicht vor seinem Beginn abgeschlossen "
        "oder verworfen wurden; Thema = Hauptthema der Initiative; kreisweite Initiativen zählen für jede Gemeinde.",
        ("Die interne Fassung enthält auch nicht öffentliche Initiativen und darf nicht weitergegeben werden."
         if params.internal else
         "Die öffentliche Fassung enthält nur Initiativen, die zur Veröffentlichung freigegeben sind."),
        "Personenbezogene Angaben (Ansprechpersonen, E-Mail-Adressen, Telefonnummern) sind in keinem Teil des "
        "Berichts enthalten.",
        f"Status zu Beginn = Stand am {fmt.date(day_before)}, Status am Ende = Stand am {fmt.date(as_of)} "
        "(letzter Eintrag im Statusverlauf bis zu diesem Tag).",
        "Neu = erster Status im Zeitraum; vorangekommen = mindestens ein Wechsel auf eine spätere Stufe der "
        "Statuslinie (ohne Abschluss) oder zurück aus „Ruht“; abgeschlossen = Wechsel zu „Abgeschlossen“ im "
        "Zeitraum; zurückgestellt = Wechsel zu „Ruht“ oder auf eine frühere Stufe; verworfen = Wechsel zu "
        "„Verworfen“.",
        f"Meilensteine: erreicht = im Zeitraum erledigt; überfällig = vor dem {fmt.date(as_of)} fällig und bis "
        "dahin nicht erledigt (ohne verworfene Initiativen).",
        "Fördermittel und Kosten: Beträge je Initiative laut Portfolio (bewilligt; Gesamtkosten ohne verworfene "
        "Initiativen).",
        "Kennzahlen: erreicht, wenn der Istwert den Zielwert in Richtung vom Ausgangswert erreicht hat.",
        f"Indikatoren: {b.district_name} im Vergleich mit {b.state_name or 'dem Land'}"
        + (f" und {b.germany_name} (wo ein Bundeswert geladen ist)" if b.germany_key else "")
        + "; sind Kreis- und Landeswerte "
        "Summen (z. B. Einwohner), zeigen die Grafiken einen Index (erstes Jahr = 100). Lücken sind nicht "
        "veröffentlichte Werte, keine Nullen.",
    ]
