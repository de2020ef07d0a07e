"""Everything that imports Prefect: the flows, their task runners, serving and the API server."""
