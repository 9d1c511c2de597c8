"""A book of positions and the accounts they draw on, one array per field.

:class:`Book` and :class:`Accounts` are validated once, in their constructors;
the engines that read them (:func:`contractcalc.book_liquidation`, stress)
compute on the clean arrays with no further checks.
"""

from contractcalc.book.book import ACCOUNT_COLUMNS, BOOK_COLUMNS, Accounts, Book

__all__ = ["ACCOUNT_COLUMNS", "BOOK_COLUMNS", "Accounts", "Book"]
