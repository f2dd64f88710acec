"""Words and figures for pages: labels of the domain's values, sentences about
events, decisions and readiness, charts and the month grid. Pure: no I/O."""
