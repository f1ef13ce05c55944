"""Administration of directives and their tasks: the pages and forms. What a change does to a
directive is in `portal.directives`."""
