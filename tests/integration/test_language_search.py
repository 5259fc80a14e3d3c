"""Language-aware analysis: an inflected word finds its other forms in stories of that language."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from pipeline.bootstrap import ensure_index, scoped, teardown
from pipeline.config import Settings
from pipeline.fingerprint import article_id, fingerprint
from pipeline.index.client import es_client
from pipeline.index.documents import bulk_action
from pipeline.index.template import LANGUAGE_ANALYZERS
from pipeline.language import detect
from pipeline.messages import Story
from pipeline.search import search

pytestmark = pytest.mark.integration

# Every language the index template analyses: (lang, a story in it, another form of one of its words).
# The story's language comes from the detector, as in the pipeline; CJK analysis is bigrams, not stems.
CASES = [
    ("ar", "أعلنت وزارة الثقافة عن افتتاح معرض الكتاب الدولي في العاصمة بمشاركة مئات دور النشر.", "كتاب"),
    ("bg", "Учениците от столичните училища получиха новите учебници в понеделник сутринта.", "учебник"),
    ("bn", "সরকারের নতুন পরিকল্পনা অনুযায়ী শিক্ষার্থীরা এ বছর বিনামূল্যে নতুন বইগুলো পাবে।", "শিক্ষার্থীদের"),
    (
        "ca",
        "Els bombers van apagar diversos incendis forestals durant la nit a les comarques de Girona.",
        "incendi",
    ),
    ("ckb", "ئاگرکوژێنەوەکان شەوی ڕابردوو چەند ئاگرێکیان لە بازاڕەکانی شاری هەولێر کوژاندەوە.", "ئاگرەکان"),
    ("cs", "Hasiči v noci zasahovali u několika požárů skladů na okraji Brna a v okolí Olomouce.", "požár"),
    (
        "da",
        "Brandmændene slukkede i nat flere store brande i lagerbygninger i det sydlige København.",
        "brand",
    ),
    (
        "de",
        "Die Feuerwehr löschte in der Nacht mehrere Brände in Lagerhallen am Stadtrand von Köln.",
        "Brand",
    ),
    (
        "el",
        "Οι πυροσβέστες έσβησαν πολλές πυρκαγιές σε αποθήκες στα περίχωρα της Αθήνας τη νύχτα.",
        "αποθήκη",
    ),
    (
        "en",
        "Firefighters were running between the burning warehouses all night in the northern district.",
        "runs",
    ),
    (
        "es",
        "Los bomberos apagaron varios incendios en almacenes de las afueras de Madrid durante la noche.",
        "incendio",
    ),
    ("et", "Päästjad kustutasid öösel Tallinna lähedal mitu suurt tulekahju laohoonetes.", "tulekahjud"),
    (
        "eu",
        "Suhiltzaileek hainbat sute itzali zituzten bart Bilboko biltegietan eta inguruko herrietan.",
        "biltegi",
    ),
    ("fa", "آتش\u200cنشانان شب گذشته چندین آتش\u200cسوزی را در انبارهای حومه تهران مهار کردند.", "انبارهاي"),
    ("fi", "Palomiehet sammuttivat yöllä useita tulipaloja varastoissa Helsingin laitamilla.", "tulipalo"),
    (
        "fr",
        "Les pompiers ont éteint plusieurs incendies dans des entrepôts de la banlieue de Lyon cette nuit.",
        "incendie",
    ),
    (
        "ga",
        "Mhúch na comhraiceoirí dóiteáin roinnt tinte móra i stórais i mBaile Átha Cliath aréir.",
        "Baile",
    ),
    (
        "gl",
        "Segundo informou a Consellería do Medio Rural, os bombeiros traballaron durante toda a noite para apagar varios incendios forestais que xa queimaron máis de cen hectáreas nos montes de Ourense.",
        "incendio",
    ),
    ("hi", "दमकलकर्मियों ने रात भर दिल्ली के बाहरी इलाके में कई गोदामों में लगी आग बुझाई।", "गोदाम"),
    (
        "hu",
        "A tűzoltók éjszaka több raktárban keletkezett tüzet oltottak el Budapest külső kerületeiben.",
        "raktár",
    ),
    ("hy", "Հրշեջները գիշերը մարեցին մի քանի հրդեհներ Երևանի ծայրամասի պահեստներում։", "պահեստները"),
    (
        "id",
        "Petugas pemadam kebakaran memadamkan api yang melanda beberapa gudang di pinggiran Jakarta semalam.",
        "gudangnya",
    ),
    (
        "it",
        "I vigili del fuoco hanno spento diversi incendi nei magazzini alla periferia di Milano durante la notte.",
        "incendio",
    ),
    ("ja", "東京都内の倉庫で昨夜火災が相次ぎ、消防が原因を調べている。", "火災"),
    ("ko", "소방관들이 어젯밤 서울 외곽의 창고에서 발생한 여러 건의 화재를 진압했다.", "화재"),
    ("lt", "Ugniagesiai naktį užgesino kelis gaisrus sandėliuose Vilniaus pakraštyje.", "gaisras"),
    ("lv", "Ugunsdzēsēji naktī nodzēsa vairākus ugunsgrēkus noliktavās Rīgas nomalē.", "ugunsgrēks"),
    ("nl", "De brandweer bluste vannacht meerdere branden in loodsen aan de rand van Utrecht.", "brand"),
    ("no", "Brannmannskapene slukket flere branner i lagerbygninger i utkanten av Oslo i natt.", "brann"),
    (
        "pt",
        "Os bombeiros apagaram vários incêndios em armazéns nos arredores de Lisboa durante a noite.",
        "incêndio",
    ),
    (
        "ro",
        "Pompierii au stins mai multe incendii în depozitele de la periferia Bucureștiului în timpul nopții.",
        "incendiile",
    ),
    ("ru", "Учителя пришли в школу с новыми книгами для детей из соседних деревень.", "книги"),
    ("sr", "Ватрогасци су током ноћи угасили неколико пожара у складиштима на ободу Београда.", "пожар"),
    (
        "sv",
        "Brandmännen släckte flera bränder i lagerlokaler i utkanten av Göteborg under natten.",
        "bränderna",
    ),
    ("th", "นักดับเพลิงเข้าควบคุมเหตุไฟไหม้โกดังหลายแห่งในชานเมืองกรุงเทพเมื่อคืนนี้", "โกดัง"),
    (
        "tr",
        "Öğrenciler yeni kitapları okulun kütüphanesinden ödünç aldı ve sınavlara hazırlandı.",
        "kitaplar",
    ),
    ("zh", "北京市政府周二宣布了新的公共交通计划，以缓解城市交通拥堵。", "交通"),
]


def story(lang: str, text: str) -> Story:
    url = f"https://lang.example/{lang}"
    detected = detect(text)
    return Story(
        id=article_id("lang", url),
        kind="article",
        title=None,
        text=text,
        lang=detected.lang,
        lang_confidence=detected.confidence,
        site="lang",
        url=url,
        page_url=url,
        fingerprint=fingerprint(text),
        position=0,
    )


@pytest.fixture(scope="module")
def indexed(stack: Settings) -> Iterator[Settings]:
    """One index with every case, shared by this module's tests (they only read it)."""
    settings = scoped(stack, "lang" + uuid.uuid4().hex[:8])
    ensure_index(settings)
    es = es_client(settings)
    try:
        operations = [
            part for lang, text, _ in CASES for part in bulk_action(story(lang, text), settings.index_alias)
        ]
        response = es.bulk(operations=operations, refresh=True)
        assert not response["errors"], response
        yield settings
    finally:
        es.close()
        teardown(settings)


def test_every_analysed_language_has_a_case() -> None:
    assert {lang for lang, _, _ in CASES} == set(LANGUAGE_ANALYZERS) - {"nb"}  # nb is stored as no


@pytest.mark.parametrize(("lang", "text", "other_form"), CASES, ids=[c[0] for c in CASES])
def test_inflected_form_finds_the_story(indexed: Settings, lang: str, text: str, other_form: str) -> None:
    assert detect(text).lang == lang  # the detector decides which analyser the story gets
    assert other_form not in text.split()  # the exact word is not there: only analysis can find it
    hits = search(indexed, other_form)
    # a stem can be shared by a related language ("brand" in Danish, Dutch, Swedish, German)
    assert lang in [h["lang"] for h in hits]


def test_a_plain_search_does_not_stem_other_languages(indexed: Settings) -> None:
    assert search(indexed, "text:runs") == []  # the language-neutral field has no stemming
