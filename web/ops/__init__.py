"""Operating the platform: opening the stores, backup and restore, ``audit verify``,
the periodic jobs' wiring, the evidence sweep and the demo."""
