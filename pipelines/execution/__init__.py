"""How a run's documents are read: worker pools, the time limit per document, interrupts."""
