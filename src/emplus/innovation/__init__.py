"""The innovation pipeline: an idea through design, test bed and evaluation to scale."""
