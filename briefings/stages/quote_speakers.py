"""Who speaks, by the surface rules: the attribution around a quotation when the parse finds no
governing verb, the paragraph before a stand-alone quotation, a transcript's turns, a heading.

Split from :mod:`briefings.stages.quotes`: these are the extractor's speaker rules, as a base
class of its ``_Extractor`` (which sets the state they read, declared below); the spans and the
judging stay there.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefings.lexicon import NAME_FUNCTION_WORDS as _FUNCTION_WORDS
from briefings.lexicon import TITLES
from briefings.models import QuoteKind
from briefings.stages.attribution import Attributor
from briefings.stages.parse_tokens import DOCUMENT_NOUNS
from briefings.stages.quote_marks import (
    _QUOTE_CHARS,
    _ends_sentence,
)
from briefings.stages.quote_patterns import (
    _BARE_SPEECH_VERB,
    _NAME_LINE,
    _POST_ACCORDING,
    _POST_DASH_CREDIT,
    _POST_SENTENCE_TAIL,
    _POST_SUBJ_VERB,
    _POST_VERB_SUBJ,
    _PRE_ACCORDING,
    _PRE_COLON_NAME,
    _PRE_POSSESSIVE,
    _PRE_SENT,
    _PRE_SOURCE_NP,
    _PRE_SUBJ_VERB,
    _PRE_SUBJECT,
    _PRE_VERB_SUBJ,
    _PRE_VERB_SUBJ_TAIL,
    _PREPOSITION_END,
    _SUBJ_ANY_VERB,
)
from briefings.stages.speakers import PersonIndex, clean_name, looks_like_person
from briefings.text.document import PLACE_LABELS, ArticleDoc
from briefings.text.gazetteer import is_known_place
from briefings.text.sentences import split_sentences


@dataclass(slots=True)
class _Span:
    """Quoted material in one paragraph (offsets into the article text)."""

    para: int
    start: int
    end: int
    open_pos: int | None
    close_pos: int | None
    family: str
    continuation: bool = False  # a later paragraph of a multi-paragraph quotation
    run_start: bool = False  # the first paragraph of one


@dataclass(slots=True)
class _Candidate:
    span: _Span
    kind: QuoteKind
    speaker: str | None
    accepted: bool
    #: Rejected only for being under four words (may still open a split quotation).
    short: bool = False
    #: Second half of a quotation split mid-sentence (“We are ready,” he said, “to talk.”).
    split_middle: bool = False


class _SpeakerRules:
    """The speaker rules of one extraction; the state is set by ``_Extractor.__init__``."""

    doc: ArticleDoc
    text: str
    title: str
    paragraphs: tuple[str, ...]
    offsets: list[int]
    turns: list[str | None]
    spans: list[_Span]
    persons: PersonIndex
    syntax: Attributor

    def _acceptable(self, speaker: str) -> bool:
        """Whether a speaker found by a surface pattern (not the parse) can be shown.

        A speaker is a person, an organisation the model tags as one, or a described document
        ("a popular poem"); never a place or nationality, nor a phrase that merely stood where a
        subject would ("in a statement", "saying").
        """
        words = speaker.split()
        if not words:
            return False
        if not speaker[0].isupper():
            # A described source ("senior official", "joint statement"), not a stray phrase
            # ("in a sharp statement", "issuing a statement saying").
            last = words[-1].lower()
            return (
                (last in DOCUMENT_NOUNS or last in TITLES)
                and words[0].lower() not in _FUNCTION_WORDS
                and not any(w.endswith("ing") for w in words)
            )
        if is_known_place(speaker):
            return False
        labels = self.syntax.labels(speaker)
        if labels & PLACE_LABELS or self.syntax.is_organisation(speaker):
            return False  # an organisation speaks through a verb the parse found, not nearby
        if self.persons.knows(speaker) or "PERSON" in labels:
            return True
        return len(words) >= 2 and looks_like_person(speaker)

    def _post_speaker(self, post: str, span: _Span) -> tuple[str | None, bool]:
        """Speaker named right after the closing mark; the flag says whether one was named."""
        if span.close_pos is None:
            return None, False
        for regex in (_POST_SUBJ_VERB, _POST_VERB_SUBJ, _POST_ACCORDING, _POST_DASH_CREDIT):
            match = regex.match(post)
            if match and regex is _POST_DASH_CREDIT:
                # "“…” — Vladimir Putin" credits a speaker; "“Headline” — BBC News, 2 April"
                # credits a source list entry.
                content = self.text[span.start : span.end]
                if not (_ends_sentence(content) and looks_like_person(match.group("s"))):
                    continue
            if match:
                pos = span.close_pos + 1 + match.start("s")
                return self.persons.resolve(match.group("s"), pos), True
        # "… was “a turning point” for the region, Putin said.": the attribution ends the sentence.
        sentences = split_sentences(post)
        sentence_rest = post[: sentences[0].end] if len(sentences) > 1 else post
        if not any(c in sentence_rest for c in _QUOTE_CHARS):
            tail = _POST_SENTENCE_TAIL.search(sentence_rest)
            if tail:
                pos = span.close_pos + 1 + tail.start("s")
                return self.persons.resolve(tail.group("s"), pos), True
        return None, False

    def _pre_speaker(self, pre: str, base: int, span: _Span) -> tuple[str | None, bool]:
        """Speaker named in the introduction; the flag says whether an attribution was found."""
        events: list[tuple[int, str]] = []
        for regex in (_PRE_SUBJ_VERB, _PRE_POSSESSIVE, _PRE_ACCORDING, _PRE_SENT):
            events.extend((m.start("s"), m.group("s")) for m in regex.finditer(pre))
        for match in _PRE_VERB_SUBJ.finditer(pre):
            if _PRE_VERB_SUBJ_TAIL.match(pre[match.end() :]):
                events.append((match.start("s"), match.group("s")))
        colon = _PRE_COLON_NAME.search(pre)
        if colon:
            events.append((colon.start("s"), colon.group("s")))
        if events:
            at, subject = max(events)
            return self.persons.resolve(subject, base + at), True
        verb = _BARE_SPEECH_VERB.search(pre)
        if verb:
            # "He did not give a date, but said the government “…”": the subject of the sentence.
            head = _PRE_SUBJECT.match(pre[: verb.start()])
            if head is None:
                return None, True
            return self.persons.resolve(head.group("s"), base + head.start("s")), True
        if pre.rstrip().endswith(":"):
            # "Bush listed three goals: “…”": the subject of the introducing clause speaks.
            for match in _SUBJ_ANY_VERB.finditer(pre):
                speaker = self.persons.resolve(match.group("s"), base + match.start("s"))
                if speaker is not None and self._personish(speaker):
                    return speaker, True
        source = _PRE_SOURCE_NP.search(pre)
        if source and not _PREPOSITION_END.search(pre, 0, source.start()):
            np = source.group("np")
            # Read-out material ("a poem: “…”") is the document's, not the reader's.
            return np, True
        return None, False

    def _colon_before(self, para: int) -> bool:
        return para > 0 and self.paragraphs[para - 1].rstrip().endswith(":")

    def _speaker_before_paragraph(self, para: int, prev: _Candidate | None) -> str | None:
        """Speaker of a quotation that opens its paragraph, from the paragraphs before it."""
        if prev is not None and prev.span.para == para - 1 and prev.speaker is not None:
            body = self.paragraphs[para - 1]
            tail = self.text[prev.span.end : self.offsets[para - 1] + len(body)]
            head = self.text[self.offsets[para - 1] : prev.span.start]
            if not tail.strip(_QUOTE_CHARS + " ") and not head.strip(_QUOTE_CHARS + " "):
                return prev.speaker  # consecutive stand-alone quotation paragraphs
        looked = 0
        j = para - 1
        while j >= 0 and looked < 3:
            body = self.paragraphs[j]
            masked = self._masked(j)
            if j == para - 1:
                # The sentence just before a stand-alone quotation names its speaker even with a
                # verb that is not a speech verb ("Putin expressed satisfaction with the talks.").
                last = self._last_event(masked, self.offsets[j], any_verb=True)
            else:
                last = self._last_event(masked, self.offsets[j])
            if last is not None:
                return last
            heading = self._heading(j)
            if heading is not None:
                return heading
            if any(s.para == j for s in self.spans):
                break
            if len(body.split()) >= 5:
                looked += 1
            j -= 1
        if j < 0 and looked < 3 and self.title:
            # The headline stands before the body ("President Maria Lind sent a letter …").
            return self._last_event(self.title, -len(self.title) - 1)
        return None

    def _masked(self, para: int) -> str:
        """Paragraph text with quoted material blanked out (offsets kept)."""
        base = self.offsets[para]
        chars = list(self.paragraphs[para])
        for span in self.spans:
            if span.para == para:
                for k in range(span.start - base, span.end - base):
                    chars[k] = " "
        return "".join(chars)

    def _last_event(self, masked: str, base: int, any_verb: bool = False) -> str | None:
        """Speaker of the last speech event in ``masked`` (a paragraph starting at ``base``)."""
        events: list[tuple[int, str]] = []
        for regex in (_PRE_SUBJ_VERB, _PRE_SENT, _PRE_POSSESSIVE):
            events.extend((m.start("s"), m.group("s")) for m in regex.finditer(masked))
        if any_verb:
            last_sentence = max((s.start for s in split_sentences(masked)[1:]), default=0)
            events.extend(
                (m.start("s"), m.group("s"))
                for m in _SUBJ_ANY_VERB.finditer(masked, last_sentence)
            )
        for match in _PRE_VERB_SUBJ.finditer(masked):
            events.append((match.start("s"), match.group("s")))
        for at, subject in sorted(events, reverse=True):
            speaker = self.persons.resolve(subject, base + at)
            if speaker is not None and self._personish(speaker):
                return speaker
        return None

    def _personish(self, speaker: str) -> bool:
        return self.persons.knows(speaker)

    def _heading(self, para: int) -> str | None:
        """A short line that only names a person ("U.S. PRESIDENT BARACK OBAMA") heads quotes."""
        body = self.paragraphs[para].strip()
        if not body or len(body.split()) > 8 or body[-1] in ".!?:,;" or '"' in body:
            return None
        match = _NAME_LINE.fullmatch(body)
        if match is None:
            return None
        cleaned = clean_name(body)
        if cleaned is None or not looks_like_person(cleaned.name):
            return None
        if len(cleaned.name.split()) < 2 and not cleaned.is_person:
            return None
        return self.persons.expand(cleaned.name, self.offsets[para])

    def _turn_speaker(self, para: int, pos: int) -> str | None:
        label = self.turns[para]
        if label is None:
            return None
        cleaned = clean_name(label)
        if cleaned is None:
            return None
        # "Question:", "Moderator:" open turns but name nobody.
        if not (
            cleaned.is_person or len(cleaned.name.split()) >= 2 or self.persons.knows(cleaned.name)
        ):
            return None
        return self.persons.expand(cleaned.name, pos)

    def _para_of(self, pos: int) -> int:
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo
