"""Direct quotations and their speakers.

Quotation marks carry most of the signal for *what* was quoted, so spans are found with regexes
over the article text (well under a millisecond per article).  *Who* said it is read from the
dependency parse of the sentences around the quotation (:mod:`briefings.stages.attribution`): the
subject of the speech verb or noun that governs it.  The surface patterns ("…,” said X") remain
only where the parse finds no governing verb, and then must name a person.  The extractor works
in four steps:

1. *Spans*: every paragraph is scanned for quotation marks (curly, straight, guillemets; nested
   single quotes stay inside).  Broken material is repaired the way a reader would: book-style
   quotations that run over several paragraphs (an opening mark on each, one closing mark at the
   end, sometimes a paragraph with no mark at all), and a closing mark whose opening mark is
   missing when an attribution follows it ("… harbour.” she said").
2. *Filter*: scare quotes and quoted names never come back: fragments under four words, title-case
   names, terms after "so-called", "dubbed", "the slogan"; a lower-case fragment is kept (as
   ``partial``) only when a speech verb in its sentence attributes it.
3. *Speaker*: the subject of the verb or noun that governs the quote in the parse; an
   unresolvable subject means "not stated" (None), never a neighbour's name.  Without a
   governing verb: the previous part of a split quote, the paragraph before a stand-alone
   quotation, the speaker label of a transcript turn, or the surface patterns, whose answer
   must be a person (never a place, an organisation or a phrase).  Pronouns and bare surnames
   are resolved through :class:`~briefings.stages.speakers.PersonIndex` and the model's entities.
4. *Unmarked*: a first-person sentence printed without its outer marks and closed by "…, he said."
   comes back as ``unmarked``.

Every returned :class:`~briefings.models.Quote` is an exact slice ``article.text[start:end]``.
"""

from __future__ import annotations

from briefings.models import Article, Quote, QuoteKind
from briefings.stages.attribution import Attribution, Attributor
from briefings.stages.quote_marks import (
    _DOUBLE_OPEN,
    _QUOTE_CHARS,
    _STRAIGHT,
    _ends_sentence,
    _only_attribution,
    _scan,
    _starts_upper,
    _strip,
    _title_case,
    _words,
)
from briefings.stages.quote_patterns import (
    _INNER_SENTENCE,
    _INTRO_VERB_END,
    _LABEL,
    _NAMING_CUE,
    _UNMARKED_HEAD,
    _UNMARKED_TAIL,
)
from briefings.stages.quote_speakers import _Candidate, _Span, _SpeakerRules
from briefings.stages.speakers import PersonIndex, clean_name, looks_like_person
from briefings.text.document import ArticleDoc, read_document
from briefings.text.sentences import split_sentences


class _Extractor(_SpeakerRules):
    """State of one extraction (one article); see :func:`extract_quotes`."""

    def __init__(self, article: Article, doc: ArticleDoc) -> None:
        self.doc = doc
        self.text = article.text
        self.paragraphs = article.paragraphs
        self.offsets: list[int] = []
        pos = 0
        for para in self.paragraphs:
            self.offsets.append(pos)
            pos += len(para) + 1
        self.labels: list[int] = []  # where the body of each paragraph starts (after a label)
        self.turns: list[str | None] = []
        self._read_turns()
        self.spans = self._find_spans()
        self.title = article.meta.title or ""
        self.persons = PersonIndex(
            self.text, [(s.start, s.end) for s in self.spans], preamble=self.title
        )
        self.syntax = Attributor(
            doc,
            self.persons,
            [(s.open_pos or s.start, s.end) for s in self.spans],
            narrator=lambda pos: self._turn_speaker(self._para_of(pos), pos),
        )
        self.sentence_starts: list[list[int]] = [
            [self.offsets[i] + s.start for s in split_sentences(p)[1:]]
            for i, p in enumerate(self.paragraphs)
        ]

    # -- step 1: spans ----------------------------------------------------------------------

    def _read_turns(self) -> None:
        """Transcript turns: a label ("Vladimir Putin: …") names who speaks until the next one."""
        turn: str | None = None
        for para in self.paragraphs:
            match = _LABEL.match(para)
            begin = 0
            if (
                match
                and len(match.group("label").split()) <= 8
                and para[match.end()] not in (_QUOTE_CHARS)
            ):
                cleaned = clean_name(match.group("label"))
                turn = None
                if cleaned is not None and looks_like_person(cleaned.name):
                    turn = match.group("label")
                begin = match.end()
            self.labels.append(begin)
            self.turns.append(turn)

    def _find_spans(self) -> list[_Span]:
        scans = [_scan(p, self.labels[i]) for i, p in enumerate(self.paragraphs)]
        spans: list[_Span] = []
        run_open = False
        for i, para in enumerate(self.paragraphs):
            base = self.offsets[i]
            found = scans[i]
            body = para[self.labels[i] :].lstrip()
            opens_para = bool(body) and body[0] in _DOUBLE_OPEN + _STRAIGHT + "«"
            continuing = False
            if run_open:
                if found and (found[0][0] is None or opens_para):
                    continuing = True
                elif not found and self._continues(i + 1, scans):
                    found = [(None, None, self.labels[i], len(para), "double")]
                    continuing = True
            for n, (open_, close, c_start, c_end, family) in enumerate(found):
                start, end = _strip(self.text, base + c_start, base + c_end)
                if start >= end:
                    continue
                spans.append(
                    _Span(
                        para=i,
                        start=start,
                        end=end,
                        open_pos=None if open_ is None else base + open_,
                        close_pos=None if close is None else base + close,
                        family=family,
                        continuation=continuing and n == 0,
                    )
                )
            last = found[-1] if found else None
            still_open = last is not None and last[1] is None and last[3] == len(para)
            if still_open and spans and not spans[-1].continuation:
                spans[-1].run_start = True
            run_open = still_open and self._continues(i + 1, scans, allow_bare=True)
        return spans

    def _continues(
        self,
        j: int,
        scans: list[list[tuple[int | None, int | None, int, int, str]]],
        allow_bare: bool = False,
    ) -> bool:
        """Whether paragraph ``j`` carries on an open multi-paragraph quotation."""
        if j >= len(self.paragraphs):
            return False
        body = self.paragraphs[j][self.labels[j] :].lstrip()
        found = scans[j]
        if found and found[0][0] is not None and body[:1] in _DOUBLE_OPEN + _STRAIGHT + "«":
            return True
        if found and found[0][0] is None:
            return True
        if allow_bare and not found:
            return self._continues(j + 1, scans)
        return False

    # -- step 2 and 3: classify and attribute --------------------------------------------------

    def run(self) -> list[Quote]:
        cands: list[_Candidate] = []
        for n, span in enumerate(self.spans):
            prev = cands[n - 1] if n else None
            cands.append(self._judge(span, prev))
            cand = cands[-1]
            if cand.accepted and cand.split_middle and prev is not None and prev.short:
                # “We are ready,” he said, “to talk.”: the short first half is a real part.
                prev.accepted = True
                prev.speaker = prev.speaker or cand.speaker
                cand.speaker = cand.speaker or prev.speaker
        quotes = [
            Quote(
                text=self.text[c.span.start : c.span.end],
                speaker=c.speaker,
                kind=c.kind,
                start=c.span.start,
                end=c.span.end,
            )
            for c in cands
            if c.accepted
        ]
        quotes.extend(self._unmarked())
        quotes.sort(key=lambda q: q.start)
        return quotes

    def _pre(self, span: _Span, prev: _Candidate | None) -> str:
        """Text that introduces the span within its sentence (after an earlier quotation)."""
        para_start = self.offsets[span.para] + self.labels[span.para]
        mark = span.open_pos if span.open_pos is not None else span.start
        start = para_start
        for s in self.sentence_starts[span.para]:
            if s <= mark:
                start = max(start, s)
        if prev is not None and prev.span.para == span.para:
            end_prev = prev.span.close_pos if prev.span.close_pos is not None else prev.span.end
            if end_prev < mark:
                start = max(start, end_prev + 1)
        return self.text[start:mark]

    def _post(self, span: _Span) -> str:
        if span.close_pos is None:
            return ""
        para_end = self.offsets[span.para] + len(self.paragraphs[span.para])
        return self.text[span.close_pos + 1 : min(para_end, span.close_pos + 160)]

    def _judge(self, span: _Span, prev: _Candidate | None) -> _Candidate:
        content = self.text[span.start : span.end]
        pre = self._pre(span, prev)
        post = self._post(span)
        pre_start = (span.open_pos if span.open_pos is not None else span.start) - len(pre)
        post_speaker, post_found = self._post_speaker(post, span)
        pre_speaker, pre_found = self._pre_speaker(pre, pre_start, span)
        para_start = self.offsets[span.para] + self.labels[span.para]
        para_end = self.offsets[span.para] + len(self.paragraphs[span.para])
        at_para_start = not self.text[para_start : span.start].strip(_QUOTE_CHARS + " ")
        whole_para = at_para_start and not self.text[span.end : para_end].strip(_QUOTE_CHARS + " ")
        split_part = (
            prev is not None
            and prev.accepted
            and prev.span.para == span.para
            and not pre_found
            and not pre.strip(" ,.;:—–-")
        )
        split_middle = (
            prev is not None
            and prev.span.para == span.para
            and self.text[prev.span.end - 1 : prev.span.end] == ","
            and _starts_upper(self.text[prev.span.start : prev.span.end])
            and _only_attribution(pre)
        )
        words = _words(content)
        other_reject = _title_case(content) or bool(_NAMING_CUE.search(pre))
        # Under four words a quote is a fragment (a scare quote, a label) unless it is a whole
        # short sentence with its own attribution: “We need more,” Scholz said.
        short_sentence = (
            len(words) >= 2
            and _starts_upper(content)
            and (_ends_sentence(content) or content.rstrip().endswith(","))
            and (post_found or pre_found)
        )
        reject = (len(words) < 4 and not short_sentence) or other_reject
        if span.open_pos is None and not span.continuation:
            # A closing mark without an opening one: only with an attribution after it or an
            # introduction ending in a colon before the paragraph.
            reject = (
                reject
                or not (post_found or self._colon_before(span.para))
                or any(s.para == span.para and s.end < span.start for s in self.spans)
            )
        if span.close_pos is None and not (span.continuation or span.run_start):
            reject = reject or not (_starts_upper(content) and _ends_sentence(content))
        if span.family == "single" and not _ends_sentence(content):
            reject = True
        continued = span.continuation or split_part or split_middle
        introduced = bool(_INTRO_VERB_END.search(pre)) or bool(_INNER_SENTENCE.search(content))
        if _starts_upper(content) or continued or whole_para or introduced:
            kind: QuoteKind = "direct"
            attributed = post_found or pre_found
            if not (
                _ends_sentence(content)
                or whole_para
                or attributed
                or continued
                or span.close_pos is None
            ):
                reject = True
        else:
            kind = "partial"
            if not (pre_found or post_found):
                reject = True
            elif self.syntax.modifies_noun(span.para, span.start, span.end):
                # 'an official “with knowledge of the talks” said': a description, not words said.
                reject = True
        speaker = post_speaker or pre_speaker
        syntax = self._syntax(span)
        if syntax.found:
            # The parse found the verb or noun that governs the quotation: its subject is the
            # speaker, and an unresolved subject means "not stated", never a neighbour's name.
            speaker = syntax.speaker
        elif speaker is not None and not self._acceptable(speaker):
            speaker = None
        alone = whole_para and not (span.continuation or split_part or split_middle)
        if not syntax.found and speaker is None and alone and self._follows_quote(span, prev):
            # A quotation paragraph right after one that ends with its attribution ("“…,” said
            # Lee.") goes on in the same voice.
            syntax = Attribution(True, prev.speaker if prev is not None else None)
            speaker = syntax.speaker
        if not syntax.found and speaker is None and alone:
            standalone = self.syntax.before_paragraph(span.para)
            if standalone.found:
                syntax = standalone
                speaker = standalone.speaker
        if not syntax.found:
            speaker = self._fallback_speaker(
                speaker, span, prev, at_para_start, split_part or split_middle
            )
            if speaker is not None and not self._acceptable(speaker):
                speaker = None
        if speaker is not None:
            speaker = self.syntax.complete(speaker)
        short = len(words) < 4 and not other_reject and _starts_upper(content)
        return _Candidate(span, kind, speaker, not reject, short, split_middle)

    def _syntax(self, span: _Span) -> Attribution:
        """What the dependency parse says about the speaker of ``span``."""

        def marks(s: _Span) -> tuple[int, int]:
            start = s.open_pos if s.open_pos is not None else s.start
            return start, s.close_pos + 1 if s.close_pos is not None else s.end

        others = [marks(s) for s in self.spans if s.para == span.para]
        start, end = marks(span)
        return self.syntax.attribute(span.para, start, end, others)

    def _follows_quote(self, span: _Span, prev: _Candidate | None) -> bool:
        """Whether the paragraph before ``span`` ends with an attributed quotation."""
        if prev is None or prev.speaker is None or prev.span.para != span.para - 1:
            return False
        if prev.span.close_pos is None:
            return False
        para_end = self.offsets[prev.span.para] + len(self.paragraphs[prev.span.para])
        tail = self.text[prev.span.close_pos + 1 : para_end].strip()
        return len(split_sentences(tail)) == 1 and len(tail.split()) <= 12

    def _fallback_speaker(
        self,
        speaker: str | None,
        span: _Span,
        prev: _Candidate | None,
        at_para_start: bool,
        split: bool,
    ) -> str | None:
        """Speaker when the parse found no governing verb: the surface patterns, checked."""
        if speaker is None and split and prev is not None:
            speaker = prev.speaker
        if speaker is None and span.continuation and prev is not None:
            speaker = prev.speaker
        if speaker is None and at_para_start:
            speaker = self._speaker_before_paragraph(span.para, prev)
        if speaker is None:
            speaker = self._turn_speaker(span.para, span.start)
        return speaker

    # -- step 4: unmarked first-person speech ----------------------------------------------------

    def _unmarked(self) -> list[Quote]:
        out: list[Quote] = []
        for sentence in self.doc.sentences:
            if not _UNMARKED_HEAD.match(sentence.text):
                continue
            para = self._para_of(sentence.start)
            if self.turns[para] is not None:
                continue
            if any(
                s.start < sentence.end
                and sentence.start < s.end
                and len(_words(self.text[s.start : s.end])) >= 4
                for s in self.spans
            ):
                continue
            tail = _UNMARKED_TAIL.search(sentence.text)
            if tail is None:
                continue
            end = sentence.start + tail.start() + 1
            while end < len(self.text) and self.text[end] in '”"’»':
                end += 1
            if len(_words(self.text[sentence.start : end])) < 6:
                continue
            speaker = self.persons.resolve(tail.group("s"), sentence.start + tail.start("s"))
            if speaker is not None and not self._acceptable(speaker):
                speaker = None
            out.append(
                Quote(
                    text=self.text[sentence.start : end],
                    speaker=speaker,
                    kind="unmarked",
                    start=sentence.start,
                    end=end,
                )
            )
        return out


def extract_quotes(article: Article, doc: ArticleDoc | None = None) -> list[Quote]:
    """Every direct quotation in ``article`` with its speaker, in text order.

    The briefing shows who said what, so each quote keeps the exact words between its marks
    (``article.text[q.start:q.end] == q.text``, so it can be shown and found verbatim) and a
    speaker normalized to the fullest name the article gives ("President Lind" → "Maria
    Lind"), or None when the text does not say who spoke: a missing speaker is better than a
    wrong one.  Scare quotes and quoted names are left out because they are nobody's words.

    Args:
        article: The ingested article; its ``meta.title`` may name the author of a quoted
            message when the body does not.

    Returns:
        The quotations in text order: ``direct`` for quoted sentences (one entry per part of a
        split quotation and per paragraph of a long one), ``partial`` for quoted fragments of
        four or more words inside reported speech, ``unmarked`` for first-person speech printed
        without its quotation marks.
    """
    if not article.paragraphs:
        return []
    return _Extractor(article, doc or read_document(article, None)).run()
