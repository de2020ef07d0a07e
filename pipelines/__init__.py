"""Running the pipeline: the Prefect-free core, the Prefect flows around it, the reports, the CLI.

``core/`` holds the steps as plain functions; ``execution/`` runs them in pools and workers and
handles interrupts; ``flows/`` is everything that imports Prefect; ``render/`` draws validation
and month reports; ``cli/`` is the ``minsheng`` command; ``web/`` is the offices' intake page.
"""
