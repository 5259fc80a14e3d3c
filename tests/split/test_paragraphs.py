"""What a paragraph looks like, in any script (lines written for these tests)."""

from __future__ import annotations

import pytest

from pipeline.split.paragraphs import Kind, classify, is_heading, word_count
from pipeline.split.tails import labelled_link


def test_words_of_scripts_without_spaces_between_words_are_estimated() -> None:
    thai_headline = "ฝนตกหนักทั่วภาคใต้ น้ำท่วมหลายอำเภอ"
    thai_sentence = (
        "กรมป้องกันและบรรเทาสาธารณภัยรายงานว่าฝนที่ตกต่อเนื่องตลอดสามวันทำให้น้ำท่วมบ้านเรือนประชาชน"
        "มากกว่าสองพันหลังคาเรือนในจังหวัดสงขลาและปัตตานี"
    )
    assert is_heading(thai_headline) and not is_heading(thai_sentence)
    assert word_count(thai_sentence) > 18 and word_count("Three plain words") == 3


@pytest.mark.parametrize(
    "line",
    [
        "2025/12/15 14:32 송고",
        "Středa 4. března 2026, 9:40",
        "আপডেট: ১২ মার্চ ২০২৬, সকাল ৯:১০",
        "แก้ไขล่าสุด 3 ม.ค. 2569 10:15 น.",
    ],
)
def test_a_date_with_a_clock_time_is_metadata_in_any_digits(line: str) -> None:
    assert classify(line) is Kind.METADATA


def test_a_labelled_list_of_short_items_is_metadata_and_a_sentence_is_not() -> None:
    assert classify("Etiketa: ekonomija, porezi, Vlada, budžet") is Kind.METADATA
    assert (
        classify("Sudionici: ministar, gradonačelnik i sindikati dogovorili su novi sporazum.") is Kind.TEXT
    )


def test_one_word_and_a_count_is_a_comments_heading() -> None:
    assert classify("Kommentit 12") is Kind.COMMENTS_HEADING
    assert classify("Apollo program reaches its goal") is Kind.HEADING


@pytest.mark.parametrize(
    "line",
    [
        "▶ Lees ook: Gemeente schrapt subsidie voor buurthuizen",
        "[Tin liên quan] Giá xăng giảm lần thứ ba liên tiếp",
        "【関連記事】円安が一段と進む、輸出企業は好決算",
    ],
)
def test_a_labelled_link_may_open_with_a_bullet_or_a_bracketed_label(line: str) -> None:
    assert labelled_link(line)
