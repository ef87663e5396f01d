"""Surface patterns of attribution around a quotation ("…,” said X", "according to X", "X said:
“…”"), used by :mod:`briefings.stages.quotes` only where the parse finds no governing verb.

Built from the name and speech-verb grammar of :mod:`briefings.stages.speakers`.
"""

from __future__ import annotations

import re

from briefings.stages.speech_grammar import (
    ADVERB_RE,
    CAP_TOKEN,
    INVERTIBLE_VERB_RE,
    NAME_RUN,
    SPEECH_NOUN_RE,
    SPEECH_VERB_RE,
)

_ROLE_NOUNS = (
    r"(?:officials?|spokes(?:man|woman|person)|president|(?:prime\s+)?minister|secretary|"
    r"chancellor|leaders?|diplomats?|sources?|statement|declaration|communiqu[eé]|report|ministry|"
    r"government|king|queen|premier|ambassador|envoy|advis[eo]r|aide|analysts?|experts?|"
    r"document|letter|message|agency|embassy|office|organi[sz]ers|chairman|chief|head|director|"
    r"commissioner|mayor|governor|senator|text|resolution|treaty|charter|press\s+service)"
)
_SUBJ = (
    r"(?P<s>(?:he|she|they|it|we|I|He|She|They|It|We)\b"
    rf"|(?:[Tt]he|[Aa]n?|[Oo]ne)\s+(?:[\w.’'\-]+\s+){{0,4}}?{_ROLE_NOUNS}"
    rf"(?:\s+(?:for|of|at|to|in)\s+(?:the\s+)?{NAME_RUN})?\b"
    rf"|(?:[Tt]he\s+)?{NAME_RUN})"
)
_APPOSITION = r"(?:,\s[^,“”\"«»\n]{1,80},)?"
_LEAD = r"^[,.;:!?…]*\s*(?:[-–—]+\s*)?"
# Attribution right after the closing mark.
_POST_SUBJ_VERB = re.compile(
    rf"{_LEAD}{_SUBJ}{_APPOSITION}\s+(?:{ADVERB_RE}\s+)?{SPEECH_VERB_RE}\b"
)
_POST_VERB_SUBJ = re.compile(rf"{_LEAD}{INVERTIBLE_VERB_RE}\s+{_SUBJ}")
_POST_ACCORDING = re.compile(rf"{_LEAD}according\s+to\s+{_SUBJ}")
_POST_SENTENCE_TAIL = re.compile(
    rf",\s+{_SUBJ}{_APPOSITION}\s+(?:{ADVERB_RE}\s+)?{SPEECH_VERB_RE}\b[^,;:]{{0,40}}[.!]?\s*$"
)
_POST_DASH_CREDIT = re.compile(rf"^\s*[-–—]+\s*(?P<s>{NAME_RUN})\s*(?:,[^\n]{{0,80}})?$")
# Attribution in the text that introduces the quote.
_PRE_SUBJ_VERB = re.compile(
    rf"(?<![\w’']){_SUBJ}{_APPOSITION}\s+(?:{ADVERB_RE}\s+)?{SPEECH_VERB_RE}\b"
)
_PRE_VERB_SUBJ = re.compile(rf"\b{INVERTIBLE_VERB_RE}\s+(?P<s>(?:[Tt]he\s+)?{NAME_RUN}|he|she)")
_PRE_VERB_SUBJ_TAIL = re.compile(
    r"^\s*(?:,?\s*(?:on|at|in|during|after|before|from|while|when)\s[^:“”\"]{0,100})?[:,]?\s*$"
)
_PRE_POSSESSIVE = re.compile(
    rf"(?P<s>{NAME_RUN})(?:’s|'s|’)\s+(?:[a-z\-]+\s+){{0,2}}{SPEECH_NOUN_RE}\b"
)
_PRE_ACCORDING = re.compile(rf"\b[Aa]ccording\s+to\s+{_SUBJ}")
_PRE_COLON_NAME = re.compile(rf"(?P<s>{NAME_RUN})\s*:\s*$")
_PRE_SENT = re.compile(
    rf"(?<![\w’']){_SUBJ}\s+(?:has\s+|had\s+|have\s+|also\s+)?(?:sent|issued|released|published|"
    r"delivered|made|gave|addressed|read\s+out|read|wrote)\s+(?:(?:a|an|the|his|her|its|their)\s+)?"
    r"(?:[\w’'\-]+\s+){0,3}?(?:message|statement|letter|greetings?|telegram|address|speech|"
    r"declaration|remarks|note|appeal|text|poem)\b"
)
_PRE_SOURCE_NP = re.compile(
    r"(?:\b(?:a|an|the|this|that|his|her|its|their|our|my)\s+)?"
    r"(?P<np>(?:[\w’'\-]+\s+){0,3}?(?:poem|song|verse|rhyme|proverb|saying|motto|lines?|document|"
    r"declaration|communiqu[eé]|statement|letter|message|resolution|treaty|charter|constitution|"
    r"text|inscription|banner|placard|headline|tweet|telegram|anthem|hymn|prayer|book|article))"
    r"\s*[:,]?\s*$"
)
_BARE_SPEECH_VERB = re.compile(rf"\b(?:but|and|who|then)\s+(?:{ADVERB_RE}\s+)?{SPEECH_VERB_RE}\b")
_PRE_SUBJECT = re.compile(rf"^(?:[^,]{{0,60}},\s+)?{_SUBJ}\s")
_INTRO_VERB_END = re.compile(rf"\b{SPEECH_VERB_RE}\s*[,:]\s*$")
# Any subject with a verb: who introduces a quotation with a colon ("Lind stressed …:").
_SUBJ_ANY_VERB = re.compile(
    rf"(?<![\w’']){_SUBJ}{_APPOSITION}\s+(?:{ADVERB_RE}\s+)?(?:{SPEECH_VERB_RE}|[a-z]+ed|[a-z]+s)\b"
)
# Words before a quotation that make it a name or a term, not speech.
_NAMING_CUE = re.compile(
    r"(?:\b(?:titled|entitled|named|dubbed|known\s+as|so-called|termed|labell?ed|branded|"
    r"nicknamed|headlined|(?:the|a|an|its|their)\s+(?:[\w\-]+\s+)?(?:term|phrase|words?|slogan|"
    r"motto|formula|principle|concept|notion|expression|label|title|name|heading|banner|"
    r"hashtag|operation|programme|program|project|initiative|campaign|strategy|doctrine|"
    r"format|policy|theme|themes|topic|agenda|headline|caption|book|film|report|paper|song)))\s*[,:]?\s*$",
    re.IGNORECASE,
)
# A speaker label opening a transcript turn: "President of Norland Maria Lind:", "Question:".
_LABEL = re.compile(
    rf"^(?P<label>{CAP_TOKEN}(?:\s+(?:of|the|and|de|da|von|van|{CAP_TOKEN})){{0,7}})"
    r"(?:\s*\([^)]{1,40}\))?:\s+(?=\S)"
)
# "…, he said." closing a first-person sentence printed without its quotation marks.
_UNMARKED_HEAD = re.compile(r"^(?:I|We|My|Our)\b")
_UNMARKED_TAIL = re.compile(
    rf",[”\"’»]?\s+(?P<s>he|she|{NAME_RUN})\s+(?:{ADVERB_RE}\s+)?"
    r"(?:said|added|stressed|noted|declared|explained|continued|insisted|emphasi[sz]ed|"
    r"told\s+(?:reporters|journalists|the\s+press))\s*[.!]?$"
)
_PREPOSITION_END = re.compile(r"\b(?:in|on|under|of|from|to|by|with)\s*$")
_NAME_LINE = re.compile(NAME_RUN)
_INNER_SENTENCE = re.compile(r"[a-z]{2,}[.!?]\s+[A-Z]")
_ATTRIBUTION_TAIL = re.compile(r"^(?:\s+[^.;:“”\"«»]{1,40})?,\s*$")
