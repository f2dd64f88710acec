"""``consortium bench``: a synthetic platform history, and what it shows.

Everything here is for measuring: the web application never imports this package
(an import contract says so). ``builder`` writes the history through the application
service, ``limits`` measures what the disk and database can do at best, ``http`` runs
uvicorn and a separate load generator, ``targets`` lists the pages and exports that
are measured (adding one is one line), and ``run`` ties them into the Markdown table.
"""
