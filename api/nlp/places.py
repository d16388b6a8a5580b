"""Where a young person says they are: the council whose area a place name or postcode is in.

content/places/<council>.yml lists each council's towns, villages, districts and postcode districts
(Lincolnshire, North Lincolnshire and North East Lincolnshire, with their source). A message that names
a place of another council than the conversation's ("i live in scunthorpe", "im in grimsby", "DN15 6AB")
is told which council that is; the council that looked after a young person stays theirs wherever they
live, so the words say "if".
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.files import read_yaml
from api.nlp.text import plain_fold

# A postcode district on its own ("dn15") or the first half of a full postcode ("dn15 6ab").
_POSTCODE = re.compile(r"\b([a-z]{1,2}\d{1,2}[a-z]?)(?:\s*\d[a-z]{2})?\b")


@dataclass(frozen=True)
class Council:
    """One council's area."""

    key: str  # its file's name: north-lincolnshire
    name: str  # North Lincolnshire Council
    area: str  # North Lincolnshire
    source: str


@dataclass(frozen=True)
class Found:
    """A place in a message, and whose area it is in."""

    council: Council
    place: str  # as the file writes it: "scunthorpe", "DN15"

    @property
    def shown(self) -> str:
        """As a young person would read it: "Scunthorpe", "Barton Upon Humber", "DN15"."""
        return self.place if self.place.isupper() else self.place.title()


class Places:
    """Every council's place names and postcode districts."""

    def __init__(self, councils: dict[str, Council], names: dict[str, str], postcodes: dict[str, str]) -> None:
        self.councils = councils
        self.postcodes = postcodes  # "dn15" -> council key
        self.names = names  # folded place name -> council key
        longest_first = sorted(names, key=len, reverse=True)
        self._names = re.compile(r"\b(" + "|".join(re.escape(n) for n in longest_first) + r")\b") if names else None

    @classmethod
    def load(cls, folder: Path) -> "Places":
        """content/places/*.yml."""
        councils: dict[str, Council] = {}
        names: dict[str, str] = {}
        postcodes: dict[str, str] = {}
        for path in sorted(folder.glob("*.yml")):
            raw: dict[str, Any] = read_yaml(path) or {}
            key = path.stem
            councils[key] = Council(
                key, str(raw.get("council") or key), str(raw.get("area") or key), str(raw.get("source") or "")
            )
            for place in raw.get("places") or []:
                folded = plain_fold(str(place)).replace("-", " ")
                if folded in names and names[folded] != key:
                    raise ValueError(f"content/places/{path.name}: {place!r} is also in {names[folded]}.yml")
                names[folded] = key
            for district in raw.get("postcodes") or []:
                postcodes[str(district).lower()] = key
        return cls(councils, names, postcodes)

    def found_in(self, text: str) -> list[Found]:
        """Every place the message names (place names, then postcodes), in order."""
        folded = plain_fold(text).replace("-", " ")
        found: list[Found] = []
        if self._names is not None:
            for match in self._names.finditer(folded):
                found.append(Found(self.councils[self.names[match.group(1)]], match.group(1)))
        for match in _POSTCODE.finditer(folded):
            key = self.postcodes.get(match.group(1))
            if key is not None:
                found.append(Found(self.councils[key], match.group(1).upper()))
        return found

    def elsewhere(self, text: str, council: str) -> Found | None:
        """The first place the message names in another council's area than `council`'s, when it names no
        place of `council`'s own ("moving from lincoln to scunthorpe" names both: nothing to correct)."""
        found = self.found_in(text)
        if any(f.council.key == council for f in found):
            return None
        return next((f for f in found if f.council.key != council), None)
