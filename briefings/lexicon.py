"""The English word lists the engine reads by: one home for each.

Months, weekdays, seasons, number words, abbreviations, titles and the stop-word lists used to
live in the module that first needed them, and some were copied into a second or third module
that then drifted.  They live here; the modules import them under their old local names.

The stop-word lists are several on purpose, each named for the question it answers: words a
search drops, words a summary does not score, words that say nothing about what a line is
about.  They differ because those questions differ, not by accident.
"""

from __future__ import annotations

# ------------------------------------------------------------------------ calendar words

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
#: Month number by the first three letters of its name ("sep" -> 9).
MONTH_NUMBERS = {m.lower()[:3]: i + 1 for i, m in enumerate(MONTH_NAMES)}

# ------------------------------------------------------------------------- number words

#: Units and teens, with the article that counts one ("a year ago").
NUMBER_UNITS = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
NUMBER_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
#: The words an anniversary line counts years in ("forty years ago today"): no article,
#: no zero, and "hundred".
YEARS_AGO_NUMBER_WORDS = {
    **{word: n for word, n in NUMBER_UNITS.items() if n and word not in {"a", "an"}},
    **NUMBER_TENS,
    "hundred": 100,
}

# ------------------------------------------------------------------------- abbreviations

#: Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st gen col lt sgt capt cmdr adm gov sen rep pres amb
    messrs mme mlle no nos vol fig jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp dept univ est approx vs etc al e.g i.e u.s u.k u.n u.s.a""".split()
)

# -------------------------------------------------------------------------------- titles

#: Words of a title or role that precede a name and are not part of it.
TITLES = frozenset(
    """president vice-president vice prime premier minister ministers deputy first secretary
    secretary-general general chancellor vice-chancellor king queen prince princess crown emir amir
    sheikh sheik sultan shah pope governor senator sen rep representative congressman congresswoman
    ambassador envoy spokesman spokeswoman spokesperson chairman chairwoman chairperson chair
    director director-general head chief commissioner commander leader mr mrs ms miss mme madam
    madame dr prof professor mayor lord lady sir dame cardinal archbishop bishop rev reverend gen
    col lt maj capt adm admiral marshal sgt acting former foreign defense defence interior finance
    trade state national security adviser advisor counselor counsellor aide official assistant
    undersecretary under-secretary president-elect presidential executive ceo justice judge speaker
    delegate press affairs economy energy economic development health education agriculture culture
    emergencies transport senior special permanent grand supreme ayatollah imam crown-prince
    monsieur herr messrs mesdames excellency highness majesty his her""".split()
)
#: Titles that say the name after them is a person's.
PERSON_TITLES = frozenset(
    """president vice-president prime premier minister secretary secretary-general chancellor
    king queen prince princess emir amir sheikh sheik sultan shah pope governor senator sen rep
    congressman congresswoman ambassador envoy spokesman spokeswoman spokesperson chairman
    chairwoman chairperson director director-general commissioner commander leader mr mrs ms miss
    mme madam madame dr prof professor mayor lord lady sir dame cardinal archbishop bishop rev
    reverend gen col lt maj capt adm admiral marshal sgt adviser advisor counselor counsellor aide
    president-elect judge ayatollah imam monsieur herr""".split()
)
MALE_TITLES = frozenset("mr king prince sir lord monsieur herr sheikh sheik emir sultan".split())
FEMALE_TITLES = frozenset("mrs ms miss mme madam madame queen princess lady dame".split())
#: Words an entity span may start with before the name itself (titles as printed, with their
#: dots, and the office words that precede a leader's name): trimmed off, together with a word
#: qualifying them ("Norlandic President", "U.S. Senator"; see stages/entities.py).
NAME_PREFIX_WORDS = frozenset(
    """president presidents prime minister ministers mr mr. mrs mrs. ms ms. dr dr. sir madam
    king queen prince princess chancellor secretary general secretary-general sheikh emir
    ambassador advisor adviser senator governor mayor premier vice deputy foreign defense
    defence state national security chairman chair spokesman spokeswoman spokesperson envoy
    leader commander general gen. colonel lt. captain director head chief his her excellency
    acting former late""".split()
)

# ---------------------------------------------------------------------------- stop words

#: Words that match nearly every passage; dropped from a search that has other words.
SEARCH_STOP_WORDS = frozenset(
    """a an and are as at be but by for from had has have he her his i in is it its of on or
    our she that the their them there these they this to was we were what which who will with
    would you""".split()
)
#: Words a summary does not score a sentence by (function words, speech verbs, titles).
SUMMARY_STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves said says
    say also one two would could may might must shall upon us new year years mr ms mrs""".split()
)
#: Words that do not make two claims' topics different ("the declaration named …").
CONFLICT_STOP_WORDS = frozenset(
    """the of for and a an in on to as is was be by with its it this that from at named naming
    name declaration declared welcomed he she they year next last this""".split()
)
#: English function words: they say nothing about what a line is about.
FUNCTION_WORDS = frozenset(
    """about above after again against also although among another around because been before
    being below between both could does doing down during each either every from further have
    having here into itself just more most much must never only other ought over same shall
    should since some such than that their them then there these they this those though
    through under until upon very were what when where which while whom whose will with within
    without would your yours""".casefold().split()
)
#: The short words that may join the capitalised words of a name or heading ("Bank of the …").
NAME_FUNCTION_WORDS = frozenset(
    ["of", "the", "and", "for", "in", "on", "at", "to", "a", "an", "with", "by", "or", "from"]
)
