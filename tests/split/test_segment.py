"""Page shapes the splitter must cut right (pages written for these tests)."""

from __future__ import annotations

from pipeline.messages import RawPage
from pipeline.split import SiteMemory, split


def text_page(body: str, url: str = "https://agency.example/news/1", site: str = "agency") -> RawPage:
    return RawPage(url=url, canonical_url=url, site=site, content_type="text/plain", body=body)


AGENCY_PAGE = """Floodwaters force thousands from homes along the Sava river

Heavy rain over the weekend pushed the Sava river over its banks, forcing more than 4,000 residents from their homes in three districts.
Rescue teams used boats to reach villages cut off by the water, the civil protection office said on Monday.
The regional governor declared a state of emergency and asked the army to help reinforce the levees.
Forecasters expect the rain to ease by Wednesday, but warned that river levels would stay high for days. (ILKHA)
LEGAL WARNING: All rights of the published news, photos and videos are reserved. They may not be used without a written contract.
Ukrainian President Volodymyr Zelensky travelled to Brussels on Thursday to press European allies for more air-defence systems before winter.
Chile's central bank cut its benchmark interest rate by half a point, citing slowing inflation and weaker demand for copper exports.
Scientists in Norway reported the largest cod spawning season in two decades, crediting stricter fishing quotas introduced in 2019.4821
"""


def test_agency_page_is_one_article_and_its_teasers() -> None:
    result = split(text_page(AGENCY_PAGE))
    kinds = [s.kind for s in result.stories]
    assert kinds == ["article", "teaser", "teaser", "teaser"]
    article = result.stories[0]
    assert article.title == "Floodwaters force thousands from homes along the Sava river"
    assert article.credit == "ILKHA"
    assert article.text.endswith("would stay high for days.")
    assert "LEGAL WARNING" not in " ".join(s.text for s in result.stories)
    assert "Zelensky" not in article.text and "Zelensky" in result.stories[1].text
    assert result.stories[3].text.endswith("introduced in 2019.")  # the glued counter is gone
    assert [s.position for s in result.stories] == [0, 1, 2, 3]


def test_same_page_twice_gives_the_same_ids() -> None:
    first = [s.id for s in split(text_page(AGENCY_PAGE)).stories]
    assert first == [s.id for s in split(text_page(AGENCY_PAGE)).stories]


def test_related_heading_in_turkish_starts_the_teasers() -> None:
    body = """Belediye yeni otobüs hattını hizmete açtı

Büyükşehir belediyesi, şehir merkezi ile havalimanı arasında yeni bir otobüs hattını bugün hizmete açtı.
Hat üzerinde her yirmi dakikada bir sefer yapılacağı ve biletlerin kartla ödenebileceği açıklandı.
Belediye başkanı, yeni hattın günde yaklaşık beş bin yolcuya hizmet vermesinin beklendiğini söyledi.
İlgili Haberler
Kuraklık nedeniyle barajlardaki doluluk oranı yüzde otuzun altına düştü, yetkililer tasarruf çağrısı yaptı.
Milli voleybol takımı, Avrupa Şampiyonası'nda yarı finale yükselerek tarihi bir başarıya imza attı.
"""
    result = split(text_page(body, site="haber"))
    assert [s.kind for s in result.stories] == ["article", "teaser", "teaser"]
    assert all("İlgili Haberler" not in s.text for s in result.stories)
    assert result.stories[0].lang == "tr"


def test_teasers_in_another_language_are_cut_off_the_article() -> None:
    body = """وزارة الصحة تطلق حملة تطعيم جديدة في المدارس

أعلنت وزارة الصحة اليوم عن إطلاق حملة تطعيم جديدة تستهدف طلاب المدارس الابتدائية في جميع المحافظات.
وقال المتحدث باسم الوزارة إن الحملة ستستمر أسبوعين وإن اللقاحات ستقدم مجانا لجميع الأطفال.
وأضاف أن فرقا طبية متنقلة ستزور القرى النائية لضمان وصول اللقاحات إلى كل الأطفال في تلك المناطق.
The United Nations said on Friday that food prices fell for the third month in a row, led by cheaper vegetable oils.
Heavy snow closed the main mountain pass between the two countries, stranding hundreds of trucks at the border crossing.
"""
    result = split(text_page(body, site="sahat"))
    assert [s.kind for s in result.stories] == ["article", "teaser", "teaser"]
    assert [s.lang for s in result.stories] == ["ar", "en", "en"]


def test_comments_are_dropped() -> None:
    body = """City council approves new cycling lanes

The city council voted on Tuesday to build twelve kilometres of protected cycling lanes across the centre.
Construction will start in spring and is expected to take about eighteen months, officials said.
The plan was approved by 31 votes to 9 after a debate that lasted more than four hours.
Comments (2)
mike_77
About time! The roads are far too dangerous for cyclists.
anna.k
What about parking for the shops on Main Street?
"""
    result = split(text_page(body, site="city"))
    assert [s.kind for s in result.stories] == ["article"]
    assert "About time" not in result.stories[0].text


def test_single_long_article_with_topic_shifts_stays_one_story() -> None:
    body = """Inside the race to rebuild the old harbour

The old harbour has been closed to ships since the storm of 2023 damaged its outer wall.
Engineers say the repairs are the most complex the port authority has ever attempted.
The original wall was built in 1887 from granite blocks quarried on the island across the bay.
Historians note that the harbour once handled more grain than any other port on the coast.
Asked whether the budget would hold, the harbour master said costs had risen by a fifth since the first estimate.
Fishermen, meanwhile, have moved their boats to a temporary pier two kilometres to the north.
Some of them say they will not return until the wall is finished and insurance costs fall.
The port authority expects the work to be completed by the autumn of next year, weather permitting.
"""
    result = split(text_page(body, site="coast"))
    assert [s.kind for s in result.stories] == ["article"]
    assert len(result.stories[0].text.split("\n\n")) == 8


def test_dateline_gives_the_credit_and_is_removed() -> None:
    body = """Parliament passes the budget after a long night

ANKARA (AA) – Parliament passed next year's budget early on Friday after a debate that lasted through the night.
The opposition voted against the bill, saying it did too little for pensioners and students.
"""
    article = split(text_page(body, site="aa")).stories[0]
    assert article.credit == "AA"
    assert article.text.startswith("Parliament passed next year's budget")


def test_site_memory_recognises_a_repeated_footer() -> None:
    footer = (
        "Our newsroom is funded by readers like you: support independent journalism from the valley today."
    )
    memory = SiteMemory()
    pages = [
        text_page(
            f"Story number {i} about the valley\n\n"
            f"Paragraph one of story {i} explains what happened in the valley on day {i}.\n"
            f"Paragraph two of story {i} adds what the mayor said about it afterwards.\n{footer}",
            url=f"https://valley.example/{i}",
            site="valley",
        )
        for i in range(4)
    ]
    for page in pages:
        split(page, memory)
    result = split(pages[0], memory)
    assert footer not in result.stories[0].text


def test_site_memory_forgets_old_paragraphs_and_keeps_within_its_bound() -> None:
    memory = SiteMemory()
    footer = "Subscribe to the evening letter for the day's stories in one place, every weekday."
    for n in range(3):
        memory.observe("s", f"https://s.example/{n}", [footer], day=100)
    assert memory.recurring("s", "https://s.example/9", footer)
    for n in range(50):
        for copy in "ab":  # each on two pages: recurring, so in the store
            text = f"A paragraph of page {n} that one other page of the site has too."
            memory.observe("s", f"https://s.example/p{n}{copy}", [text], day=120 + n)
    assert memory.prune(max_entries=1000, max_age_days=30, day=170) == 1 + 20  # the footer, pages 0-19
    assert not memory.recurring("s", "https://s.example/9", footer)
    assert memory.prune(max_entries=10, max_age_days=30, day=170) == 20  # the least recently seen
    assert len(memory.store) == 10
    memory.store["old|x"] = ["abc", "def"]  # a value stored before days were kept: the oldest
    assert memory.prune(max_entries=10, max_age_days=30, day=170) == 1 and "old|x" not in memory.store


def test_a_paragraph_seen_once_is_never_written_to_the_shared_store() -> None:
    memory = SiteMemory(first_sightings=100)
    for n in range(1000):
        memory.observe("s", f"https://s.example/{n}", [f"The article's own paragraph number {n}, seen once."])
    assert memory.store == {}
    assert len(memory.first_seen) == 100  # bounded: the least recently seen are forgotten
    again = "The article's own paragraph number 999, seen once."
    memory.observe("s", "https://s.example/999", [again])  # the same page again: still one page
    assert memory.store == {}
    memory.observe("s", "https://s.example/other", [again])  # a second page: now it recurs
    (value,) = memory.store.values()
    assert len(value) == 3  # the day and the two pages
    assert memory.recurring("s", "https://s.example/third", again)  # on 2 other pages
    assert not memory.recurring("s", "https://s.example/other", again)  # on 1 other page
    assert len(memory.first_seen) == 99  # it moved to the store


def test_a_headline_of_two_sentences_and_a_banner_above_it() -> None:
    page = (
        "Diese Website verwendet Cookies, um Inhalte zu personalisieren und Zugriffe zu analysieren. "
        "Mit der Nutzung stimmen Sie dem zu.\n"
        "Alle akzeptieren\n"
        "Einstellungen\n"
        "Stadtrat beschließt Busplan. Neue Linien fahren ab Juni\n"
        "Der Stadtrat hat am Dienstag mit großer Mehrheit den neuen Nahverkehrsplan verabschiedet, "
        "der vier zusätzliche Buslinien in die Außenbezirke vorsieht.\n"
        "Die Kosten von rund zwölf Millionen Euro trägt zum größten Teil das Land, teilte die "
        "Verwaltung mit.\n"
    )
    article = split(text_page(page)).stories[0]
    assert article.title == "Stadtrat beschließt Busplan. Neue Linien fahren ab Juni"
    assert article.text.startswith("Der Stadtrat") and "Cookies" not in article.text


def test_copies_of_one_article_under_other_urls_keep_their_whole_text() -> None:
    """The same article republished under several URLs of a site: its paragraphs recur, but the
    page is a copy, not the site's furniture (else the fourth copy would lose its article)."""
    memory = SiteMemory()
    body = AGENCY_PAGE
    first = split(text_page(body, url="https://agency.example/a", site="agency")).stories
    for n in range(6):
        copy = split(text_page(body, url=f"https://agency.example/copy-{n}", site="agency"), memory).stories
        assert [s.text for s in copy] == [s.text for s in first], n
