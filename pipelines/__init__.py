"""Running the pipeline: the Prefect-free core, the Prefect flows around it, the reports, the CLI.

``core/`` holds the steps as plain functions; ``flows/`` is everything that imports Prefect;
``reports/`` renders validation and month reports; ``cli/`` is the ``minsheng`` command.
"""
