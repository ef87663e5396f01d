"""Who is speaking: person names in an article, title stripping and pronoun resolution.

Pure regex and small word lists, no NLP model: the quote extractor must stay fast (thousands of
articles per minute) and the people who speak in summit news are almost always introduced the same
few ways ("President Maria Lind", "Mr. Okafor", "National Security Adviser Tom Okafor").
The :class:`PersonIndex` learns the people of one article from those introductions, so a later bare
"Lind" or "she" can be mapped back to the full name the article gives.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache

from briefings.lexicon import FEMALE_TITLES as _FEMALE_TITLES
from briefings.lexicon import MALE_TITLES as _MALE_TITLES
from briefings.lexicon import PERSON_TITLES, TITLES
from briefings.stages.speech_grammar import (
    _DET,
    _LEADING_STOP,
    _LOWER_PREFIX,
    _NAME_RUN_RE,
    _PARTICLE_WORDS,
    _POSSESSIVE,
    _POSSESSIVE_SPEECH_AFTER,
    _PRONOUNS_PERSON,
    _SPEECH_AFTER,
    _SPEECH_BEFORE,
    _SUBJECT_AFTER,
    _SUFFIXES,
    ORG_WORDS,
    PLACE_WORDS,
)


def _bare(token: str) -> str:
    """Lower-case a token without dots and a trailing possessive, for list look-ups."""
    return _POSSESSIVE.sub("", token).replace(".", "").lower()


def _is_acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and token not in {"II", "III"}


@dataclass(frozen=True, slots=True)
class CleanName:
    """A capitalized run split into its title words and the name that remains."""

    name: str
    titles: tuple[str, ...]
    is_person: bool


@lru_cache(maxsize=8192)
def clean_name(run: str) -> CleanName | None:
    """Strip titles, roles and sentence-initial words from a capitalized run.

    A briefing names a speaker once, the same way every time, whatever title the article used:
    "President Maria Lind" → "Maria Lind", "National Security Adviser Okafor" → "Okafor",
    "Mr. Brown" → "Brown", "President of Norland Maria Lind" → "Maria Lind".  The title
    words are kept apart because they still tell a person ("Mr.") from an organization and say
    whom "the president" refers to.

    Args:
        run: A run of capitalized words as matched by :data:`NAME_RUN`.

    Returns:
        The name and its titles, or ``None`` when nothing name-like remains ("Prime Minister",
        "On Tuesday").  ``is_person`` is set when a person title preceded the name.
    """
    tokens = run.split()
    if not tokens:
        return None
    if all(_is_acronym(t) or not any(c.isalpha() for c in t) for t in tokens) and len(tokens) > 1:
        # Transcript labels in capitals: "SECRETARY KERRY".
        tokens = [t.capitalize() for t in tokens]
    last = _POSSESSIVE.sub("", tokens[-1]).rstrip(",")
    tokens[-1] = last
    # A possessive inside the run ends a modifier: "Britain’s Brown" → "Brown".
    for i in range(len(tokens) - 1, -1, -1):
        if i < len(tokens) - 1 and tokens[i].endswith(("’s", "'s")):
            tokens = tokens[i + 1 :]
            break
    titles: list[str] = []
    # Cut after the last title word that is followed by a name token.
    cut = 0
    for i, tok in enumerate(tokens[:-1]):
        bare = _bare(tok)
        rest = [t for t in tokens[i + 1 :] if _bare(t) not in _SUFFIXES]
        if bare in TITLES and rest:
            cut = i + 1
    titles = [_bare(t) for t in tokens[:cut] if _bare(t) in TITLES]
    tokens = tokens[cut:]
    # "President of Norland Maria Lind": drop "of" and the organization or place after it.
    if tokens and tokens[0] in {"of", "the"}:
        while tokens and tokens[0] in {"of", "the"}:
            tokens = tokens[1:]
        # Drop through the last word that belongs to a body or a place ("the Federal Border
        # Service Konstantin Totsky" → "Konstantin Totsky").
        last_body = max(
            (
                k
                for k, tok in enumerate(tokens[:-1])
                if _bare(tok) in ORG_WORDS
                or _bare(tok) in PLACE_WORDS
                or _is_acronym(tok)
                or tok in {"of", "the", "and"}
            ),
            default=-1,
        )
        if last_body >= 0:
            tokens = tokens[last_body + 1 :]
        elif len(tokens) > 2 and _bare(tokens[-1]) not in _SUFFIXES:
            tokens = tokens[1:]  # an unlisted one-word country or body
    # "Brown of Britain": a name does not go on after "of".
    if "of" in tokens:
        tokens = tokens[: tokens.index("of")]
    while tokens and _bare(tokens[0]) in _LEADING_STOP:
        tokens = tokens[1:]
    if not tokens or tokens[-1] in {"of", "the"}:
        return None
    if tokens[0][0].islower() and not (
        _LOWER_PREFIX.match(tokens[0]) or (tokens[0] in _PARTICLE_WORDS and len(tokens) > 1)
    ):
        return None
    name = " ".join(tokens).rstrip(",:;")
    if not any(c.isalpha() for c in name):
        return None
    person_title = any(t in PERSON_TITLES for t in titles)
    return CleanName(name=name, titles=tuple(titles), is_person=person_title)


@lru_cache(maxsize=8192)
def looks_like_person(name: str) -> bool:
    """Whether ``name`` could be a person's name.

    Pronouns must only resolve to people, so a run with an organization or place word
    ("Kremlin", "Moscow", "European Commission"), an acronym or a digit is ruled out.

    Args:
        name: A name as returned by :func:`clean_name`.

    Returns:
        False for organizations, places and sentence-initial common words.
    """
    tokens = name.split()
    if not tokens or len(tokens) > 5:
        return False
    for tok in tokens:
        bare = _bare(tok)
        if bare in ORG_WORDS or bare in TITLES or bare in _LEADING_STOP or bare in PLACE_WORDS:
            return False
        if _is_acronym(tok) and bare not in _SUFFIXES:
            return False
        if any(c.isdigit() for c in tok):
            return False
    return True


def gender_of(titles: tuple[str, ...]) -> str | None:
    """Gender "m" or "f" from honorifics only (never guessed from a first name), else None."""
    if any(t in _MALE_TITLES for t in titles):
        return "m"
    if any(t in _FEMALE_TITLES for t in titles):
        return "f"
    return None


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where the article names a person."""

    start: int
    end: int
    name: str
    titles: tuple[str, ...]
    subject: bool


class PersonIndex:
    """The people an article names, and where; resolves bare surnames, roles and pronouns.

    Built once per article in a single regex pass.  A capitalized run counts as a person when a
    person title precedes it ("President", "Mr."), when it speaks ("Condoleezza Rice says",
    "said Arroyo") and has a first and a last name, or when its last word is the surname of a
    person found that way.
    """

    def __init__(
        self, text: str, excluded: list[tuple[int, int]] | None = None, preamble: str = ""
    ) -> None:
        """Index ``text``; mentions inside ``excluded`` spans (quotations) are not antecedents.

        ``preamble`` (the headline, which ingest keeps out of the body) is indexed as if it
        stood before the text, at negative offsets, so a speaker it names can be resolved.
        """
        self.text = text
        shift = len(preamble) + 1 if preamble else 0
        text = f"{preamble}\n{text}" if preamble else text
        excluded = sorted((s + shift, e + shift) for s, e in excluded or [])
        ex_starts = [s for s, _ in excluded]
        candidates: list[tuple[int, int, CleanName, bool, bool]] = []
        full_names: dict[str, list[tuple[int, str]]] = {}
        loose_names: dict[str, list[tuple[int, str]]] = {}
        genders: dict[str, str] = {}
        for match in _NAME_RUN_RE.finditer(text):
            cleaned = clean_name(match.group(0))
            if cleaned is None or not looks_like_person(cleaned.name):
                continue
            start, end = match.start(), match.end()
            found = match.group(0).rfind(cleaned.name)
            name_start = start + found if found >= 0 else start
            after = text[end : end + 120]
            before = text[max(0, start - 30) : start]
            possessive = bool(_POSSESSIVE.search(match.group(0)))
            speaks = bool(
                (not possessive and _SUBJECT_AFTER.match(after))
                or _SPEECH_BEFORE.search(before)
                or (possessive and _POSSESSIVE_SPEECH_AFTER.match(after))
            )
            subject = speaks
            i = bisect.bisect_right(ex_starts, start) - 1
            in_quote = i >= 0 and excluded[i][0] <= start < excluded[i][1]
            # Someone who speaks ("Obama said", "said Arroyo") is a person unless the name is a
            # place or an organization (looks_like_person has ruled those out).
            person = (
                cleaned.is_person
                or (not possessive and bool(_SPEECH_AFTER.match(after)))
                or bool(_SPEECH_BEFORE.search(before))
            )
            name_start -= shift
            end -= shift
            candidates.append((name_start, end, cleaned, subject, in_quote))
            if len(cleaned.name.split()) >= 2 and not in_quote:
                surname = _bare(cleaned.name.split()[-1])
                loose_names.setdefault(surname, []).append((name_start, cleaned.name))
            if person:
                surname = _bare(cleaned.name.split()[-1])
                full_names.setdefault(surname, []).append((name_start, cleaned.name))
                gender = gender_of(cleaned.titles)
                if gender:
                    genders[surname] = gender
        self._full_names = full_names
        self._loose_names = loose_names
        self._genders = genders
        mentions: list[Mention] = []
        for start, end, cleaned, subject, in_quote in candidates:
            surname = _bare(cleaned.name.split()[-1])
            if surname not in full_names or in_quote:
                continue
            mentions.append(Mention(start, end, cleaned.name, cleaned.titles, subject))
        self.mentions = mentions
        self._starts = [m.start for m in mentions]

    def knows(self, name: str) -> bool:
        """True when the surname of ``name`` belongs to a person of this article."""
        tokens = name.split()
        return bool(tokens) and _bare(tokens[-1]) in self._full_names

    def expand(self, name: str, pos: int) -> str:
        """The fullest form of ``name`` the article gives ("Lind" → "Maria Lind").

        Readers (and the cross-article merge) need one stable name per person, and articles
        give the full name only once.  Among the people sharing the surname, the one named
        nearest before ``pos`` wins (then the nearest after), so two people with one surname
        stay apart.

        Args:
            name: A bare or partial name ("Lind", "Mr Okafor" already cleaned to "Okafor").
            pos: Offset in the text where the name is used.

        Returns:
            The longest matching full name, or ``name`` itself when the article has none.
        """
        tokens = name.split()
        if not tokens:
            return name
        surname = _bare(tokens[-1])
        forms = self._full_names.get(surname, [])
        if all(len(form.split()) <= len(tokens) for _, form in forms):
            # No fuller form among the known people: any "First Last" run of the article will do
            # ("George W Bush, Nicolas Sarkozy and Jose Manuel Barroso made …").
            forms = [*forms, *self._loose_names.get(surname, [])]
        wanted = {_bare(t) for t in tokens}
        best: tuple[int, int, str] | None = None
        for at, form in forms:
            form_tokens = {_bare(t) for t in form.split()}
            if not wanted <= form_tokens:
                continue
            distance = pos - at if at <= pos else 10 * (at - pos)
            key = (-len(form.split()), distance, form)
            if best is None or key < best:
                best = key
        if best is None:
            return name
        return best[2]

    def gender(self, name: str) -> str | None:
        """Gender known from an honorific ("Mr.", "Mrs."), else None."""
        tokens = name.split()
        return self._genders.get(_bare(tokens[-1])) if tokens else None

    def antecedent(self, pos: int, pronoun: str, window: int = 1500) -> str | None:
        """The person a pronoun at ``pos`` refers to, as a full name, or None.

        News prose refers back to the last person who acted, so the nearest preceding person
        mention that is the subject of its clause (a verb follows it, or it is the speaker of
        "said X") wins; failing that, the nearest mention.  Mentions inside quotations are
        skipped (a speaker who names someone is still the speaker), and an honorific gender
        ("Mr.", "Mrs.") must agree with he/she.

        Args:
            pos: Offset of the pronoun in the text.
            pronoun: "he" or "she" (anything else skips the gender check).
            window: How many characters back to look before giving up.

        Returns:
            The antecedent's full name, or None when no person is close enough.
        """
        want = {"he": "m", "she": "f"}.get(pronoun.lower())
        i = bisect.bisect_left(self._starts, pos) - 1
        fallback: Mention | None = None
        while i >= 0:
            mention = self.mentions[i]
            i -= 1
            if mention.end > pos:
                continue
            if pos - mention.end > window:
                break
            gender = self.gender(mention.name)
            if want and gender and gender != want:
                continue
            if mention.subject:
                return self.expand(mention.name, mention.start)
            if fallback is None:
                fallback = mention
        if fallback is not None:
            return self.expand(fallback.name, fallback.start)
        return None

    def by_role(self, pos: int, role: str, window: int = 3000) -> str | None:
        """Resolve "the president" to the nearest preceding person titled so, or None."""
        role = role.lower()
        i = bisect.bisect_left(self._starts, pos) - 1
        while i >= 0:
            mention = self.mentions[i]
            i -= 1
            if pos - mention.end > window:
                break
            if mention.end <= pos and role in mention.titles:
                return self.expand(mention.name, mention.start)
        return None

    def resolve(self, subject: str, pos: int) -> str | None:
        """Turn the subject of a speech verb into a speaker name, or None when unsure.

        Pronouns go to their antecedent, "the president" to the nearest president, a name is
        stripped of titles and completed from the article; an organization ("the Kremlin") or an
        unnamed source ("a senior official") is returned as written, without its article.  A
        wrong speaker misleads the reader more than a missing one, so "they", "we" or an
        unresolvable "the president" give None.

        Args:
            subject: The words standing as subject (or inverted subject) of the speech verb.
            pos: Offset of ``subject`` in the text (for pronouns and nearest full names).

        Returns:
            The speaker as it should be shown, or None.
        """
        subject = subject.strip().rstrip(",:;")
        low = subject.lower()
        if low in _PRONOUNS_PERSON:
            return self.antecedent(pos, low)
        if low in {"i", "we", "they", "it", "you", "one", "who", "which", "that", "this"}:
            return None
        det = _DET.match(subject)
        if det and subject[det.end() :][:1].islower():
            rest = subject[det.end() :]
            head = rest.split()[-1].lower() if rest.split() else ""
            words = rest.lower().split()
            role = next((w for w in words if w in PERSON_TITLES), None)
            if det.group(0).lower().startswith("the") and role is not None:
                return self.by_role(pos, role)
            if head in {"president", "minister", "chancellor", "king", "queen", "premier"}:
                return None
            return rest
        cleaned = clean_name(subject)
        if cleaned is None:
            return None
        if looks_like_person(cleaned.name):
            return self.expand(cleaned.name, pos)
        return cleaned.name
