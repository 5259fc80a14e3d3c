"""Stories written for the cluster tests: one agency story, its copies, a teaser, a different event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.fingerprint import fingerprint
from pipeline.messages import Story

QUAKE = (
    "ELAZIĞ (AA) - A magnitude 5.4 earthquake struck the district of Sivrice in eastern Elazığ province "
    "early on Tuesday, the disaster agency AFAD said, damaging 40 buildings in three villages.\n\n"
    "The quake hit at 04:12 local time at a depth of 9 kilometres. Residents rushed into the streets "
    "and spent the rest of the night in their cars as more than 60 aftershocks followed.\n\n"
    "Governor Ömer Toraman said 14 people were treated for light injuries, most of them hurt while "
    "leaving their homes in a hurry, and that none of them was in a serious condition.\n\n"
    "AFAD sent 120 tents and 300 blankets to the villages of Kavakköy, Gözeli and Doğanbağı, where "
    "search teams inspected every house before families were allowed to go back inside.\n\n"
    "Sivrice lies on the East Anatolian Fault, which produced the deadly earthquake of January 2020."
)

OTHER_QUAKE = (
    "MALATYA (AA) - A magnitude 4.6 earthquake shook the Pütürge district of Malatya on Sunday "
    "evening, AFAD said, a week after the tremor that damaged buildings in neighbouring Elazığ.\n\n"
    "The quake struck at 19:40 at a depth of 7 kilometres and was felt in Adıyaman and Elazığ. No one "
    "was hurt, Governor Seddar Yavuz said, and teams found cracks in two old barns.\n\n"
    "Sivrice lies on the East Anatolian Fault, which produced the deadly earthquake of January 2020."
)

T0 = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def story(
    id: str, text: str, site: str, minutes: float = 0, kind: str = "article", lang: str = "en"
) -> Story:
    return Story(
        id=id,
        kind=kind,  # type: ignore[arg-type]
        title=text.split(".", maxsplit=1)[0][:80],
        text=text,
        lang=lang,
        site=site,
        page_url=f"https://{site}/{id}",
        first_seen_at=T0 + timedelta(minutes=minutes),
        fingerprint=fingerprint(text),
        position=0 if kind == "article" else 1,
    )


def copy_edited(text: str) -> str:
    """A republisher's copy: no credit, other quotes and spelling, the last paragraph dropped."""
    paragraphs = text.replace("ELAZIĞ (AA) - ", "ELAZIG - ").replace("Ömer", "Omer").split("\n\n")
    return "\n\n".join(paragraphs[:-1])


def lead(text: str) -> str:
    return text.split("\n\n", maxsplit=1)[0].split(" - ", 1)[1]
