"""The language tables: every engine label maps to a BCP-47 code written in a known script."""

from __future__ import annotations

from pipeline.language import codes, engines

# every label of fastText's lid.176 model
LID176 = (
    "af als am an ar arz as ast av az azb ba bar bcl be bg bh bn bo bpy br bs bxr ca cbk ce ceb ckb co "
    "cs cv cy da de diq dsb dty dv el eml en eo es et eu fa fi fr frr fy ga gd gl gn gom gu gv he hi hif "
    "hr hsb ht hu hy ia id ie ilo io is it ja jbo jv ka kk km kn ko krc ku kv kw ky la lb lez li lmo lo "
    "lrc lt lv mai mg mhr min mk ml mn mr mrj ms mt mwl my myv mzn nah nap nds ne new nl nn no oc or os "
    "pa pam pfl pl pms pnb ps pt qu rm ro ru rue sa sah sc scn sco sd sh si sk sl so sq sr su sv sw ta "
    "te tg th tk tl tt tyv ug uk ur uz vec vep vi vls wa war wuu xal xmf yi yo yue zh"
).split()


def test_every_engine_label_is_written_in_some_script() -> None:
    written = set().union(*codes.SCRIPT_LANGUAGES.values())
    labels = set(LID176) | set(engines.LANGDETECT_LANGUAGES) | {"zh-cn", "zh-tw"}
    assert {codes.FOLD.get(label, label) for label in labels} <= written


def test_codes_are_bcp47_primary_subtags() -> None:
    assert codes.FOLD["ku"] == "kmr"  # fastText's Kurdish is Kurmanji
    written = set().union(*codes.SCRIPT_LANGUAGES.values())
    assert all(code.isalpha() and code.islower() and len(code) in (2, 3) for code in written)


def test_alphabets_are_lowercase_letters() -> None:
    for lang, alphabet in codes.ALPHABETS.items():
        assert all(ch.isalpha() or ch in "'’·ʻʼ" for ch in alphabet), lang
        assert all(not ch.isupper() for ch in alphabet), lang


def test_languages_engines_confuse_differ_in_letters() -> None:
    a = codes.ALPHABETS
    assert "ə" in a["az"] - a["tr"]
    assert "ê" in a["kmr"] - a["tr"]
    assert {"ە", "ێ", "ڵ"} <= a["ckb"] - a["fa"]
    assert {"ے", "ں"} <= a["ur"] - a["fa"]
    assert {"ي", "ة"} <= a["ar"] - a["ur"]
    assert {"і", "ї"} <= a["uk"] - a["ru"]
