"""The demo consortium: a year of a fictional digital-inclusion project.

Every organisation and person here is invented (``.example`` addresses). The history
is written through the governance service like any user's, with the clock set to the
dates things happened, so the history panel reads like a real year. ``load.py``
tells it chapter by chapter (``founding``, ``pledges``, ``selection``,
``implementation``, ``deliveries``, ``year_end``); ``story.py`` holds the cast and
the moves the chapters share.
"""
