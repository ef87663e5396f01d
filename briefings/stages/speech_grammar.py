"""The surface grammar of speakers and speech: a capitalised name run, the speech verbs and nouns,
the adverbs between a subject and its verb, and the word lists that tell a name from an
organisation, a place or a sentence opener.

Split from :mod:`briefings.stages.speakers` (which reads people out of an article with it); the
quote patterns (:mod:`briefings.stages.quote_patterns`) are built from the same fragments.
"""

from __future__ import annotations

import re

from briefings.lexicon import PERSON_TITLES as PERSON_TITLES
from briefings.lexicon import TITLES as TITLES


def _wordset(words: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list (keeps long lists readable)."""
    return frozenset(words.split())


# Upper-case letters of Latin (with accents), Greek and Cyrillic, for capitalized-word regexes.
_UPPER = "".join(
    ch
    for ch in map(chr, [*range(0x41, 0x250), *range(0x391, 0x3AA), *range(0x400, 0x430)])
    if ch.isupper()
)
_CAP = f"[{_UPPER}]"
# One capitalized token: "Putin", "Ki-moon", "O'Neill", "Mr.", "U.S.", "J.", "Lind’s".
_ABBREVIATED = (
    r"(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Capt|Maj|Sgt|Adm|Prof|Jr|Sr|Rev|Mme|Messrs)"
)
CAP_TOKEN = (
    rf"(?:{_CAP}\.(?:{_CAP}\.)+|{_ABBREVIATED}\.|{_CAP}\.(?![\w])|{_CAP}[\w’'\-]*"
    rf"|(?:al|el|bin|ibn|ul|ad|as)-{_CAP}[\w’'\-]*)"
)
_SPACE = r"[ \t\u00a0]+"
# Lower-case particles inside a name ("Ana de Souza", "President of Norland Maria Lind").
_PARTICLE = (
    r"(?:da|de|di|do|dos|das|du|del|della|der|den|van|von|ter|al|el|bin|ibn|ben|la|le|y|of"
    rf"|of{_SPACE}the)"
)
#: A run of capitalized tokens, possibly joined by name particles.
NAME_RUN = rf"{CAP_TOKEN}(?:{_SPACE}(?:{_PARTICLE}{_SPACE})*{CAP_TOKEN})*"

#: Verbs that introduce speech (lower case, as they stand after a subject).
SPEECH_VERBS: frozenset[str] = _wordset(
    # Present-tense forms that double as plural nouns ("states", "notes", "calls") are left out:
    # "many EU states" must not read as "EU states (that)".
    "said says say added adds told tells stated declared announced noted stressed stresses "
    "emphasized emphasised emphasizes emphasises underlined underscored explained explains "
    "remarked commented observed insisted insists argued argues asserted asserts claimed warned "
    "warns urged asked asks replied responded answered continued concluded recalled wrote writes "
    "quipped acknowledged admitted conceded confirmed reiterated described called predicted "
    "promised pledged vowed suggested proposed cautioned mentioned highlighted assured reminded "
    "joked exclaimed complained boasted tweeted contended maintained repeated proclaimed affirmed "
    "elaborated clarified opined"
)
_MULTIWORD_VERBS = ("pointed out", "points out", "put it", "puts it", "summed up", "went on")
#: Speech verbs that can stand before the speaker ("…,” said Brown): not the ones whose object
#: is the listener or the thing described ("told Brown", "described Brown").
_INVERTIBLE = frozenset(SPEECH_VERBS) - {
    "told", "tells", "urged", "reminded", "assured", "called", "described", "highlighted",
    "mentioned", "asked", "asks", "promised", "pledged", "warned", "warns", "recalled",
    "proposed", "suggested",
}  # fmt: skip
_VERB_FORMS = [
    *(v.replace(" ", r"\s+") for v in _MULTIWORD_VERBS),
    *sorted(SPEECH_VERBS, key=len, reverse=True),
]
SPEECH_VERB_RE = "(?:" + "|".join(_VERB_FORMS) + ")"
INVERTIBLE_VERB_RE = "(?:" + "|".join(sorted(_INVERTIBLE, key=len, reverse=True)) + ")"
#: Nouns naming an utterance ("Lind’s statement, “…”").
SPEECH_NOUN_RE = (
    r"(?:statement|words|remarks?|comments?|message|speech|address|reply|response|answer|appeal|"
    r"warning|tweet|post|letter|declaration|assessment|view|conclusion|position|promise|pledge|"
    r"call|note|greeting)"
)
#: Adverbs that may stand between a subject and its speech verb.
ADVERB_RE = (
    r"(?:also|then|later|again|further|once\s+again|earlier|previously|recently|once|has|had|have|"
    r"had\s+earlier|would|will|has\s+also|had\s+also|reportedly|repeatedly|publicly|simply|"
    r"separately|firmly|bluntly|openly|clearly|specifically|angrily|emphatically)"
)

#: Capitalized words that start a sentence or phrase but never a name.
_LEADING_STOP = _wordset(
    """the a an this that these those his her its their our my your at on in by for from with
    after before during as while when where but and or so yet meanwhile however also then today
    yesterday tomorrow earlier later still now thus here there speaking according asked both
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december if although though since until because
    instead indeed moreover furthermore besides nevertheless finally first second third some
    many several others other all most few each every none no any such afterwards afterward
    separately elsewhere overall additionally similarly likewise nonetheless notably specifically
    initially ultimately recently currently previously subsequently accordingly consequently hence
    therefore again even only just perhaps maybe clearly importantly unfortunately fortunately
    officially publicly privately addressing responding commenting following despite amid among
    under over about against through throughout within without upon into toward towards via per
    unlike like including regarding concerning once last next yes well dear ladies gentlemen
    friends colleagues thank thanks please let critics officials analysts experts observers
    diplomats leaders protesters residents participants delegates journalists reporters sources
    witnesses organizers organisers authorities activists lawmakers legislators ministers members
    representatives economists scientists opponents supporters everyone everybody nobody someone
    people citizens voters i you we they he she it me us them him who what which why how whom
    whose one"""
)
#: Words that mark an organization or a place rather than a person.
ORG_WORDS = _wordset(
    """service ministry office council committee commission department agency bank fund union
    organization organisation assembly parliament government house court party forces army navy
    guard police kremlin duma senate congress cabinet administration embassy mission delegation
    federation republic kingdom states nations alliance community group center centre institute
    university foundation association corporation company news press times post radio
    television tv summit conference forum programme program council's secretariat nato asean
    world europe african european asian american russian chinese british french german
    international global united south north east west new saudi arab gulf capital city island
    islands region province street square palace hall games olympics reuters agence"""
)
#: Countries and capitals (one word each), so "Russia said" or "Moscow says" is not a person.
PLACE_WORDS = _wordset(
    """afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan
    bahamas bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia
    herzegovina botswana brazil brunei bulgaria burkina burundi cambodia cameroon canada chad chile
    china colombia comoros congo croatia cuba cyprus czechia czech denmark djibouti dominica
    ecuador egypt eritrea estonia eswatini ethiopia fiji finland france gabon gambia georgia
    germany ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india
    indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya kiribati korea
    kosovo kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein lithuania
    luxembourg madagascar malawi malaysia maldives mali malta mauritania mauritius mexico
    micronesia moldova monaco mongolia montenegro morocco mozambique myanmar namibia nauru nepal
    netherlands nicaragua niger nigeria macedonia norway oman pakistan palau palestine panama
    paraguay peru philippines poland portugal qatar romania russia rwanda samoa senegal serbia
    seychelles singapore slovakia slovenia somalia spain sudan suriname sweden switzerland syria
    taiwan tajikistan tanzania thailand togo tonga trinidad tobago tunisia turkey turkiye
    turkmenistan tuvalu uganda ukraine uruguay uzbekistan vanuatu vatican venezuela vietnam yemen
    zambia zimbabwe britain england scotland wales america africa asia arabia emirates zealand
    lanka timor verde leone crimea donbass donbas abkhazia ossetia karabakh garabagh
    moscow beijing washington london paris berlin tokyo kyiv kiev ankara tehran brussels delhi
    islamabad kabul baghdad damascus cairo riyadh minsk baku yerevan tbilisi astana tashkent
    bishkek dushanbe ashgabat pyongyang seoul taipei hanoi jakarta manila bangkok canberra ottawa
    rome madrid lisbon warsaw prague budapest vienna bern stockholm oslo helsinki copenhagen
    athens sofia bucharest belgrade zagreb chisinau vilnius riga tallinn dublin brasilia caracas
    havana bogota lima santiago pretoria nairobi abuja jerusalem amman beirut doha muscat sanaa
    dubai geneva davos sochi samarkand strasbourg luxembourg"""
)
_SUFFIXES = _wordset("jr jr. sr sr. ii iii iv")
_PARTICLE_WORDS = _wordset(
    "da de di do dos das du del della der den van von ter al el bin ibn ben"
)
_PRONOUNS_PERSON = frozenset({"he", "she"})
_DET = re.compile(r"^(?:the|a|an|one|another|this|that)\s+", re.IGNORECASE)
_NAME_RUN_RE = re.compile(NAME_RUN)
_LOWER_PREFIX = re.compile(r"(?:al|el|bin|ibn|ul|ad|as)-")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
#: A person mention counts as a subject when a verb-like word follows it.
_SUBJECT_AFTER = re.compile(
    rf"^(?:,[^,.;“”\"\n]{{1,80}},)?\s+(?:{ADVERB_RE}\s+)?(?:{SPEECH_VERB_RE}|[a-z]+(?:ed|es|s)|"
    r"is|was|has|had|will|would|can|could|did|does|may|might|must|shall|should|met|made|gave|"
    r"took|sent|spoke|held|led|went|came|saw|wrote|told|thought|felt|brought|won|became|began)\b"
)
_SPEECH_AFTER = re.compile(rf"^\s+(?:{ADVERB_RE}\s+)?{SPEECH_VERB_RE}\b")
_SPEECH_BEFORE = re.compile(rf"\b{INVERTIBLE_VERB_RE}\s*$")
_POSSESSIVE_SPEECH_AFTER = re.compile(rf"^\s+(?:[a-z\-]+\s+){{0,2}}{SPEECH_NOUN_RE}\b")
