"""Monthly returns: periods and deadlines, sections, validation rules, versions."""
