"""``consortium bench``: a synthetic platform history, and what it shows.

Everything here is for measuring: the web application never imports this package
(an import contract says so). ``builder`` writes the history through the application
service, ``limits`` measures what the disk, the database and the library can do at
best, ``http`` runs uvicorn and a separate load generator, ``pages`` measures each page
and the POST in turn with their limits, ``memory`` the exports' memory growth,
``scale`` several web processes and writers, ``targets`` lists the pages and exports
that are measured (adding one is one line), ``run`` ties them into rows, each with a
limit of its own and a goal, and ``report`` writes the Markdown tables.
"""
