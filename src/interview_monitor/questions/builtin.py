"""Questions to fall back on when nobody has loaded a bank (`interview-monitor` CLI does)."""

from __future__ import annotations

BUILTIN_QUESTIONS: tuple[dict[str, str], ...] = (
    {
        "id": "builtin-intro",
        "question": "Tell us about a project you are proud of and the part you played in it.",
    },
    {
        "id": "builtin-overfitting",
        "question": "What is overfitting, and how can you tell that a model overfits?",
        "reference_answer": (
            "Overfitting is when a model learns the noise of its training data rather than the "
            "pattern, so it does well on training data and poorly on new data. It shows as a "
            "gap between training and validation error; regularisation, more data, simpler "
            "models, early stopping and cross-validation reduce it."
        ),
    },
    {
        "id": "builtin-sql-join",
        "question": "What is the difference between an inner join and a left join in SQL?",
        "reference_answer": (
            "An inner join returns only the rows that match in both tables; a left join returns "
            "every row of the left table, with the matching columns of the right table or NULL "
            "where there is no match."
        ),
    },
)
