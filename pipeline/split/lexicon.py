"""Words and patterns that help the splitter, in the languages the sites publish in (pure data).

Word lists are one signal among several (position, length, punctuation, cohesion, language, site
memory); each list covers at least English, Turkish, Arabic, Kurdish (Sorani and Kurmanji), Persian,
French, Spanish, German, Italian and Russian. Patterns are case-insensitive and matched against a
whole paragraph unless said otherwise.
"""

from __future__ import annotations

import re


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


#: Headings that introduce a list of other stories.
RELATED_HEADINGS = [
    # en
    "related news",
    "related stories",
    "related articles",
    "related",
    "more news",
    "more stories",
    "more from",
    "read more",
    "see also",
    "also read",
    "read also",
    "you may also like",
    "recommended",
    "most read",
    "most popular",
    "latest news",
    "top stories",
    "trending",
    "editor's picks",
    "in other news",
    "more on this story",
    "other news",
    # tr
    "ilgili haberler",
    "ilgili haber",
    "benzer haberler",
    "diğer haberler",
    "daha fazla haber",
    "bunlar da ilginizi çekebilir",
    "ilginizi çekebilir",
    "bunu da okuyun",
    "bunu da okuyabilirsiniz",
    "son dakika",
    "çok okunanlar",
    "en çok okunanlar",
    "öne çıkanlar",
    "gündem",
    "ayrıca okuyun",
    "ayrıca bakınız",
    "son haberler",
    "editörün seçtikleri",
    # ar
    "أخبار ذات صلة",
    "اخبار ذات صلة",
    "مواضيع ذات صلة",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "إقرأ أيضاً",
    "الأكثر قراءة",
    "الأكثر مشاهدة",
    "آخر الأخبار",
    "أخبار أخرى",
    "اخبار اخرى",
    "قد يهمك أيضا",
    "قد يعجبك أيضا",
    "المزيد من الأخبار",
    "شاهد أيضا",
    # fa
    "اخبار مرتبط",
    "خبرهای مرتبط",
    "مطالب مرتبط",
    "بیشتر بخوانید",
    "بخوانید",
    "پربازدیدترین",
    "آخرین اخبار",
    "اخبار دیگر",
    "مطالب پیشنهادی",
    "همچنین بخوانید",
    # ckb
    "هەواڵی پەیوەندیدار",
    "هەواڵە پەیوەندیدارەکان",
    "هەواڵی تر",
    "زیاتر بخوێنەوە",
    "بخوێنەوە",
    "دوایین هەواڵەکان",
    "زۆرترین خوێندراو",
    # kmr
    "nûçeyên têkildar",
    "nûçeyên din",
    "bixwîne",
    "bixwînin",
    "herwiha bixwînin",
    "herwiha bixwîne",
    "herî zêde hatine xwendin",
    "nûçeyên dawî",
    "zêdetir bixwîne",
    # fr
    "à lire aussi",
    "a lire aussi",
    "lire aussi",
    "à voir aussi",
    "sur le même sujet",
    "articles liés",
    "les plus lus",
    "dernières actualités",
    "dans l'actualité",
    "voir aussi",
    "à découvrir",
    # es
    "noticias relacionadas",
    "lea también",
    "lee también",
    "te puede interesar",
    "puede interesarte",
    "lo más leído",
    "más noticias",
    "últimas noticias",
    "también te puede interesar",
    "relacionado",
    # de
    "mehr zum thema",
    "auch interessant",
    "das könnte sie auch interessieren",
    "lesen sie auch",
    "weitere nachrichten",
    "meistgelesen",
    "verwandte artikel",
    "passend zum thema",
    "weitere artikel",
    # it
    "leggi anche",
    "notizie correlate",
    "articoli correlati",
    "potrebbe interessarti",
    "i più letti",
    "ultime notizie",
    "altre notizie",
    # ru
    "читайте также",
    "читайте еще",
    "читайте ещё",
    "похожие новости",
    "другие новости",
    "по теме",
    "самое читаемое",
    "последние новости",
    "смотрите также",
    "вам может быть интересно",
    "новости по теме",
    # nl, pt
    "lees ook",
    "meer nieuws",
    "gerelateerd",
    "leia também",
    "notícias relacionadas",
    "mais notícias",
    "também pode gostar",
    "veja também",
    "leia mais",
    "ook interessant",
    "meer lezen",
    # az, ur
    "digər xəbərlər",
    "oxşar xəbərlər",
    "həmçinin oxuyun",
    "bunu da oxuyun",
    "son xəbərlər",
    "مزید خبریں",
    "متعلقہ خبریں",
    "یہ بھی پڑھیں",
    "تازہ ترین",
    # "latest", "breaking"
    "lo último",
    "lo más reciente",
    "ultim'ora",
    "en continu",
    "neueste",
    "последнее",
]
#: The phrase may open a longer label: "Weitere Nachrichten aus Köln", "Potrebbe interessarti anche".
RELATED_HEADING = re.compile(
    rf"^\W*(?:{_alternation(RELATED_HEADINGS)})\b[^.!?:;]{{0,40}}$", re.IGNORECASE | re.UNICODE
)
#: An inline "Read also: <headline>" line inside an article body.
READ_ALSO_LINE = re.compile(
    rf"^\W*(?:{_alternation(RELATED_HEADINGS)})\s*[:：\-–—|»>]\s*\S", re.IGNORECASE | re.UNICODE
)


class Keywords:
    """Case-insensitive "does the text contain any of these phrases" - plain substring search, which is
    much faster than a regex alternation of many literals (it runs on every paragraph)."""

    def __init__(self, *phrases: str) -> None:
        # "YASAL UYARI" case-folds to "yasal uyari": keep a dotless-i-free variant of Turkish phrases
        folded = {p.casefold() for p in phrases}
        self.phrases = tuple(sorted(folded | {p.replace("ı", "i") for p in folded}))

    def search(self, text: str) -> bool:
        return any(map(text.casefold().__contains__, self.phrases))


#: Legal and copyright notices.
LEGAL = Keywords(
    "©",
    "(c) 20",
    "copyright",
    "all rights reserved",
    "legal warning",
    "legal notice",
    "disclaimer",
    "tüm hakları saklıdır",
    "her hakkı saklıdır",
    "yasal uyarı",
    "izinsiz kullanılamaz",
    "kaynak gösterilmeden",
    "جميع الحقوق محفوظة",
    "حقوق النشر",
    "كافة الحقوق محفوظة",
    "تنويه قانوني",
    "تمامی حقوق",
    "کلیه حقوق",
    "همه حقوق",
    "حقوق این سایت",
    "استفاده از مطالب",
    "هەموو مافەکان",
    "مافی بڵاوکردنەوە",
    "hemû maf",
    "mafên weşanê",
    "tous droits réservés",
    "droits de reproduction",
    "mentions légales",
    "avertissement légal",
    "todos los derechos reservados",
    "aviso legal",
    "derechos de autor",
    "alle rechte vorbehalten",
    "rechtlicher hinweis",
    "nachdruck nur mit",
    "tutti i diritti riservati",
    "riproduzione riservata",
    "все права защищены",
    "перепечатка",
    # "all rights reserved" and "do not reproduce" in the languages of the press (tie-breaker: a
    # legal notice has no shape of its own; site memory catches the ones no list names)
    "todos os direitos reservados",
    "alle rechten voorbehouden",
    "wszelkie prawa zastrzeżone",
    "všechna práva vyhrazena",
    "všetky práva vyhradené",
    "toate drepturile rezervate",
    "minden jog fenntartva",
    "alla rättigheter förbehållna",
    "alle rettigheder forbeholdes",
    "alle rettigheter reservert",
    "kaikki oikeudet pidätetään",
    "sva prava pridržana",
    "sva prava zadržana",
    "сва права задржана",
    "всички права запазени",
    "усі права захищені",
    "всі права захищені",
    "με επιφύλαξη παντός δικαιώματος",
    "απαγορεύεται η αναδημοσίευση",
    "כל הזכויות שמורות",
    "सर्वाधिकार सुरक्षित",
    "সর্বস্বত্ব সংরক্ষিত",
    "جملہ حقوق محفوظ",
    "hak cipta dilindungi",
    "bản quyền thuộc về",
    "สงวนลิขสิทธิ์",
    "무단 전재",
    "무단전재",
    "版权所有",
    "版权声明",
    "未经授权",
    "不得转载",
    "無断転載",
    "haki zote zimehifadhiwa",
    "bütün hüquqlar qorunur",
    "gbogbo ẹ̀tọ́",
    "при использовании материалов",
    "правовая информация",
    "hüquqi xəbərdarlıq",
    "todos os direitos reservados",
    "alle rechten voorbehouden",
    "جملہ حقوق محفوظ",
)
#: Words for "rights" and "reserved": together they make a copyright notice in any word order.
RIGHTS = Keywords(
    "rights",
    "droits",
    "derechos",
    "direitos",
    "rechte",
    "diritti",
    "hakları",
    "hakkı",
    "حقوق",
    "права",
    "مافەکان",
    "maf",
    "hüquq",
    "rechten",
)
RESERVED = Keywords(
    "reserved",
    "réservés",
    "reservados",
    "vorbehalten",
    "riservati",
    "saklı",
    "محفوظة",
    "محفوظ",
    "защищены",
    "پارێزراون",
    "parastî",
    "qorunur",
    "voorbehouden",
)
#: Cookie banners can be long; they are boilerplate at any length.
COOKIES = Keywords("cookie", "çerez", "ملفات تعريف الارتباط", "کوکی", "کووکی", "témoins de connexion", "куки")

#: Contact lines: a phone number or an e-mail address in a short paragraph.
PHONE = re.compile(r"\+?\d[\d ()-]{8,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+", re.UNICODE)


class _Prompt:
    """Share, print, subscribe, follow, cookie and app prompts (short paragraphs only): whole words
    for a few short English ones ("share", "print"), phrases for the rest (substring search: a regex
    alternation of this many literals costs twenty times more)."""

    WORDS = re.compile(r"\b(?:share|tweet|print|e-?mail)\b", re.IGNORECASE)
    PHRASES = Keywords(
        "whatsapp",
        "telegram",
        "facebook",
        "twitter",
        "subscribe",
        "newsletter",
        "copy link",
        "send by",
        "listen to this",
        "kopyala",
        "yazdır",
        "gönder",
        "envoyer",
        "imprimer",
        "copier le lien",
        "enviar",
        "imprimir",
        "drucken",
        "link kopieren",
        "stampa",
        "invia",
        "отправить",
        "распечатать",
        "скопировать",
        "طباعة",
        "إرسال",
        "نسخ الرابط",
        "چاپ",
        "ارسال",
        "cookie",
        "download our app",
        "download the app",
        "follow us",
        "sign up",
        "log in",
        "accept all",
        "privacy policy",
        "advertisement",
        "paylaş",
        "abone ol",
        "bülten",
        "çerez",
        "uygulamamızı indir",
        "bizi takip edin",
        "reklam",
        "شارك",
        "مشاركة",
        "واتساب",
        "فيسبوك",
        "تويتر",
        "تلغرام",
        "اشترك",
        "النشرة البريدية",
        "ملفات تعريف الارتباط",
        "تابعونا",
        "حمّل تطبيق",
        "حمل تطبيق",
        "إعلان",
        "اشتراک",
        "عضویت",
        "خبرنامه",
        "کوکی",
        "ما را دنبال کنید",
        "دانلود اپلیکیشن",
        "تبلیغات",
        "بەشداربە",
        "هاوبەشی",
        "ئابوونە",
        "بمانبینە",
        "parve bike",
        "bibe abone",
        "partager",
        "abonnez-vous",
        "témoins",
        "suivez-nous",
        "téléchargez notre application",
        "publicité",
        "compartir",
        "suscríbete",
        "suscribirse",
        "boletín",
        "síguenos",
        "descarga nuestra app",
        "publicidad",
        "teilen",
        "abonnieren",
        "datenschutz",
        "folgen sie uns",
        "laden sie unsere app",
        "anzeige",
        "werbung",
        "condividi",
        "iscriviti",
        "seguici",
        "scarica la nostra app",
        "pubblicità",
        "partilhar",
        "compartilhar",
        "subscrever",
        "subscreva",
        "assine",
        "descarregue",
        "baixe o app",
        "siga-nos",
        "delen",
        "abonneer",
        "download onze app",
        "volg ons",
        "abunə ol",
        "bizi izləyin",
        "paylaşın",
        "شیئر",
        "سبسکرائب",
        "ہمیں فالو کریں",
        "поделиться",
        "подпишитесь",
        "подписывайтесь",
        "подписаться",
        "рассылк",
        "файлы cookie",
        "куки",
        "скачайте приложение",
        "реклама",
        "login",
        # brands and stores are written the same in every language
        "instagram",
        "youtube",
        "tiktok",
        "linkedin",
        "pinterest",
        "google play",
        "app store",
        "appstore",
        "viber",
        "ctrl+enter",
    )

    def search(self, text: str) -> bool:
        return self.PHRASES.search(text) or bool(self.WORDS.search(text))


PROMPT = _Prompt()
#: Prompts are short; a long paragraph mentioning "Facebook" is news.
PROMPT_MAX_CHARS = 160

#: A comments section heading ("Comments (3)", "Yorumlar", "Комментарии" ...).
COMMENTS_HEADING = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|reader comments|leave a comment|yorumlar|yorum yap|yorum|okur yorumları"
    r"|التعليقات|تعليقات|أضف تعليق|نظرات|دیدگاه|ثبت نظر|بۆچوونەکان|لێدوان|şîrove"
    r"|commentaires|réagissez|comentarios|deja un comentario|kommentare|kommentar schreiben|commenti"
    r"|комментарии|комментариев|оставить комментарий)\b\W*(?:\(?\d+\)?)?\W*$",
    re.IGNORECASE | re.UNICODE,
)

#: Tags, breadcrumbs, bylines, photo credits, "updated" lines: paragraph-level metadata.
METADATA = re.compile(
    r"^(?:[^\W\d_]+\s){0,2}(?:tags?|etiketler|keywords|anahtar kelimeler|الوسوم|كلمات مفتاحية|برچسب‌ها"
    r"|برچسب ها|تاگ"
    r"|mots-clés|etiquetas|schlagworte|schlagwörter|parole chiave|теги|метки|ключевые слова"
    r"|by|yazan|muhabir|haber merkezi|كتبت|كتب|بقلم|نویسنده|خبرنگار|par|por|von|di|автор"
    r"|фото|photo|foto|fotoğraf"
    r"|صورة|عکس|وێنە|wêne|grafik|graphic|chart|infografik|infographie|gráfico|grafico|video|vídeo|видео|график"
    r"|güncelleme|updated|published|yayınlanma|mis à jour|publié|actualizado|publicado"
    r"|aktualisiert|veröffentlicht|aggiornato|pubblicato|обновлено|опубликовано)\s*[:：]",
    re.IGNORECASE | re.UNICODE,
)
#: A byline or an "updated" line: "By Jane Doe", "di Salvatore Greco", "Mis à jour le 22 janvier 2026".
BYLINE = re.compile(
    r"^(?:by|di|par|por|von|door|de|от|بقلم|از|ji aliyê)\s+\w+(?:[\s.|,/·-]+\w+){0,4}$"
    r"|^(?:last\s+)?(?:updated|published|posted|mis à jour|publié|actualizado|publicado|aktualisiert|stand"
    r"|veröffentlicht|aggiornato|pubblicato|güncellendi|güncelleme|yayınlandı|обновлено|опубликовано"
    r"|تم التحديث|نشر في|به‌روزرسانی)\b.{0,60}\d",
    re.IGNORECASE | re.UNICODE,
)
BREADCRUMB = re.compile(r"^[^.!?]{1,120}(?:\s[>»›/|]\s[^.!?]{1,40}){2,}$", re.UNICODE)

#: Relative times and clock times around teasers ("3 hours ago", "2 saat önce", "14:35", "Ayer, 21:40").
TIMESTAMP = re.compile(
    r"(?:(?:yesterday|today|dün|bugün|dünən|ayer|hoy|ontem|hoje|gisteren|vandaag|hier|aujourd'hui|gestern|heute"
    r"|ieri|oggi|вчера|сегодня|أمس|اليوم"
    r"|دیروز|امروز|دوێنێ|ئەمڕۆ|duh|îro),?\s*(?=\d)"
    r"|\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|dakika|saat|gün|hafta|دقيقة|دقائق|ساعة|ساعات|يوم|أيام"
    r"|دقیقه|ساعت|روز|خولەک|کاتژمێر|ڕۆژ|deqîqe|roj|heures?|jours?|horas?|días?|minutos?|stunden?|tagen?"
    r"|minuten?|ore|giorni|минут[ау]?|час(?:а|ов)?|дн(?:я|ей)|день|dəqiqə|uur|dagen|منٹ|گھنٹے|گھنٹہ|دن)"
    r"\s*(?:ago|önce|önce|مضت|قبل|پیش|لەمەوبەر|berê|avant|atrás|vor|fa|назад|əvvəl|geleden|پہلے)?"
    r"|(?:il y a|hace|há|vor|منذ|قبل|قبل از)\s*\d+\s*\w+"
    r"|\b\d{1,2}[:.]\d{2}\b(?:\s*(?:am|pm|uhr|h))?"
    r"|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ocak|şubat|mart|nisan|mayıs|haziran"
    r"|temmuz|ağustos|eylül|ekim|kasım|aralık)\w*\s+\d{4}\b)",
    re.IGNORECASE | re.UNICODE,
)

#: An agency credit closing an article: "... (ILKHA)", "(AA)", "- Reuters", "/AFP/", "(ТАСС)".
AGENCY_END = re.compile(
    r"(?:\(\s*(?P<paren>[A-Z\u0410-\u042f\u0600-\u06ff][\w\u0600-\u06ff.\-/ ]{0,18}?)\s*\)"
    r"|[-–—]\s*(?P<dash>Reuters|AFP|AP|dpa|EFE|ANSA|Anadolu|Xinhua|TASS|ТАСС|РИА Новости|Интерфакс)"
    r"|/(?P<slash>[A-Z]{2,8})/)\s*$",
    re.UNICODE,
)
#: A dateline opening an article: "ANKARA (AA) – ", "PARIS (AFP) - ", "МОСКВА, 14 февраля. /ТАСС/. ",
#: "Gəncə, 20 fevral, AZƏRTAC. ".
DATELINE = re.compile(
    r"^(?P<place>[A-ZÇĞİÖŞÜÂÊÎÔÛÄÖÜÉÈÀ\u0410-\u042f\u0600-\u06ff][\w\u0600-\u06ff .,'’-]{1,40}?)\s*"
    r"(?:\((?P<agency>[\w\u0600-\u06ff.\- ]{2,20})\)\s*\.?\s*[-–—:]"
    r"|/(?P<slashed>[\w\u0600-\u06ff.\- ]{2,20})/\s*[.:-–—]?"
    r"|,\s*(?P<caps>[A-ZƏÇĞİÖŞÜ\u0410-\u042f]{2,12})\s*[.:–—-])\s+",
    re.UNICODE,
)
#: Page headlines of news-in-brief roundups.
ROUNDUP_HEADING = re.compile(
    r"^\W*(?:news in brief|in brief|briefly|briefs|round-?up|kısa kısa|kısaca|günün özeti|коротко"
    r"|новости коротко"
    r"|en bref|brèves|en breve|breves|kurz gemeldet|kurz notiert|in kürze|in breve|notizie in breve"
    r"|باختصار|موجز الأخبار|أخبار موجزة|خلاصه اخبار|اخبار کوتاه|بە کورتی|bi kurtî|em resumo|kort nieuws)\b",
    re.IGNORECASE | re.UNICODE,
)
#: Credits that are agency names even when written in lower or mixed case.
KNOWN_AGENCIES = {
    "aa",
    "ilkha",
    "anf",
    "dha",
    "iha",
    "irna",
    "isna",
    "reuters",
    "afp",
    "ap",
    "dpa",
    "efe",
    "ansa",
    "tass",
    "тасс",
    "риа новости",
    "интерфакс",
    "xinhua",
    "wam",
    "spa",
    "ina",
    "واع",
    "واس",
    "ايرنا",
    "ایرنا",
    "ایسنا",
    "rudaw",
    "mezopotamya",
    "ma",
    "bianet",
    "europa press",
    "kna",
    "qna",
    "mena",
    "sana",
    "petra",
}
