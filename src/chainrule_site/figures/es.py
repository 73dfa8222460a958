"""The figures' texts in Spanish: English text -> Spanish text (used by :func:`chainrule_site.figures.tr`)."""

SPANISH: dict[str, str] = {
}
