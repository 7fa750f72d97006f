"""The question bank and the candidate's answers, scored by the offline answer model."""
