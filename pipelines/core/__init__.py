"""The pipeline's steps as plain functions, without Prefect: discover, check, cross-month, load.

The command line calls them directly; the flows in ``pipelines.flows`` wrap them as tasks.
"""
