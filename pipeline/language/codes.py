"""What the detector knows about languages (pure data): codes, scripts, alphabets, priors.

Codes are BCP-47 primary subtags: two letters where ISO 639-1 has one, else three (``ckb``, ``kmr``).
"""

from __future__ import annotations

from pipeline.language.scripts import ARABIC, CYRILLIC, HAN, HANGUL, LATIN

#: Engine labels that are not the BCP-47 subtag a journalist filters by.
FOLD: dict[str, str] = {
    "ku": "kmr",  # fastText's "Kurdish" is Kurmanji in Latin script (Sorani has its own label, ckb)
    "arz": "ar",  # Egyptian Arabic: news in Egypt is written in Modern Standard Arabic
    "wuu": "zh",  # Wu: short Mandarin headlines land there
    "zh-cn": "zh",
    "zh-tw": "zh",
    "iw": "he",
    "in": "id",
    "nb": "no",
}

#: The script each language is written in (languages that use several list them all).
_BY_SCRIPT: dict[str, str] = {
    LATIN: (
        "af als an ast az bar bcl br bs ca cbk ceb co cs cy da de diq dsb eml en eo es et eu fi fr frr fy ga "
        "gd gl gn gv hif hr hsb ht hu ia id ie ilo io is it jbo jv kmr kw la lb li lmo lt lv mg min ms "
        "mt mwl nah nap nds nl nn no oc pam pfl pl pms pt qu rm ro sc scn sco sh sk sl so sq sr su sv sw "
        "tk tl tr uz vec vep vi vls wa war yo "
        # only CLD2 names these (see CLD2_ONLY)
        "zu xh st tn ha ig rw ny sn rn lg ln om wo ts ss ve nso"
    ),
    CYRILLIC: (
        "av ba be bg bxr ce cv kk krc kv ky lez mhr mk mn mrj myv os ru rue sah sh sr tg tt tyv uk uz xal"
    ),
    ARABIC: "ar azb ckb fa lrc mzn pnb ps sd ug ur",
    "Deva": "bh dty gom hi mai mr ne new sa",
    "Beng": "as bn bpy",
    HAN: "zh yue",
    "Jpan": "ja",
    HANGUL: "ko",
    "Grek": "el",
    "Hebr": "he yi",
    "Armn": "hy",
    "Geor": "ka xmf",
    "Thai": "th",
    "Laoo": "lo",
    "Khmr": "km",
    "Mymr": "my",
    "Ethi": "am",
    "Tibt": "bo",
    "Thaa": "dv",
    "Sinh": "si",
    "Taml": "ta",
    "Telu": "te",
    "Knda": "kn",
    "Mlym": "ml",
    "Gujr": "gu",
    "Guru": "pa",
    "Orya": "or",
    "Mong": "mn",
}
SCRIPT_LANGUAGES: dict[str, frozenset[str]] = {
    script: frozenset(codes.split()) for script, codes in _BY_SCRIPT.items()
}

#: Scripts that only one language in the engines' range is written in: no engine needed.
SINGLE_LANGUAGE_SCRIPTS: dict[str, str] = {
    script: next(iter(codes)) for script, codes in SCRIPT_LANGUAGES.items() if len(codes) == 1
}


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


#: Languages so close that an engine flips between them from one paragraph to the next: for "the
#: text changed language" they are one (Serbo-Croatian, Nguni, Sotho-Tswana, Scandinavian, Malay).
CLOSE_GROUPS: dict[str, str] = {
    **dict.fromkeys(("hr", "bs", "sr", "sh", "cnr"), "hbs"),
    **dict.fromkeys(("zu", "xh", "ss", "nr"), "nguni"),
    **dict.fromkeys(("st", "tn", "nso"), "sotho-tswana"),
    **dict.fromkeys(("da", "no", "nb", "nn"), "scandinavian"),
    **dict.fromkeys(("id", "ms"), "malay"),
}


#: Languages lid.176 has no label for and CLD2 has (Latin script; African languages of the press):
#: Zulu, Xhosa, Sotho, Tswana, Hausa, Igbo, Kinyarwanda, Chichewa, Shona, Kirundi, Ganda, Lingala,
#: Oromo, Wolof, Tsonga, Swati, Venda, Northern Sotho.
CLD2_ONLY = _words("zu xh st tn ha ig rw ny sn rn lg ln om wo ts ss ve nso")
#: ...and those lid.176 has but reads poorly where CLD2 does not (Somali; Yoruba with its tone marks
#: comes out as Irish or Catalan): CLD2's answer is taken for them too when fastText is unsure.
CLD2_FIRST = CLD2_ONLY | _words("yo so")


#: How often a language turns up in news compared with a major one. The engines were trained on
#: Wikipedia, where a dialect or a constructed language has as many pages as a national language; in a
#: news stream it is rare, so it only wins when the text leaves no doubt.
RARE = _words(
    "als an ast av azb ba bar bcl bh bpy bxr cbk ce ceb co cv diq dsb dty eml eo frr gn gom gv hif "
    "hsb ia ie ilo io jbo krc kv kw la lez li lmo lrc mai mhr min mrj mwl myv mzn nah nap nds new os "
    "pam pfl pms pnb qu rm rue sa sah sc scn sco sh tyv vec vep vls wa war xal xmf yue"
)
#: Languages with a press of their own but far less news than a close neighbour the engines confuse
#: them with (Malay and Indonesian headlines look alike; Indonesian news outnumbers Malay many times).
#: A site that declares one of them (the language hint) tips the balance back.
MINOR = _words("br fy gd ga gl lb ms oc yi")


def prior(lang: str) -> float:
    if lang in RARE:
        return 0.05
    if lang in MINOR:
        return 0.3
    return 1.0


def _letters(spec: str) -> frozenset[str]:
    return frozenset(spec.replace(" ", ""))


_AZ = "abcdefghijklmnopqrstuvwxyz"


def _az_without(letters: str) -> str:
    """The basic Latin letters minus those a language only uses in foreign words."""
    return "".join(ch for ch in _AZ if ch not in letters)


_RU = "абвгдежзийклмнопрстуфхцчшщъыьэюяё"

#: The lowercase letters a language writes its own words with. A letter outside it in a lowercase word
#: (names start with a capital) is evidence against the language: Turkish has no "ə" or "ê", Russian no
#: "і", Arabic no "پ" or "ی". Languages not listed here are not judged by their alphabet.
ALPHABETS: dict[str, frozenset[str]] = {
    # Latin
    "en": _letters(_AZ + "éï"),
    "tr": _letters("abcçdefgğhıijklmnoöprsştuüvyz âîû"),
    "az": _letters("abcçdeəfgğhxıijkqlmnoöprsştuüvyz"),
    "kmr": _letters("abcçdeêfghiîjklmnopqrsştuûvwxyz"),
    "de": _letters(_AZ + "äöüßé"),
    "fr": _letters(_AZ + "àâæçéèêëîïôœùûüÿ"),
    "es": _letters(_AZ + "áéíñóúü"),
    "pt": _letters(_AZ + "áâãàçéêíóôõú"),
    "it": _letters(_az_without("jkwxy") + "àèéìíîòóùú"),
    "ca": _letters(_AZ + "àçèéíïòóúü·"),
    "gl": _letters(_AZ + "áéíñóúü"),
    "nl": _letters(_AZ + "áéèëïóöüú"),
    "sv": _letters(_AZ + "åäöé"),
    "da": _letters(_AZ + "æøåé"),
    "no": _letters(_AZ + "æøåéôò"),
    "nn": _letters(_AZ + "æøåéôò"),
    "fi": _letters(_az_without("bcfqwxz") + "äöåšž"),
    "et": _letters(_az_without("cqwxy") + "äöõüšž"),
    "pl": _letters(_az_without("qvx") + "ąćęłńóśźż"),
    "cs": _letters(_AZ + "áčďéěíňóřšťúůýž"),
    "sk": _letters(_AZ + "áäčďéíĺľňóôŕšťúýž"),
    "sl": _letters(_az_without("qwxy") + "čšžćđ"),
    "hr": _letters(_az_without("qwxy") + "čćđšž"),
    "bs": _letters(_az_without("qwxy") + "čćđšž"),
    "sr": _letters(_az_without("qwxy") + "čćđšž" + "абвгдђежзијклљмнњопрстћуфхцчџш"),
    "hu": _letters(_AZ + "áéíóöőúüű"),
    # only CLD2 names these: basic Latin with the letters (and tone marks) their press writes
    **{lang: _letters(_AZ) for lang in ("zu", "xh", "rw", "rn", "sn", "ny", "om", "ss", "nso")},
    "st": _letters(_AZ + "êô"),
    "tn": _letters(_AZ + "êôš"),
    "ts": _letters(_AZ),
    "ve": _letters(_AZ + "ḓḽṅṋṱ"),
    "ha": _letters(_AZ + "ɓɗƙƴ'ʼ" + "àáâèéêìíîòóôùúû"),
    "ig": _letters(_AZ + "ịọụṅ" + "àáèéìíòóùúḿńǹ"),
    "lg": _letters(_AZ + "ŋ"),
    "ln": _letters(_AZ + "ɛɔ" + "áéíóúâêîôûǎěǐǒǔ"),
    "wo": _letters(_AZ + "àéëñóŋ"),
    "ro": _letters(_AZ + "ăâîșțşţ"),
    "sq": _letters(_AZ + "çë"),
    "lv": _letters(_az_without("qwxy") + "āčēģīķļņšūž"),
    "lt": _letters(_az_without("qwx") + "ąčęėįšųūž"),
    "id": _letters(_AZ + "é"),
    "ms": _letters(_AZ + "é"),
    "sw": _letters(_az_without("qx")),
    "uz": _letters(_AZ + "ʻʼ'ўқғҳ" + _RU),
    "tk": _letters(_AZ + "äçňöşüýž"),
    "mt": _letters(_AZ + "àċġħżèìòù"),
    "is": _letters(_AZ + "áðéíóúýþæö"),
    "cy": _letters(_AZ + "âêîôûŵŷáéíóúẁẃ"),
    "eu": _letters(_az_without("cqvwy") + "ñ"),
    "af": _letters(_AZ + "êëéèîïôûŉ"),
    # Cyrillic
    "ru": _letters(_RU),
    "uk": _letters(_RU.replace("ё", "").replace("ъ", "").replace("ы", "").replace("э", "") + "єіїґ'’"),
    "bg": _letters(_RU.replace("ё", "").replace("ы", "").replace("э", "")),
    "be": _letters(_RU.replace("и", "").replace("щ", "").replace("ъ", "") + "іў'’"),
    "mk": _letters("абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    "kk": _letters(_RU + "әғқңөұүһі"),
    "ky": _letters(_RU + "ңөү"),
    "tt": _letters(_RU + "әҗңөүһ"),
    "mn": _letters(_RU + "өү"),
    "tg": _letters(_RU + "ғӣқӯҳҷ"),
    # Arabic script: Arabic's own yeh and kaf (ي ك), ta marbuta (ة) and alef maksura (ى) against
    # the Persian-style yeh and kaf (ی ک) the others use, and each language's own letters.
    "ar": _letters("ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيٱڤڨ"),
    "fa": _letters("ءآأؤئابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیۀة"),
    "ur": _letters("ءآأؤئابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھیےۃۂۓ"),
    "ckb": _letters("ئابپتجچحخدرڕزژسشعغفڤقکگلڵمنوۆهھەیێثذصضطظءآإأة"),
    "ps": _letters("ءآأؤئابپتټثجځچڅحخدډذرړزژږسشښصضطظعغفقکګگلمنڼوهۀیېۍيك"),
    "ug": _letters("ئابپتجچخدرزژسشغفقكگڭلمنھوۇۆۈۋېىيە"),
}
