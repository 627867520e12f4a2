// Package catalog is the planted-bug catalog: every mistake planted in a
// protocol or in the kernel, each with the means that must catch it — a
// named scenario run over a budget of seeds (a random-fault sweep or a
// scripted scenario whose expected verdict the bug overturns), or crash
// points at effect boundaries — and Catch, which runs that means until it
// catches the bug or spends the budget. A checker, a fault or a search
// strategy is only as good as what it catches here; `simrun bugs` prints
// the table and the catalog's test holds every entry to its budget.
package catalog
