"""Prefect flows and the ``minsheng`` command line. The only package that imports Prefect."""
