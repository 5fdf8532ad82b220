"""Long lists shown a page at a time, with the GOV.UK pagination component's items."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, within 1..pages
    size: int
    total: int  # items in the whole list

    @classmethod
    def of(cls, asked: Mapping[str, str], size: int, total: int) -> Page:
        """The page ``asked`` for (``?page=N``), kept within the list: a missing, invalid
        or out-of-range number shows the nearest page that exists."""
        try:
            number = int(asked.get("page", "1"))
        except ValueError:
            number = 1
        return cls(min(max(number, 1), cls(1, size, total).pages), size, total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_shown(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.size, self.total)

    def component(self, href: Callable[[int], str], label: str) -> dict | None:
        """``govukPagination``'s parameters (None when everything fits on one page): the
        first and last pages, the current one and its neighbours, ellipses between."""
        if self.pages == 1:
            return None
        shown = {1, self.pages, self.number - 1, self.number, self.number + 1}
        items: list[dict] = []
        for n in range(1, self.pages + 1):
            if n in shown:
                items.append({"number": n, "href": href(n), "current": n == self.number})
            elif items and not items[-1].get("ellipsis"):
                items.append({"ellipsis": True})
        return {
            "items": items,
            "previous": {"href": href(self.number - 1)} if self.number > 1 else None,
            "next": {"href": href(self.number + 1)} if self.number < self.pages else None,
            "landmarkLabel": label,
        }
