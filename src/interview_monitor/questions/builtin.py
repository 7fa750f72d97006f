"""Questions to fall back on when nobody has loaded a bank (`interview-monitor questions load`).

Each has a reference answer: without one the scorer can judge only relevance to the question,
which it does poorly for open questions.
"""

from __future__ import annotations

BUILTIN_QUESTIONS: tuple[dict[str, str], ...] = (
    {
        "id": "builtin-p-value",
        "question": "What does a p-value tell you, and what does it not tell you?",
        "reference_answer": (
            "A p-value is the probability of seeing data at least as extreme as observed if the "
            "null hypothesis were true. A small p-value is evidence against the null hypothesis. "
            "It is not the probability that the null hypothesis is true, and it says nothing "
            "about the size or importance of an effect."
        ),
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
